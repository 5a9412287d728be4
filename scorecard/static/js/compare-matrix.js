// The comparison matrix: filters apply on change, and the "compare" button counts the ticked
// candidates (2 to 4). Without JavaScript the forms submit as usual and the server checks.
(function () {
  "use strict";

  var filters = document.getElementById("matrix-filters");
  if (filters) {
    Array.prototype.forEach.call(filters.querySelectorAll("select.autosubmit"), function (el) {
      el.addEventListener("change", function () {
        filters.submit();
      });
    });
  }

  var form = document.getElementById("compare-form");
  if (!form) {
    return;
  }
  var button = document.getElementById("compare-button");
  var status = document.getElementById("compare-status");
  var min = parseInt(form.getAttribute("data-min"), 10) || 2;
  var max = parseInt(form.getAttribute("data-max"), 10) || 4;
  var boxes = document.querySelectorAll('input[type="checkbox"][form="compare-form"]');

  function picked() {
    return Array.prototype.filter.call(boxes, function (b) {
      return b.checked;
    }).length;
  }

  function update() {
    var n = picked();
    var ok = n >= min && n <= max;
    // Not disabled: a click on a wrong selection explains itself (the status line is live).
    button.classList.toggle("is-disabled", !ok);
    var text = form.getAttribute("data-msg-count").replace("{n}", String(n));
    if (!ok) {
      text += " — " + form.getAttribute("data-msg-range");
    }
    status.textContent = text;
    status.classList.remove("error");
    Array.prototype.forEach.call(boxes, function (b) {
      var row = b.closest("tr");
      if (row) {
        row.classList.toggle("picked", b.checked);
      }
    });
  }

  Array.prototype.forEach.call(boxes, function (b) {
    b.addEventListener("change", update);
  });
  form.addEventListener("submit", function (event) {
    var n = picked();
    if (n < min || n > max) {
      event.preventDefault();
      update();
      status.classList.add("error");
    }
  });
  update();
})();

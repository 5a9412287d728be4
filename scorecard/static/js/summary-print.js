// Round summary: a "print for the debrief" button (print.css lays the page out on A4).
(function () {
  "use strict";

  var button = document.getElementById("print-button");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();

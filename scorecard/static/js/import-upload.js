// CSV import: upload with a progress bar (XMLHttpRequest), show the checked preview in place,
// and show progress while the good rows are imported. Without JavaScript the forms post as usual.
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  var result = document.getElementById("import-result");
  if (!form || !result || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var statusLine = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  var text = document.getElementById("upload-text");
  var button = document.getElementById("check-button");
  var token = document.querySelector('meta[name="csrf-token"]');

  function say(key, percent) {
    var message = text.getAttribute("data-" + key) || "";
    text.textContent = percent === undefined ? message : message + " " + percent + " %";
  }

  function watchImportForm() {
    var importForm = document.getElementById("import-form");
    if (!importForm) {
      return;
    }
    importForm.addEventListener("submit", function () {
      var importButton = document.getElementById("import-button");
      var progress = document.getElementById("import-progress");
      if (importButton) {
        importButton.disabled = true;
      }
      if (progress) {
        progress.hidden = false; // no value: an indeterminate bar while the server imports
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    if (token) {
      xhr.setRequestHeader("X-CSRFToken", token.getAttribute("content"));
    }
    statusLine.hidden = false;
    bar.value = 0;
    bar.max = 100;
    button.disabled = true;
    say("uploading", 0);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        say("uploading", percent);
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      bar.removeAttribute("value"); // indeterminate while the server checks the rows
      say("checking");
    });
    xhr.addEventListener("load", function () {
      button.disabled = false;
      if (xhr.status === 200 || xhr.status === 422) {
        statusLine.hidden = true;
        // The server renders the preview with autoescaping; it is our own same-origin HTML.
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var preview = doc.getElementById("preview");
        result.replaceChildren();
        if (preview) {
          result.appendChild(document.importNode(preview, true));
        }
        watchImportForm();
        result.scrollIntoView({ behavior: "smooth", block: "start" });
      } else {
        say("failed");
      }
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      say("failed");
    });
    xhr.send(new FormData(form));
  });

  watchImportForm();
})();

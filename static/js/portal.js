/* Progressive enhancements. Every form works without this file. */
(function () {
  "use strict";

  /* Uploads: refuse an over-size file before sending it, and show the progress of the upload. */
  function enhanceUpload(form) {
    var input = form.querySelector('input[type="file"]');
    var box = form.querySelector(".upload-progress");
    if (!input || !box || !window.FormData || !window.XMLHttpRequest) return;
    var bar = box.querySelector("progress");
    var label = box.querySelector("span");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes") || "0", 10);

    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      if (!file) return; /* nothing to show: let the browser submit */
      if (maxBytes && file.size > maxBytes) {
        event.preventDefault();
        var msg = form.getAttribute("data-too-large") || "The file is too large.";
        var err = document.getElementById("file-error");
        if (!err) {
          err = document.createElement("p");
          err.id = "file-error";
          err.className = "error-message";
          input.parentNode.insertBefore(err, input);
        }
        err.textContent = msg;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "file-error");
        input.focus();
        return;
      }
      event.preventDefault();
      var data = event.submitter ? new FormData(form, event.submitter) : new FormData(form);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      box.hidden = false;
      box.setAttribute("role", "status");
      form.querySelectorAll('input[type="submit"], button[type="submit"]').forEach(function (b) { b.disabled = true; });
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.round((e.loaded / e.total) * 100);
        bar.value = pct;
        label.textContent = pct + " %";
      });
      xhr.upload.addEventListener("load", function () {
        label.textContent = form.getAttribute("data-processing") || "…";
      });
      xhr.addEventListener("load", function () {
        /* Show the page the server answered with (the document, or the form with its errors). */
        document.open();
        document.write(xhr.responseText);
        document.close();
        if (xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.history.replaceState(null, "", xhr.responseURL);
        }
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.send(data);
    });
  }

  document.querySelectorAll("form[data-upload-form]").forEach(enhanceUpload);
})();

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

  /* Search: filters, sorting, paging and the search form fetch the results and replace them in
     place, the address follows (so back, forward and shared links work), and focus goes to the
     number of results so that a screen reader announces it. Without this, every link and the form
     load the page as usual. */
  function enhanceSearch(region) {
    if (!window.fetch || !window.DOMParser || !window.history || !window.history.pushState) return;
    var searchPath = new URL(region.querySelector("form[role=search]").action, window.location.href).pathname;

    function isSearchUrl(url) {
      return url.origin === window.location.origin && url.pathname === searchPath;
    }

    /* Only the latest request may fill the region: two quick Backs start two requests, and the
       answer to the first must not overwrite the second's when it arrives later. */
    var latest = 0;
    var pending = null;

    function load(url, push) {
      var ticket = ++latest;
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      region.setAttribute("aria-busy", "true");
      return fetch(url.href, {
        headers: { "Accept": "text/html" }, credentials: "same-origin",
        signal: pending ? pending.signal : undefined
      })
        .then(function (response) {
          if (!response.ok && response.status !== 400) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          if (ticket !== latest) return;
          pending = null;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("search-page");
          if (!fresh) throw new Error("no results in the answer");
          region.innerHTML = fresh.innerHTML;
          document.title = doc.title;
          if (push) window.history.pushState({ search: true }, "", url.href);
          region.removeAttribute("aria-busy");
          var status = document.getElementById("search-status") || region.querySelector("[role=alert]");
          if (status) status.focus();
        })
        .catch(function () {
          if (ticket === latest) window.location.assign(url.href);
        });
    }

    region.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || link.target) return;
      var url = new URL(link.href, window.location.href);
      if (!isSearchUrl(url)) return;
      event.preventDefault();
      load(url, true);
    });

    region.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.getAttribute("role") !== "search") return;
      event.preventDefault();
      var url = new URL(form.action, window.location.href);
      url.search = new URLSearchParams(new FormData(form)).toString();
      load(url, true);
    });

    region.addEventListener("change", function (event) {
      if (event.target.id !== "search-sort") return;
      var form = event.target.form;
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    });

    window.addEventListener("popstate", function () {
      var url = new URL(window.location.href);
      if (isSearchUrl(url)) load(url, false);
    });
  }

  var searchRegion = document.querySelector("[data-live-search]");
  if (searchRegion) enhanceSearch(searchRegion);
})();

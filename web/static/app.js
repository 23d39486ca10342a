/* Behaviour every page may use, bound from data attributes (the Content-Security-Policy
 * allows no inline event handlers):
 *   <form data-confirm="text">  asks before submitting; the text is read, never evaluated
 *   <a data-print>              prints the page
 *   <a data-back>               goes back one page
 *   <button data-menu-toggle>   opens and closes the header's menu on narrow screens
 *   .maplegend                  on a phone starts folded to its first line; a tap unfolds it
 * and, for pages' scripts, window.CountyApp: csrf() (the page's CSRF token) and
 * api(method, url, body) (one JSON request; resolves with the body, rejects with the
 * server's words and .status; 204 resolves with {}). */
(function () {
  "use strict";

  // Asked at the document, before any other handler (capture): forms a page's script
  // puts in later ask too, and a script handling the submit sees it was cancelled.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") &&
        !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });

  document.querySelectorAll("[data-back]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      event.preventDefault();
      window.history.back();
    });
  });

  if (window.innerWidth < 700) {
    document.querySelectorAll(".maplegend").forEach(function (legend) {
      legend.classList.add("folded");
      legend.setAttribute("title", "点按展开或收起图例");
      legend.addEventListener("click", function () { legend.classList.toggle("folded"); });
    });
  }

  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var bar = button.closest(".topbar");
      var open = bar.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });

  function csrf() {
    var el = document.querySelector("input[name=csrf_token]");
    return el ? el.value : "";
  }

  function api(method, url, body) {
    var init = { method: method, credentials: "same-origin",
                 headers: { "Accept": "application/json", "X-CSRFToken": csrf() } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (resp) {
      if (resp.status === 204) {
        return {};
      }
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var err = new Error(data.description || data.message || ("请求失败（" + resp.status + "）"));
          err.status = resp.status;
          throw err;
        }
        return data;
      });
    });
  }

  window.CountyApp = { csrf: csrf, api: api };
}());

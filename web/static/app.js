/* Behaviour every page may use, bound from data attributes (the Content-Security-Policy
 * allows no inline event handlers):
 *   <form data-confirm="text">  asks before submitting; the text is read, never evaluated
 *   <a data-print>              prints the page
 *   <a data-back>               goes back one page */
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

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
}());

/* The header's county selector: choosing a county submits the form at once (the button
 * stays for browsers without scripts). */
(function () {
  "use strict";
  document.querySelectorAll("select[data-county-switch]").forEach(function (select) {
    var form = select.form;
    form.classList.add("auto");
    select.addEventListener("change", function () { form.submit(); });
  });
}());

/* The change form carries a file input (the lead image), so Django's admin marks it
   multipart. Most saves choose no file: those are sent as plain form data, which the
   server reads several times faster than a multipart body of a hundred fields. A save
   with a file chosen stays multipart; without JavaScript every save is multipart, as
   before. Decided at each submit, so a file chosen after a refused save is sent. */
(function () {
  "use strict";

  var MULTIPART = "multipart/form-data";
  var PLAIN = "application/x-www-form-urlencoded";

  function fileChosen(form) {
    return Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (input) {
      return !input.disabled && input.files && input.files.length > 0;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") { return; }
    if (!form.hasAttribute("data-multipart")) {
      if (form.enctype !== MULTIPART) { return; }
      form.setAttribute("data-multipart", "");
    }
    form.enctype = fileChosen(form) ? MULTIPART : PLAIN;
  }, true);
})();

/* The change form carries a file input (the lead image), so Django's admin marks it
   multipart. Most saves choose no file: those are sent as plain form data, which the
   server reads several times faster than a multipart body of a hundred fields. A save
   with a file chosen stays multipart; without JavaScript every save is multipart, as
   before. Decided at each submit, so a file chosen after a refused save is sent.
   A very long form stays multipart too: Django measures a plain body whole against
   DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default), a multipart one by its values' bytes,
   and percent-encoding makes a Cyrillic letter six bytes and a line break six, so the
   longest explainers the form accepts would be refused as plain data. */
(function () {
  "use strict";

  var MULTIPART = "multipart/form-data";
  var PLAIN = "application/x-www-form-urlencoded";
  var PLAIN_UP_TO = 1000000; // bytes of plain body: far below Django's limit

  function fileChosen(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      return field.type === "file" && !field.disabled && field.files && field.files.length > 0;
    });
  }

  function plainTooLong(form) {
    var size = 0;
    var entries = new FormData(form).entries();
    for (var entry = entries.next(); !entry.done; entry = entries.next()) {
      var value = typeof entry.value[1] === "string" ? entry.value[1] : "";
      size += encodeURIComponent(entry.value[0]).length + 2 +
        encodeURIComponent(value.replace(/\r?\n/g, "\r\n")).length;
      if (size > PLAIN_UP_TO) { return true; }
    }
    return false;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") { return; }
    if (!form.hasAttribute("data-multipart")) {
      if (form.enctype !== MULTIPART) { return; }
      form.setAttribute("data-multipart", "");
    }
    form.enctype = fileChosen(form) || plainTooLong(form) ? MULTIPART : PLAIN;
  }, true);
})();

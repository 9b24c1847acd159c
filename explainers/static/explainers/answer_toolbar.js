/* A small toolbar above every answer of the change page: bold, italic, link, list, quote, and
   "Quelle zitieren", which inserts [^key] for one of the sources in the form – including those
   added and not yet saved (the key inputs are read when the picker is used). Without
   JavaScript the plain textarea stays. The words come from the answer's own data attributes
   (data-toolbar-* on the questions group, templates/admin/explainers/edit_inline/blocks.html). */
(function () {
  "use strict";

  var ANSWER = 'textarea[name^="questions-"][name$="-answer"]';

  function words(field) {
    var group = field.closest("[data-blocks]");
    return function (name) { return (group && group.getAttribute("data-toolbar-" + name)) || name; };
  }

  /* Replace the selection by `text` the way typing would (undo works, "input" fires for the
     live preview and the character count); select `selectFrom..selectTo` of the new text. */
  function put(field, text, selectFrom, selectTo) {
    var start = field.selectionStart;
    field.focus();
    field.setSelectionRange(start, field.selectionEnd);
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      field.setRangeText(text, start, field.selectionEnd, "end");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) { field.setSelectionRange(start + selectFrom, start + selectTo); }
    grow(field);
  }

  function wrap(field, before, after, placeholder) {
    var chosen = field.value.slice(field.selectionStart, field.selectionEnd) || placeholder;
    put(field, before + chosen + after, before.length, before.length + chosen.length);
  }

  function link(field, placeholder) {
    var chosen = field.value.slice(field.selectionStart, field.selectionEnd) || placeholder;
    var url = "https://";
    var text = "[" + chosen + "](" + url + ")";
    put(field, text, chosen.length + 3, chosen.length + 3 + url.length);
  }

  /* Every line the selection touches gets `mark` in front (a list item, a quote). */
  function prefixLines(field, mark) {
    var value = field.value;
    var start = field.selectionStart > 0 ? value.lastIndexOf("\n", field.selectionStart - 1) + 1 : 0;
    var end = value.indexOf("\n", field.selectionEnd);
    if (end < 0) { end = value.length; }
    field.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n").map(function (line) { return mark + line; });
    var text = lines.join("\n");
    // A block needs an empty line before it, unless it starts the answer.
    var before = start > 0 && value.slice(0, start) !== "" && !/\n\n$/.test(value.slice(0, start)) ? "\n" : "";
    put(field, before + text, before.length + text.length, before.length + text.length);
  }

  /* The source keys in the form right now, saved or new, deleted ones left out. */
  function sourceKeys() {
    var keys = [];
    document.querySelectorAll('input[name^="sources-"][name$="-key"]').forEach(function (input) {
      if (input.name.indexOf("__prefix__") >= 0) { return; }
      var row = input.name.slice(0, -"-key".length);
      var deleted = document.querySelector('input[name="' + row + '-DELETE"]');
      var label = document.querySelector('[name="' + row + '-label"]');
      var key = input.value.trim();
      if (key && !(deleted && deleted.checked) && keys.every(function (k) { return k.key !== key; })) {
        keys.push({ key: key, label: label ? label.value.trim() : "" });
      }
    });
    return keys;
  }

  function fillPicker(select, say) {
    var chosen = select.value;
    select.textContent = "";
    var keys = sourceKeys();
    var first = document.createElement("option");
    first.value = "";
    first.textContent = keys.length ? say("choose") : say("none");
    select.appendChild(first);
    keys.forEach(function (source) {
      var option = document.createElement("option");
      option.value = source.key;
      option.textContent = source.label ? source.key + " – " + source.label : source.key;
      select.appendChild(option);
    });
    select.value = keys.some(function (source) { return source.key === chosen; }) ? chosen : "";
  }

  function button(label, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "answer-toolbar__button";
    element.textContent = label;
    element.addEventListener("click", action);
    return element;
  }

  var count = 0;

  function equip(field) {
    if (field.name.indexOf("__prefix__") >= 0 || field.closest(".answer-editor")) { return; }
    var say = words(field);
    var editor = document.createElement("div");
    editor.className = "answer-editor";
    var bar = document.createElement("div");
    bar.className = "answer-toolbar";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", say("label"));
    bar.setAttribute("aria-controls", field.id);
    bar.appendChild(button(say("bold"), function () { wrap(field, "**", "**", say("sample")); }));
    bar.appendChild(button(say("italic"), function () { wrap(field, "*", "*", say("sample")); }));
    bar.appendChild(button(say("link"), function () { link(field, say("sample")); }));
    bar.appendChild(button(say("list"), function () { prefixLines(field, "- "); }));
    bar.appendChild(button(say("quote"), function () { prefixLines(field, "> "); }));

    var cite = document.createElement("span");
    cite.className = "answer-toolbar__cite";
    var select = document.createElement("select");
    count += 1;
    select.id = "answer-toolbar-source-" + count;
    var label = document.createElement("label");
    label.htmlFor = select.id;
    label.className = "blocks-sr-only";
    label.textContent = say("source");
    fillPicker(select, say);
    // Read the sources again whenever the picker is about to be used.
    select.addEventListener("focus", function () { fillPicker(select, say); });
    select.addEventListener("mousedown", function () { fillPicker(select, say); });
    var insert = button(say("cite"), function () {
      fillPicker(select, say);
      if (!select.value) { select.focus(); return; }
      put(field, "[^" + select.value + "]");
    });
    cite.appendChild(label);
    cite.appendChild(select);
    cite.appendChild(insert);
    bar.appendChild(cite);

    field.parentNode.insertBefore(editor, field);
    editor.appendChild(bar);
    editor.appendChild(field);
    field.classList.add("answer-editor__text");
    grow(field);
  }

  /* The answer grows with its text: CSS field-sizing where the browser has it, else here
     (a style property set from script, which the CSP allows; a style attribute it would not). */
  var sizesItself = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function grow(field) {
    if (sizesItself) { return; }
    field.style.height = "auto";
    field.style.height = field.scrollHeight + 2 + "px";
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(ANSWER)) { grow(event.target); }
  });
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll(ANSWER).forEach(equip);
  });
  function start() { document.querySelectorAll(ANSWER).forEach(equip); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

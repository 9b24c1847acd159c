/* A live character count under every limited field of the change form (data-limit).
   The browser never cuts text: an overlong field is shown here and refused by the
   server with a form error, everything typed kept. No inline script (CSP). */
(function () {
  "use strict";

  function label(field, count) {
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    var over = count - limit;
    var text = field.getAttribute(over > 0 ? "data-limit-over-label" : "data-limit-label") || "%(count)s / %(limit)s";
    var format = function (n) { return n.toLocaleString(document.documentElement.lang || undefined); };
    return {
      over: over > 0,
      text: text.replace("%(count)s", format(count)).replace("%(limit)s", format(limit)).replace("%(over)s", format(over))
    };
  }

  function counterFor(field) {
    var id = field.id ? field.id + "_count" : null;
    var counter = id ? document.getElementById(id) : null;
    if (!counter) {
      counter = document.createElement("div");
      counter.className = "char-count";
      counter.setAttribute("aria-live", "polite");
      if (id) {
        counter.id = id;
        var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(id) < 0) { described.push(id); }
        field.setAttribute("aria-describedby", described.join(" "));
      }
      field.insertAdjacentElement("afterend", counter);
    }
    return counter;
  }

  function update(field) {
    if (!field.hasAttribute("data-limit") || field.name.indexOf("__prefix__") >= 0) { return; }
    // Characters as the server counts them: line breaks as one, as stored.
    var count = Array.from(field.value.replace(/\r\n/g, "\n")).length;
    var state = label(field, count);
    var counter = counterFor(field);
    var near = count > 0.9 * parseInt(field.getAttribute("data-limit"), 10);
    counter.hidden = !(near || field.tagName === "TEXTAREA");
    counter.textContent = state.text;
    counter.classList.toggle("char-count--over", state.over);
    field.classList.toggle("over-limit", state.over);
    if (state.over) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
  }

  function scan(root) {
    root.querySelectorAll("[data-limit]").forEach(update);
  }

  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-limit")) { update(event.target); }
  });
  document.addEventListener("formset:added", function (event) { scan(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();

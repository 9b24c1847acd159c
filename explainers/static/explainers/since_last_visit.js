/* "Seit Ihrem letzten Besuch": the box above the article and the opt-in control below it
 * (templates/explainers/_since_last_visit.html). The page is the same for every reader; what
 * a reader read stays in this browser, and only after they pressed "Änderungen für mich
 * merken": one localStorage entry, explainer number -> version number. Pressing again deletes
 * it. The Datenschutz page says so (templates/flatpages/default.html). */
(function () {
  "use strict";

  var KEY = "newsroom:zuletzt-gelesen";
  var box = document.getElementById("_seit-letztem-besuch");
  var control = document.getElementById("_aenderungen-merken");
  var source = document.getElementById("_seit-letztem-besuch-daten");
  if (!box || !control || !source) return;

  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return;
  }
  var storage = usableStorage();
  if (!data || !storage) return; // no storage (blocked, private mode): offer nothing

  var button = control.querySelector("button");
  var status = control.querySelector("[role=status]");
  var language = document.documentElement.lang || "de";
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(language) : null;

  function usableStorage() {
    try {
      var store = window.localStorage;
      return store && typeof store.getItem === "function" ? store : null;
    } catch (error) {
      return null; // a browser that refuses storage throws on the mere access
    }
  }

  /* What was remembered, or null when the reader has not opted in. */
  function remembered() {
    var raw;
    try {
      raw = storage.getItem(KEY);
    } catch (error) {
      return null;
    }
    if (raw === null) return null;
    try {
      var parsed = JSON.parse(raw);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
    } catch (error) {
      return {};
    }
  }

  function remember(versions) {
    var before = versions[data.explainer];
    // a cache in front may still serve an older page as the current one: never step back
    versions[data.explainer] = Number.isInteger(before) && before > data.version ? before : data.version;
    try {
      storage.setItem(KEY, JSON.stringify(versions));
      return true;
    } catch (error) {
      return false; // full or refused: nothing is kept
    }
  }

  function forget() {
    try {
      storage.removeItem(KEY);
    } catch (error) {
      /* nothing was kept */
    }
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function counted(kind, count) {
    var form = plurals ? plurals.select(count) : count === 1 ? "one" : "other";
    var text = box.getAttribute("data-" + kind + "-" + (form === "one" ? "one" : "other"));
    return fill(text, { count: count });
  }

  function link(href, text) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = text;
    return anchor;
  }

  function showChangesSince(since) {
    var added = [];
    var updated = [];
    data.questions.forEach(function (question) {
      if (question.number > since) (question.added ? added : updated).push(question);
    });
    var announced = data.announced.some(function (number) {
      return number > since;
    });
    if (!added.length && !updated.length && !announced) return; // minor fixes only

    var sentence = document.createElement("p");
    var lead = document.createElement("strong");
    var parts = [];
    if (added.length) parts.push(counted("new", added.length));
    if (updated.length) parts.push(counted("changed", updated.length));
    lead.textContent = fill(
      box.getAttribute(parts.length ? "data-lead" : "data-updated-only"),
      { version: since }
    );
    sentence.appendChild(lead);
    if (parts.length) sentence.appendChild(document.createTextNode(" " + parts.join(", ") + "."));
    sentence.appendChild(document.createTextNode(" "));
    sentence.appendChild(
      link(data.diff + since + ".." + data.version + "/", box.getAttribute("data-link"))
    );
    box.appendChild(sentence);

    if (added.length || updated.length) {
      var list = document.createElement("ul");
      [[added, "data-new-label"], [updated, "data-changed-label"]].forEach(function (group) {
        group[0].forEach(function (question) {
          var item = document.createElement("li");
          item.appendChild(document.createTextNode(box.getAttribute(group[1]) + ": "));
          item.appendChild(link("#" + question.anchor, question.question));
          list.appendChild(item);
        });
      });
      box.appendChild(list);
    }
    box.hidden = false;
  }

  function setPressed(pressed) {
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
  }

  var versions = remembered();
  if (versions !== null) {
    var since = versions[data.explainer];
    if (Number.isInteger(since) && since >= 1 && since < data.version) {
      showChangesSince(since);
    }
    remember(versions);
  }
  setPressed(versions !== null);
  control.hidden = false;

  button.addEventListener("click", function () {
    if (button.getAttribute("aria-pressed") === "true") {
      forget();
      setPressed(false);
      status.textContent = status.getAttribute("data-off");
    } else if (remember(remembered() || {})) {
      setPressed(true);
      status.textContent = fill(status.getAttribute("data-on"), { version: data.version });
    }
  });
})();

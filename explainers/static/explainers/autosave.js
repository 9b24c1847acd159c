/* Autosave on an explainer's change page (explainers/domain/drafts.py).
 *
 * A few seconds after typing stops, the form is posted to the server as this user's draft,
 * and a copy is kept in the browser's local storage at once, for when the session has timed
 * out or the server cannot be reached. Opening the page again offers a browser copy that
 * differs from what the page shows and is newer than the server's draft: restoring it hands
 * it to the server first and then opens the page bound to it (?entwurf=wiederherstellen).
 * The texts come from the page (data-* attributes of #autosave-status), translated there.
 */
(function () {
  "use strict";

  var QUIET_MS = 3000; // after the last keystroke, to the server
  var LOCAL_MS = 400; // to the browser's copy
  // Fields that differ between a form and the same form after its save: not content.
  var BOOKKEEPING = /(^csrfmiddlewaretoken$|^loaded_revision$|-(id|position|explainer)$|_FORMS$)/;

  function start() {
    var status = document.getElementById("autosave-status");
    var form = document.getElementById("explainer_form");
    if (!status || !form || !window.fetch || !window.FormData) {
      return;
    }
    var key = status.dataset.key;
    // While a draft is offered, nothing is kept: typing would replace what waits to be restored.
    var waiting = Boolean(document.getElementById("draft-offer"));
    var serverTimer = null;
    var localTimer = null;
    var pending = null;

    function fields() {
      var pairs = [];
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string" && name !== "csrfmiddlewaretoken") {
          pairs.push([name, value]);
        }
      });
      return pairs;
    }

    function content(pairs) {
      return pairs
        .filter(function (pair) { return !BOOKKEEPING.test(pair[0]) && pair[1] !== ""; })
        .map(function (pair) { return pair[1]; })
        .sort()
        .join("\u0000");
    }

    function say(text) {
      status.textContent = text;
    }

    function readLocal() {
      try {
        return JSON.parse(window.localStorage.getItem(key) || "null");
      } catch (error) {
        return null;
      }
    }

    function writeLocal(pairs, submitted) {
      try {
        window.localStorage.setItem(
          key, JSON.stringify({ savedAt: Date.now(), fields: pairs, submitted: submitted })
        );
      } catch (error) {
        /* storage full or refused: the server's copy still counts */
      }
    }

    function forgetLocal() {
      try {
        window.localStorage.removeItem(key);
      } catch (error) {
        /* nothing kept */
      }
    }

    function csrfToken() {
      var input = form.querySelector("[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function post(pairs) {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var body = new FormData();
      pairs.forEach(function (pair) { body.append(pair[0], pair[1]); });
      return fetch(status.dataset.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
        signal: pending.signal,
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          answer.ok = response.ok && answer.saved === true;
          return answer;
        });
      });
    }

    function saveToServer() {
      serverTimer = null;
      var pairs = fields();
      writeLocal(pairs, false);
      post(pairs).then(function (answer) {
        if (answer.ok) {
          say(status.dataset.saved.replace("%s", answer.at));
        } else {
          say(answer.reason || status.dataset.local);
        }
      }).catch(function (error) {
        if (error.name !== "AbortError") {
          say(status.dataset.local);
        }
      });
    }

    function edited() {
      if (waiting) {
        say(status.dataset.waiting);
        return;
      }
      window.clearTimeout(localTimer);
      localTimer = window.setTimeout(function () { writeLocal(fields(), false); }, LOCAL_MS);
      window.clearTimeout(serverTimer);
      serverTimer = window.setTimeout(saveToServer, QUIET_MS);
    }

    function submitted(event) {
      window.clearTimeout(serverTimer);
      window.clearTimeout(localTimer);
      if (pending) {
        pending.abort();
      }
      if (event.submitter && event.submitter.name === "_discard_draft") {
        forgetLocal();
      } else {
        // Kept until the page shows it saved: a save that fails (a timed-out session) loses nothing.
        writeLocal(fields(), true);
      }
    }

    function offerLocal(kept) {
      var offer = document.createElement("p");
      offer.className = "desk-notice draft-offer draft-offer--local";
      offer.setAttribute("role", "note");
      var when = new Date(kept.savedAt).toLocaleTimeString(document.documentElement.lang || "de", {
        hour: "2-digit", minute: "2-digit",
      });
      offer.appendChild(document.createTextNode(status.dataset.localOffer.replace("%s", when) + " "));
      var restore = document.createElement("button");
      restore.type = "button";
      restore.className = "button draft-restore";
      restore.textContent = status.dataset.restore;
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button draft-discard";
      discard.textContent = status.dataset.discard;
      offer.appendChild(restore);
      offer.appendChild(document.createTextNode(" / "));
      offer.appendChild(discard);
      restore.addEventListener("click", function () {
        restore.disabled = true;
        post(kept.fields).then(function (answer) {
          if (answer.ok) {
            window.location.search = "?entwurf=wiederherstellen";
          } else {
            restore.disabled = false;
            say(answer.reason || status.dataset.local);
          }
        }).catch(function () {
          restore.disabled = false;
          say(status.dataset.local);
        });
      });
      discard.addEventListener("click", function () {
        forgetLocal();
        offer.remove();
        waiting = Boolean(document.getElementById("draft-offer"));
      });
      var serverOffer = document.getElementById("draft-offer");
      (serverOffer || status).parentNode.insertBefore(offer, serverOffer || status);
      waiting = true;
    }

    var kept = readLocal();
    if (kept && Array.isArray(kept.fields)) {
      var serverSavedAt = Number(status.dataset.serverSavedAt || 0) * 1000;
      if (content(kept.fields) === content(fields())) {
        forgetLocal(); // the page shows it: saved, or restored
      } else if (kept.savedAt > serverSavedAt + 1000 && !/[?&]entwurf=/.test(window.location.search)) {
        offerLocal(kept);
      }
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", submitted);
    // Blocks added, removed or moved by script fire no input event.
    ["formset:added", "formset:removed", "blocks:moved"].forEach(function (name) {
      document.addEventListener(name, edited);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

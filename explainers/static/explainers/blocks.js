/* Questions and sources on the change page as blocks: "… hier einfügen" between any two
   blocks, one-step "nach oben"/"nach unten" buttons, and collapsing a block to its first line.
   The markup comes from templates/admin/explainers/edit_inline/blocks.html (data-blocks).

   New blocks are Django's own (admin/js/inlines.js "add another": the empty form cloned,
   TOTAL_FORMS counted up), then moved to their place. The hidden position inputs always hold
   the visible order (1..n over every block, saved or new), which the server keeps
   (explainers/desk/forms.py, OrderedFormSet._number). Dragging stays adminsortable2's.
   No inline script or style attribute: the CSP forbids both. */
(function () {
  "use strict";

  function text(group, name, values) {
    var template = group.getAttribute("data-text-" + name) || "";
    return template.replace(/%\((\w+)\)s/g, function (all, key) {
      return values && key in values ? values[key] : all;
    });
  }

  function blocks(group) {
    return Array.prototype.filter.call(
      group.querySelectorAll(".inline-related.block"),
      function (row) { return !row.classList.contains("empty-form"); }
    );
  }

  function prefixOf(group) { return group.getAttribute("data-blocks"); }

  function button(className, label) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    return element;
  }

  function status(group) {
    var live = group.querySelector(".blocks-status");
    if (!live) {
      live = document.createElement("div");
      live.className = "blocks-status blocks-sr-only";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      group.appendChild(live);
    }
    return live;
  }

  function announce(group, message) {
    var live = status(group);
    live.textContent = "";
    // A fresh text node, so the same message twice is read twice.
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  /* The controls of one block: collapse toggle, up, down. Added once per block. */
  function equip(group, row) {
    var head = row.querySelector(".block__head");
    if (!head || head.querySelector(".block-controls")) { return; }
    var body = row.querySelector(".block__body");
    var controls = document.createElement("span");
    controls.className = "block-controls";
    var toggle = button("block-toggle", text(group, "toggle"));
    toggle.setAttribute("aria-expanded", "true");
    if (body && body.id) { toggle.setAttribute("aria-controls", body.id); }
    controls.appendChild(toggle);
    if (group.hasAttribute("data-blocks-can-move")) {
      controls.appendChild(button("block-up", text(group, "up")));
      controls.appendChild(button("block-down", text(group, "down")));
    }
    head.appendChild(controls);
  }

  function numberOf(group, row) { return blocks(group).indexOf(row) + 1; }

  /* Insert buttons between the blocks, positions and button labels after any change of order. */
  function refresh(group) {
    var rows = blocks(group);
    var noun = text(group, "noun");
    var moved = false;
    group.querySelectorAll(".block-insert").forEach(function (element) { element.remove(); });
    rows.forEach(function (row, index) {
      var position = row.querySelector("input._reorder_");
      if (position && position.value !== String(index + 1)) {
        position.value = String(index + 1);
        moved = true;
      }
      equip(group, row);
      var label = row.querySelector(".inline_label");
      if (label && !row.classList.contains("has_original")) { label.textContent = "#" + (index + 1); }
      var name = noun + " " + (index + 1);
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", name);
      var up = row.querySelector(".block-up");
      var down = row.querySelector(".block-down");
      if (up) {
        up.setAttribute("aria-label", name + " " + text(group, "up"));
        up.setAttribute("aria-disabled", index === 0 ? "true" : "false");
      }
      if (down) {
        down.setAttribute("aria-label", name + " " + text(group, "down"));
        down.setAttribute("aria-disabled", index === rows.length - 1 ? "true" : "false");
      }
    });
    // The live preview and the draft follow changes of the form: a new order is one.
    if (moved) { group.dispatchEvent(new Event("change", { bubbles: true })); }
    if (!group.hasAttribute("data-blocks-can-add")) { return; }
    var places = rows.slice();
    places.push(null);
    places.forEach(function (row, index) {
      var wrap = document.createElement("div");
      wrap.className = "block-insert";
      var insert = button("block-insert__button", text(group, "insert"));
      insert.setAttribute("data-blocks-at", String(index + 1));
      wrap.appendChild(insert);
      if (row) {
        row.insertAdjacentElement("beforebegin", wrap);
      } else {
        var template = group.querySelector(".inline-related.empty-form");
        var last = rows[rows.length - 1];
        if (last) {
          last.insertAdjacentElement("afterend", wrap);
        } else if (template) {
          template.insertAdjacentElement("beforebegin", wrap);
        }
      }
    });
  }

  /* Saved rows keep the lowest form indices (0..INITIAL_FORMS-1), new rows follow, each in page
     order: Django's inlines.js renumbers every row by page order after removing a new one,
     which would give a new row placed between saved ones a saved row's index. */
  function reindex(group) {
    var prefix = prefixOf(group);
    var rows = blocks(group);
    var saved = rows.filter(function (row) { return row.classList.contains("has_original"); });
    var fresh = rows.filter(function (row) { return !row.classList.contains("has_original"); });
    var pattern = new RegExp("(" + prefix + "-)(\\d+)(?=-|$|_)", "g");
    saved.concat(fresh).forEach(function (row, index) {
      var replace = function (value) { return value.replace(pattern, "$1" + index); };
      row.id = prefix + "-" + index;
      row.querySelectorAll("*").forEach(function (element) {
        ["id", "name", "for", "aria-controls", "aria-describedby", "aria-labelledby"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && value.indexOf(prefix + "-") >= 0) { element.setAttribute(attribute, replace(value)); }
        });
      });
    });
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (total) { total.value = String(rows.length); }
  }

  function insertAt(group, place) {
    var add = group.querySelector(".add-row a, .add-row button");
    if (!add) { return; }
    add.click(); // Django's "add another": clones the empty form, counts TOTAL_FORMS up
    var rows = blocks(group);
    var created = rows[rows.length - 1];
    var before = rows[place - 1];
    if (before && before !== created) { before.insertAdjacentElement("beforebegin", created); }
    refresh(group);
    var first = created.querySelector(".block__body input:not([type=hidden]), .block__body textarea, .block__body select");
    if (first) { first.focus(); }
    announce(group, text(group, "inserted", { noun: text(group, "noun"), to: numberOf(group, created) }));
  }

  function move(group, row, step, control) {
    var rows = blocks(group);
    var from = rows.indexOf(row);
    var to = from + step;
    var noun = text(group, "noun");
    if (to < 0 || to >= rows.length) {
      announce(group, text(group, step < 0 ? "at-top" : "at-bottom", { noun: noun, from: from + 1 }));
      return;
    }
    if (step < 0) {
      rows[to].insertAdjacentElement("beforebegin", row);
    } else {
      rows[to].insertAdjacentElement("afterend", row);
    }
    refresh(group);
    control.focus(); // moving the block took the focus away from its button
    announce(group, text(group, step < 0 ? "moved-up" : "moved-down", { noun: noun, from: from + 1, to: to + 1 }));
  }

  function toggle(control) {
    var row = control.closest(".block");
    var open = control.getAttribute("aria-expanded") !== "true";
    control.setAttribute("aria-expanded", open ? "true" : "false");
    row.classList.toggle("block--collapsed", !open);
  }

  /* After a failed save the page lists rows by form index; the posted positions say where
     the editor had put them. */
  function restoreOrder(group) {
    var rows = blocks(group);
    var positioned = rows.map(function (row, index) {
      var input = row.querySelector("input._reorder_");
      var value = input ? parseInt(input.value, 10) : 0;
      return { row: row, index: index, position: value > 0 ? value : Infinity };
    });
    positioned.sort(function (a, b) { return a.position - b.position || a.index - b.index; });
    var anchor = rows[0];
    if (!anchor) { return; }
    var marker = document.createComment("blocks");
    anchor.parentNode.insertBefore(marker, anchor);
    positioned.forEach(function (entry) { marker.parentNode.insertBefore(entry.row, marker); });
    marker.remove();
  }

  function setUp(group) {
    restoreOrder(group);
    refresh(group);
    group.addEventListener("click", function (event) {
      var control = event.target.closest("button");
      if (!control || !group.contains(control)) { return; }
      var row = control.closest(".block");
      if (control.classList.contains("block-insert__button")) {
        insertAt(group, parseInt(control.getAttribute("data-blocks-at"), 10));
      } else if (control.classList.contains("block-toggle")) {
        toggle(control);
      } else if (control.classList.contains("block-up")) {
        move(group, row, -1, control);
      } else if (control.classList.contains("block-down")) {
        move(group, row, 1, control);
      }
    });
    // adminsortable2 numbers only saved rows after a drag (its own onEnd runs after this
    // event); number every block once it has.
    group.addEventListener("end", function () { window.setTimeout(function () { refresh(group); }, 0); });
  }

  document.addEventListener("formset:added", function (event) {
    var group = event.target.closest("[data-blocks]");
    if (group) { refresh(group); }
  });
  document.addEventListener("formset:removed", function (event) {
    var prefix = event.detail && event.detail.formsetName;
    var group = prefix && document.querySelector('[data-blocks="' + prefix + '"]');
    if (!group) { return; }
    // Django renumbers the rows right after sending this event.
    window.setTimeout(function () {
      reindex(group);
      refresh(group);
      var next = group.querySelector(".block-insert__button");
      if (next) { next.focus(); }
    }, 0);
  });

  function start() { document.querySelectorAll("[data-blocks]").forEach(setUp); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

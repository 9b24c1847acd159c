"""A diff of two documents (explainers/core/diffing.py) as plain-text lines for the command
line (`import_explainer --dry-run --replace`): fields changed, questions added, removed,
changed or moved, sources. Changed text shows each change with a few words around it,
deletions as ``[-…-]`` and insertions as ``{+…+}`` (as ``wdiff`` writes them). Pure: no Django.
"""

from __future__ import annotations

import re
from typing import Any

from explainers.core.diffing import DELETE, EQUAL
from explainers.core.translation import gettext as _

CONTEXT_WORDS = 6  # unchanged words shown on each side of a change
MAX_EXCERPTS = 5  # changes shown per text; the rest are counted
MAX_CHANGED_CHARS = 300  # of one deletion or insertion
_WORD_START_RE = re.compile(r"(?<!\S)\S")
_WORD_END_RE = re.compile(r"\S(?!\S)")


def field_labels() -> dict[str, str]:
    return {
        "headline": _("Überschrift"),
        "slug": _("Kurzname"),
        "kicker": _("Dachzeile"),
        "teaser": _("Teaser"),
        "intro": _("Einleitung"),
        "language": _("Sprache"),
        "image": _("Aufmacherbild"),
        "related": _("Empfehlungen der Redaktion"),
    }


def diff_lines(diff: dict[str, Any]) -> list[str]:
    """One line per change (indented lines below it show how); one line if there is none."""
    if diff["is_empty"]:
        return [_("Keine Änderungen gegenüber dem Arbeitsstand.")]
    lines: list[str] = []
    for entry in diff["fields"]:
        lines += _field_lines(entry)
    for entry in diff["questions"]:
        lines += _question_lines(entry)
    lines += _source_lines(diff["sources"])
    return lines


def excerpts(ops: list[list[str]]) -> list[str]:
    """Each change of word ops (diffing.word_ops) with up to CONTEXT_WORDS words around it;
    changes closer together than that share one excerpt."""
    runs: list[tuple[int, int]] = []  # [start, end) of ops, beginning and ending in a change
    for index, (op, _text) in enumerate(ops):
        if op == EQUAL:
            continue
        gap = ops[index - 1][1] if index > 0 else ""
        if runs and (runs[-1][1] == index or len(gap.split()) <= 2 * CONTEXT_WORDS):
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    shown = []
    for start, end in runs[:MAX_EXCERPTS]:
        before = _one_line(ops[start - 1][1], keep_edges=True) if start > 0 else ""
        after = _one_line(ops[end][1], keep_edges=True) if end < len(ops) else ""
        words_before = [m.start() for m in _WORD_START_RE.finditer(before)]
        words_after = [m.end() for m in _WORD_END_RE.finditer(after)]
        if len(words_before) > CONTEXT_WORDS:
            before = "…" + before[words_before[-CONTEXT_WORDS] :]
        if len(words_after) > CONTEXT_WORDS:
            after = after[: words_after[CONTEXT_WORDS - 1]] + "…"
        change = "".join(_marked(op, text) for op, text in ops[start:end])
        shown.append(f"{before}{change}{after}".strip())
    if len(runs) > MAX_EXCERPTS:
        shown.append(_("… und %(n)s weitere Änderungen") % {"n": len(runs) - MAX_EXCERPTS})
    return shown


def _field_lines(entry: dict[str, Any]) -> list[str]:
    label = field_labels().get(entry["field"], entry["field"])
    if entry["ops"] is not None:
        return [_("%(field)s geändert:") % {"field": label}] + _indented(excerpts(entry["ops"]))
    if entry["field"] == "image":
        change = {
            "added": _("hinzugefügt"),
            "removed": _("entfernt"),
            "replaced": _("durch ein anderes Bild ersetzt"),
            "edited": _("Angaben geändert"),
        }[entry["image_change"]]
        return [f"{label}: {change}"]
    if entry["field"] == "related":
        return [f"{label}: {_items(entry['items_added'], entry['items_removed'])}"]
    return [
        _("%(field)s geändert: „%(old)s“ → „%(new)s“")
        % {"field": label, "old": entry["old"], "new": entry["new"]}
    ]


def _question_lines(entry: dict[str, Any]) -> list[str]:
    names = {"question": _one_line(entry["question"])}
    status = entry["status"]
    if status == "added":
        return [_("Frage neu: „%(question)s“") % names]
    if status == "removed":
        return [_("Frage entfernt: „%(question)s“") % names]
    lines = []
    if status == "changed":
        lines.append(_("Frage geändert: „%(question)s“") % names)
        if entry["reworded"]:
            lines.append(
                "    "
                + _("Wortlaut: „%(old)s“ → „%(new)s“")
                % {"old": _one_line(entry["old_question"]), "new": names["question"]}
            )
        if entry["anchor_changed"]:
            lines.append(
                "    "
                + _("Sprungmarke: #%(old)s → #%(new)s")
                % {"old": entry["old_anchor"], "new": entry["anchor"]}
            )
        if entry["answer_changed"]:
            lines.append("    " + _("Antwort:"))
            lines += _indented(excerpts(entry["answer_ops"]), 2)
        if entry["cites_added"] or entry["cites_removed"]:
            lines.append(
                "    "
                + _("Belegt durch: %(change)s")
                % {"change": _items(entry["cites_added"], entry["cites_removed"])}
            )
    if entry["moved"]:
        lines.append(
            _("Frage verschoben: „%(question)s“ (von Platz %(old)s auf %(new)s)")
            % {**names, "old": entry["old_position"], "new": entry["new_position"]}
        )
    return lines


def _source_lines(sources: dict[str, Any]) -> list[str]:
    lines = [_("Quelle neu: %(source)s") % {"source": _source(s)} for s in sources["added"]]
    lines += [_("Quelle entfernt: %(source)s") % {"source": _source(s)} for s in sources["removed"]]
    for change in sources["changed"]:
        lines.append(_("Quelle geändert: %(source)s") % {"source": _source(change["new"])})
        lines += [
            f"    {item['field']}: „{item['old'] or ''}“ → „{item['new'] or ''}“"
            for item in change["changes"]
        ]
    if sources["reordered"]:
        lines.append(_("Reihenfolge der Quellen geändert"))
    return lines


def _source(source: dict[str, Any]) -> str:
    name = ": ".join(filter(None, [source["publisher"], source["label"]]))
    return f"{name} [{source['key']}]"


def _items(added: list[str], removed: list[str]) -> str:
    return ", ".join([f"+{item}" for item in added] + [f"−{item}" for item in removed])


def _marked(op: str, text: str) -> str:
    text = _one_line(text, keep_edges=True)
    if op == EQUAL:
        return text
    if len(text) > MAX_CHANGED_CHARS:
        text = text[:MAX_CHANGED_CHARS] + "…"
    return ("[-{}-]" if op == DELETE else "{{+{}+}}").format(text)


def _one_line(text: str, *, keep_edges: bool = False) -> str:
    """Paragraph breaks as " ¶ ", other line breaks as spaces."""
    flat = text.replace("\n\n", " ¶ ").replace("\n", " ")
    return flat if keep_edges else " ".join(flat.split())


def _indented(lines: list[str], depth: int = 1) -> list[str]:
    return ["    " * depth + line for line in lines]

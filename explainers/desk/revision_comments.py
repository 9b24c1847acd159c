"""What a save changed, in the desk's words: the automatic revision comment.

A revision holds the whole versioned state of an explainer: the document, plus what the
document leaves out but the history keeps (byline, review date, each question's validity
and hand-set extra sources). The comment is computed from the structural diff of two such
states, never from which form fields the browser reported as changed, so an untouched
save is recognised as one and a real save is credited only with what it changed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Revision

from explainers.core.diffing import diff_documents
from explainers.core.documents import lf_line_endings
from explainers.domain.builders import (
    document_from_related_rows,
    document_from_revision_rows,
    revision_rows,
)
from explainers.models import Explainer, Question

# Versioned fields outside the document (ready_for_review is workflow, not history). The
# image texts are in the document only while there is an image; the history keeps them always.
DESK_FIELDS = ("byline", "review_by", "image_alt", "image_caption", "image_credit")
QUESTION_DESK_FIELDS = ("valid_until", "valid_until_note", "extra_cites")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return lf_line_endings(str(value))


def working_state(explainer: Explainer) -> dict[str, Any]:
    """The working copy's versioned state, as the next revision would hold it, from the
    rows the explainer's related managers give (the admin reads them once for the whole
    save: explainers/domain/revisions.py, rows_read_once)."""
    return {
        "document": document_from_related_rows(explainer),
        "desk": {name: _text(getattr(explainer, name)) for name in DESK_FIELDS},
        "questions": {
            question.key: {name: _text(getattr(question, name)) for name in QUESTION_DESK_FIELDS}
            for question in explainer.questions.all()
        },
    }


def revision_state(revision: Revision) -> dict[str, Any]:
    """A stored revision's versioned state, in the same shape as `working_state`."""
    rows = revision_rows(revision)
    explainer = rows[Explainer][0] if rows[Explainer] else {}
    return {
        "document": document_from_revision_rows(rows),
        "desk": {name: _text(explainer.get(name)) for name in DESK_FIELDS},
        "questions": {
            row.get("key", ""): {name: _text(row.get(name)) for name in QUESTION_DESK_FIELDS}
            for row in rows[Question]
        },
    }


def _title(question: str) -> str:
    # Whole, never cut: a legal redaction must find its passage in the comment too.
    return " ".join((question or "").split())


# The fields as a comment names them; lazy, so a save translates only the names it uses.
FIELD_NAMES = {
    "headline": gettext_lazy("Überschrift"),
    "kicker": gettext_lazy("Dachzeile"),
    "teaser": gettext_lazy("Teaser"),
    "intro": gettext_lazy("Einleitung"),
    "slug": gettext_lazy("Kurzname"),
    "language": gettext_lazy("Sprache"),
    "image": gettext_lazy("Aufmacherbild"),
    "related": gettext_lazy("Empfehlungen der Redaktion"),
    "byline": gettext_lazy("Autorinnen und Autoren"),
    "review_by": gettext_lazy("Prüfdatum"),
    "image_alt": gettext_lazy("Aufmacherbild"),
    "image_caption": gettext_lazy("Aufmacherbild"),
    "image_credit": gettext_lazy("Aufmacherbild"),
}


def describe_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """One short sentence per change from state `old` to state `new`; empty if none."""
    if old is None:
        return [_("Angelegt")]
    diff = diff_documents(old["document"], new["document"])
    lines = [
        _("%(field)s geändert") % {"field": FIELD_NAMES.get(e["field"], e["field"])}
        for e in diff["fields"]
    ]
    lines += [
        _("%(field)s geändert") % {"field": FIELD_NAMES[name]}
        for name in DESK_FIELDS
        if old["desk"].get(name, "") != new["desk"].get(name, "")
    ]
    moved = False
    for entry in diff["questions"]:
        title = _title(entry["question"])
        moved = moved or entry["moved"]
        if entry["status"] == "added":
            lines.append(_("Frage „%(q)s“ hinzugefügt") % {"q": title})
        elif entry["status"] == "removed":
            lines.append(_("Frage „%(q)s“ entfernt") % {"q": title})
        elif entry["status"] == "changed":
            if entry["reworded"]:
                lines.append(
                    _("Frage „%(old)s“ umformuliert zu „%(q)s“")
                    % {"old": _title(entry["old_question"]), "q": title}
                )
            if entry["answer_changed"]:
                lines.append(_("Antwort auf „%(q)s“ geändert") % {"q": title})
            if entry["anchor_changed"]:
                lines.append(_("Sprungmarke von „%(q)s“ geändert") % {"q": title})
            if entry["cites_added"] or entry["cites_removed"]:
                lines.append(_("Belege von „%(q)s“ geändert") % {"q": title})
        if entry["status"] != "removed":
            before = old["questions"].get(entry["key"])
            after = new["questions"].get(entry["key"], {})
            if before is not None and before != after:
                lines.append(
                    _("Gültigkeit oder weitere Quellen von „%(q)s“ geändert") % {"q": title}
                )
    if moved:
        lines.append(_("Reihenfolge der Fragen geändert"))
    sources = diff["sources"]
    lines += [_("Quelle „%(key)s“ hinzugefügt") % {"key": s["key"]} for s in sources["added"]]
    lines += [_("Quelle „%(key)s“ entfernt") % {"key": s["key"]} for s in sources["removed"]]
    lines += [_("Quelle „%(key)s“ geändert") % {"key": s["key"]} for s in sources["changed"]]
    if sources["reordered"]:
        lines.append(_("Reihenfolge der Quellen geändert"))
    return list(dict.fromkeys(lines))


def revision_comment(lines: list[str], editor_comment: str = "") -> str:
    """The editor's own words first, then what the save changed."""
    automatic = ". ".join(lines) + "." if lines else ""
    editor_comment = " ".join((editor_comment or "").split())
    if editor_comment and automatic:
        return f"{editor_comment} – {automatic}"
    return editor_comment or automatic

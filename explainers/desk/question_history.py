"""One question through time: when it was added, when its text changed (by revision and
by publication), and bringing back its text and citations from any revision — also for
a question deleted since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reversion
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reversion.models import Revision

from explainers.core.documents import unique_slug
from explainers.core.identifiers import check_document, is_valid_anchor, repaired_name
from explainers.core.passages import REDACTED
from explainers.domain.builders import (
    document_from_explainer,
    document_from_revision,
    kept_fields,
    revision_rows,
    write_document,
)
from explainers.domain.revisions import RevertRefused, record_revision, revision_label, revisions_of
from explainers.models import Explainer, Question, RelatedLink


@dataclass
class QuestionEvent:
    revision: Revision
    kind: str  # "added", "changed", "deleted"
    question: str
    answer: str


@dataclass
class QuestionHistory:
    key: str
    question: str
    events: list[QuestionEvent] = field(default_factory=list)
    publications: list[dict[str, Any]] = field(default_factory=list)
    exists: bool = True


def _questions_by_key(revision: Revision) -> dict[str, dict]:
    return {row["key"]: row for row in revision_rows(revision)[Question] if row.get("key")}


def question_histories(explainer: Explainer, *, limit: int = 200) -> list[QuestionHistory]:
    """Every question seen in the last `limit` revisions, current ones first, each with the
    revisions in which it was added, changed or deleted (newest first)."""
    revisions = list(revisions_of(explainer).select_related("user")[:limit])[::-1]
    histories: dict[str, QuestionHistory] = {}
    previous: dict[str, dict] = {}
    for revision in revisions:
        current = _questions_by_key(revision)
        for key, row in current.items():
            history = histories.setdefault(key, QuestionHistory(key, row.get("question", "")))
            history.question = row.get("question", "")
            before = previous.get(key)
            if before is None:
                kind = "added"
            elif (before.get("question"), before.get("answer")) != (
                row.get("question"),
                row.get("answer"),
            ):
                kind = "changed"
            else:
                continue
            history.events.append(
                QuestionEvent(revision, kind, row.get("question", ""), row.get("answer", ""))
            )
        for key in previous.keys() - current.keys():
            row = previous[key]
            histories[key].events.append(
                QuestionEvent(revision, "deleted", row.get("question", ""), row.get("answer", ""))
            )
        previous = current
    live = set(Question.objects.filter(explainer=explainer).values_list("key", flat=True))
    for publication in explainer.publications.order_by("number").only(
        "number", "published_at", "question_changes"
    ):
        for key, change in publication.question_changes.items():
            if key in histories and change.get("number") == publication.number:
                histories[key].publications.append(
                    {
                        "number": publication.number,
                        "published_at": publication.published_at,
                        "status": change.get("status"),
                    }  # fmt: skip
                )
    for key, history in histories.items():
        history.exists = key in live
        history.events.reverse()
    return sorted(histories.values(), key=lambda h: (not h.exists, h.question.lower()))


def restore_question(explainer: Explainer, revision: Revision, key: str, *, user=None) -> Question:
    """Bring back the question's text and citations as they were in `revision`, as a new
    revision. A deleted question returns at its old relative position; a source it cited
    that is gone returns too; an anchor taken meanwhile gets a suffix. The working copy is
    written back as a document, as import and revert write it."""
    rows = revision_rows(revision)
    old = next((row for row in rows[Question] if row.get("key") == key), None)
    if old is None:
        raise RevertRefused(_("Diese Frage gibt es in dieser Revision nicht."))
    old_document = document_from_revision(revision)
    old_question = next(q for q in old_document["questions"] if q["key"] == key)
    notes = []
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
        document = document_from_explainer(locked)
        kept = kept_fields(locked)
        source_keys = {source["key"] for source in document["sources"]}
        for source in old_document["sources"]:
            if source["key"] in old_question["cites"] and source["key"] not in source_keys:
                document["sources"].append(source)
                notes.append(_("Quelle „%(label)s“ wiederhergestellt") % {"label": source["label"]})
        questions = document["questions"]
        index = next((i for i, q in enumerate(questions) if q["key"] == key), None)
        deleted = index is None
        if deleted:
            index = _old_place(questions, old, rows[Question])
            anchor = _free_anchor(old, {q["anchor"] for q in questions})
            questions.insert(index, {"key": key, "anchor": anchor})
        questions[index] = {
            **questions[index],
            "question": old.get("question", ""),
            "answer": old.get("answer", ""),
            "cites": old_question["cites"],
        }
        kept.questions[key] = {
            **kept.questions.get(key, {}),
            "extra_cites": old.get("extra_cites", ""),
        }
        related = dict(
            RelatedLink.objects.filter(explainer=locked)
            .order_by("position", "pk")
            .values_list("target__slug", "target_id")
        )
        written = write_document(locked, document, related, kept=kept)
        when = date_format(timezone.localtime(revision.date_created), "DATETIME_FORMAT")
        comment = (
            _("Gelöschte Frage „%(q)s“ aus Revision %(id)s (%(when)s) wiederhergestellt")
            if deleted
            else _("Frage „%(q)s“ auf Revision %(id)s (%(when)s) zurückgesetzt")
        ) % {"q": questions[index]["question"], "id": revision_label(revision), "when": when}
        record_revision(locked, user=user, comment="; ".join([comment, *notes]), document=written)
        check_document(written, refused=RevertRefused)
    return Question.objects.get(explainer=locked, key=key)


def _old_place(questions: list[dict], old: dict, old_questions: list[dict]) -> int:
    """Where a deleted question returns: right after the nearest earlier question still
    here (its index in `questions`)."""
    earlier = sorted(
        (row for row in old_questions if row.get("position", 0) < old.get("position", 0)),
        key=lambda row: row.get("position", 0),
    )
    index = {q["key"]: i for i, q in enumerate(questions)}
    after = next((index[row["key"]] for row in reversed(earlier) if row["key"] in index), None)
    return after + 1 if after is not None else 0


def _free_anchor(old: dict, taken: set[str]) -> str:
    anchor = old.get("anchor") or key_anchor(old)
    if is_valid_anchor(anchor):
        return unique_slug(anchor, taken)
    return repaired_name(anchor, taken, REDACTED)  # broken by an earlier redaction


def key_anchor(old: dict) -> str:
    return old.get("key", "frage")

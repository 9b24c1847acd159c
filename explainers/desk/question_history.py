"""One question through time: when it was added, when its text changed (by revision and
by publication), each answer whole and marked against the revision before, and bringing
back its text and citations from any revision — also for a question deleted since. A
restore can be previewed: `restore_preview` gives the working copy and what the restore
would make of it, without writing anything.
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

from explainers.core.diffing import DELETE, EQUAL, INSERT, word_ops
from explainers.core.documents import unique_slug
from explainers.core.identifiers import check_document, is_valid_anchor, repaired_name
from explainers.core.passages import REDACTED
from explainers.domain.builders import (
    KeptFields,
    document_from_explainer,
    document_from_revision_rows,
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
    # The whole answer as word ops against the revision before (all inserted when added,
    # all deleted when deleted); the question's wording likewise when it was reworded.
    answer_ops: list[list[str]] = field(default_factory=list)
    question_ops: list[list[str]] | None = None
    current: bool = False  # question and answer equal the working copy's: nothing to restore


@dataclass
class QuestionHistory:
    key: str
    question: str
    events: list[QuestionEvent] = field(default_factory=list)
    publications: list[dict[str, Any]] = field(default_factory=list)
    exists: bool = True
    position: int = 0  # its number in the working copy (1, 2, …), or where it last stood


def _questions_by_key(revision: Revision) -> dict[str, dict]:
    return {row["key"]: row for row in revision_rows(revision)[Question] if row.get("key")}


def _event(revision: Revision, kind: str, row: dict, before: dict | None) -> QuestionEvent:
    question, answer = row.get("question", ""), row.get("answer", "")
    event = QuestionEvent(revision, kind, question, answer)
    if kind == "added":
        event.answer_ops = [[INSERT, answer]] if answer else []
    elif kind == "deleted":
        event.answer_ops = [[DELETE, answer]] if answer else []
    else:
        old_answer = before.get("answer", "")
        event.answer_ops = (
            word_ops(old_answer, answer) if old_answer != answer else [[EQUAL, answer]]
        )
        if before.get("question", "") != question:
            event.question_ops = word_ops(before.get("question", ""), question)
    return event


def question_histories(explainer: Explainer, *, limit: int = 200) -> list[QuestionHistory]:
    """Every question seen in the last `limit` revisions in article order (the working
    copy's), questions deleted since after them (where they last stood), each with the
    revisions in which it was added, changed or deleted (newest first)."""
    revisions = list(revisions_of(explainer).select_related("user")[:limit])[::-1]
    histories: dict[str, QuestionHistory] = {}
    previous: dict[str, dict] = {}
    for revision in revisions:
        current = _questions_by_key(revision)
        for key, row in current.items():
            history = histories.setdefault(key, QuestionHistory(key, row.get("question", "")))
            history.question = row.get("question", "")
            history.position = row.get("position", 0)
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
            history.events.append(_event(revision, kind, row, before))
        for key in previous.keys() - current.keys():
            histories[key].events.append(_event(revision, "deleted", previous[key], None))
        previous = current
    live = {
        key: (number, question, answer)
        for number, (key, question, answer) in enumerate(
            Question.objects.filter(explainer=explainer)
            .order_by("position", "pk")
            .values_list("key", "question", "answer"),
            start=1,
        )
    }
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
        if history.exists:
            position, question, answer = live[key]
            history.position, history.question = position, question
            for event in history.events:
                event.current = event.kind != "deleted" and (event.question, event.answer) == (
                    question,
                    answer,
                )
        history.events.reverse()
    return sorted(histories.values(), key=lambda h: (not h.exists, h.position, h.key))


@dataclass
class _Restored:
    document: dict[str, Any]
    kept: KeptFields
    question: dict[str, Any]
    deleted: bool
    notes: list[str]


def _restored(locked: Explainer, rows: dict, key: str) -> _Restored:
    """The working copy as a document with the question `key` as `rows` (a revision's)
    hold it, and the fields kept beside it; nothing is written."""
    old = next((row for row in rows[Question] if row.get("key") == key), None)
    if old is None:
        raise RevertRefused(_("Diese Frage gibt es in dieser Revision nicht."))
    old_document = document_from_revision_rows(rows)
    old_question = next(q for q in old_document["questions"] if q["key"] == key)
    notes = []
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
    kept.questions[key] = {**kept.questions.get(key, {}), "extra_cites": old.get("extra_cites", "")}
    return _Restored(document, kept, questions[index], deleted, notes)


def restore_preview(explainer: Explainer, revision: Revision, key: str) -> tuple[dict, dict]:
    """The working copy's document and the document restoring `key` from `revision` would
    write, for showing the difference before anything changes."""
    restored = _restored(explainer, revision_rows(revision), key)
    return document_from_explainer(explainer), restored.document


def restore_question(explainer: Explainer, revision: Revision, key: str, *, user=None) -> Question:
    """Bring back the question's text and citations as they were in `revision`, as a new
    revision. A deleted question returns at its old relative position; a source it cited
    that is gone returns too; an anchor taken meanwhile gets a suffix. The working copy is
    written back as a document, as import and revert write it. Restoring what the working
    copy already holds is refused: it would record a revision that changes nothing."""
    rows = revision_rows(revision)
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
        restored = _restored(locked, rows, key)
        extra_cites = kept_fields(locked).questions.get(key, {}).get("extra_cites")
        if (
            restored.document == document_from_explainer(locked)
            and restored.kept.questions[key]["extra_cites"] == extra_cites
        ):
            raise RevertRefused(
                _("Diese Frage steht schon so im Arbeitsstand – nichts wiederhergestellt.")
            )
        related = dict(
            RelatedLink.objects.filter(explainer=locked)
            .order_by("position", "pk")
            .values_list("target__slug", "target_id")
        )
        written = write_document(locked, restored.document, related, kept=restored.kept)
        when = date_format(timezone.localtime(revision.date_created), "DATETIME_FORMAT")
        comment = (
            _("Gelöschte Frage „%(q)s“ aus Revision %(id)s (%(when)s) wiederhergestellt")
            if restored.deleted
            else _("Frage „%(q)s“ auf Revision %(id)s (%(when)s) zurückgesetzt")
        ) % {"q": restored.question["question"], "id": revision_label(revision), "when": when}
        notes = restored.notes
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

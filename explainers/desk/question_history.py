"""One question through time: when it was added, when its text changed (by revision and
by publication), and bringing back its text and citations from any revision — also for
a question deleted since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reversion
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reversion.models import Revision

from explainers.core.documents import unique_slug
from explainers.core.identifiers import check_document, is_valid_anchor, repaired_name
from explainers.core.passages import REDACTED
from explainers.domain.builders import revision_rows
from explainers.domain.importing import source_row
from explainers.domain.revisions import RevertRefused, record_revision, revision_label, revisions_of
from explainers.models import Citation, Explainer, Question, Source


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
    that is gone returns too; an anchor taken meanwhile gets a suffix."""
    rows = revision_rows(revision)
    old = next((row for row in rows[Question] if row.get("key") == key), None)
    if old is None:
        raise RevertRefused(_("Diese Frage gibt es in dieser Revision nicht."))
    old_sources = {row["id"]: row for row in rows[Source]}
    cited = [old_sources[c["source"]] for c in rows[Citation] if c.get("question") == old["id"]
             and c.get("source") in old_sources]  # fmt: skip
    notes = []
    with transaction.atomic(), reversion.create_revision():
        locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
        for source in cited:
            if not Source.objects.filter(explainer=locked, key=source["key"]).exists():
                _restore_source(locked, source)
                notes.append(_("Quelle „%(label)s“ wiederhergestellt") % {"label": source["label"]})
        question = Question.objects.filter(explainer=locked, key=key).first()
        deleted = question is None
        if deleted:
            question = _reinsert(locked, old, rows[Question])
        question.question, question.answer = old.get("question", ""), old.get("answer", "")
        question.extra_cites = old.get("extra_cites", "")
        question.save()
        when = date_format(timezone.localtime(revision.date_created), "DATETIME_FORMAT")
        comment = (
            _("Gelöschte Frage „%(q)s“ aus Revision %(id)s (%(when)s) wiederhergestellt")
            if deleted
            else _("Frage „%(q)s“ auf Revision %(id)s (%(when)s) zurückgesetzt")
        ) % {"q": question.question, "id": revision_label(revision), "when": when}
        document = record_revision(locked, user=user, comment="; ".join([comment, *notes]))
        check_document(document, refused=RevertRefused)
    return question


def _restore_source(explainer: Explainer, row: dict) -> None:
    last = Source.objects.filter(explainer=explainer).order_by("-position").first()
    source_row(explainer, (last.position if last else 0) + 1, row).save()


def _reinsert(explainer: Explainer, old: dict, old_questions: list[dict]) -> Question:
    """At its old relative position: right after the nearest earlier question still here."""
    live = {q.key: q for q in Question.objects.filter(explainer=explainer)}
    earlier = sorted(
        (row for row in old_questions if row.get("position", 0) < old.get("position", 0)),
        key=lambda row: row.get("position", 0),
    )
    after = next((live[row["key"]] for row in reversed(earlier) if row["key"] in live), None)
    position = after.position + 1 if after else 1
    rows = Question.objects.filter(explainer=explainer, position__gte=position)
    rows.update(position=F("position") + 1_000_000)  # park, then shift: no swap collides
    Question.objects.filter(explainer=explainer, position__gte=1_000_000).update(
        position=F("position") - 1_000_000 + 1
    )
    taken = {q.anchor for q in live.values()}
    anchor = old.get("anchor") or key_anchor(old)
    if is_valid_anchor(anchor):
        anchor = unique_slug(anchor, taken)
    else:  # broken by an earlier redaction: a fresh valid one
        anchor = repaired_name(anchor, taken, REDACTED)
    return Question(explainer=explainer, position=position, key=old["key"], anchor=anchor)


def key_anchor(old: dict) -> str:
    return old.get("key", "frage")

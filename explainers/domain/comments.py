"""Comments on an explainer's questions, or on the whole piece, between writers and desk.
They belong to the working copy and never reach readers; a question commented on and then
changed says so."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from explainers.domain.redaction_guard import holds_redacted
from explainers.models import Comment, Explainer, Question, stored_now


class CommentRefused(Exception):
    """Why the comment cannot be written or resolved (German, for the desk)."""


@dataclass(frozen=True)
class ShownComment:
    comment: Comment
    question: str  # the question's wording now; "" for the whole piece or a deleted question
    question_gone: bool
    changed_since: bool


def _digest(question: str, answer: str) -> str:
    return hashlib.sha256(f"{question}\n\n{answer}".encode()).hexdigest()


def add_comment(explainer: Explainer, *, user, text: str, question_key: str = "") -> Comment:
    text = (text or "").strip()
    if not text:
        raise CommentRefused(_("Bitte einen Kommentar schreiben."))
    if holds_redacted(explainer, text):
        raise CommentRefused(
            _(
                "Der Kommentar enthält eine Stelle, die aus rechtlichen Gründen geschwärzt "
                "wurde. Bitte entfernen."
            )
        )
    digest = ""
    if question_key:
        found = (
            Question.objects.filter(explainer=explainer, key=question_key)
            .values_list("question", "answer")
            .first()
        )
        if found is None:
            raise CommentRefused(_("Diese Frage gibt es im Arbeitsstand nicht mehr."))
        digest = _digest(*found)
    comment = Comment(
        explainer=explainer,
        question_key=question_key,
        question_digest=digest,
        text=text,
        author=user,
    )
    comment.full_clean()
    comment.save()
    return comment


def resolve(comment: Comment, *, user) -> None:
    with transaction.atomic():
        done = Comment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
            resolved_at=stored_now(), resolved_by=user
        )
    if not done:
        raise CommentRefused(_("Dieser Kommentar ist schon erledigt."))


def open_comments(explainer: Explainer) -> list[ShownComment]:
    """The open comments, oldest first, each with its question as it reads now."""
    questions = {
        key: (question, answer)
        for key, question, answer in Question.objects.filter(explainer=explainer).values_list(
            "key", "question", "answer"
        )
    }
    shown = []
    for comment in explainer.comments.filter(resolved_at__isnull=True).select_related("author"):
        now = questions.get(comment.question_key) if comment.question_key else None
        shown.append(
            ShownComment(
                comment=comment,
                question=now[0] if now else "",
                question_gone=bool(comment.question_key) and now is None,
                changed_since=now is not None and _digest(*now) != comment.question_digest,
            )
        )
    return shown

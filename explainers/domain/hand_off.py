"""The hand-off between the writers and the desk: an explainer handed in for sign-off with a
message, and sent back with a comment. Each step is one transaction under the explainer's row
lock; publishing ends a hand-off (explainers/domain/publishing.py calls `close_on_publish`).
A change-form save never touches it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from explainers.domain.redaction_guard import holds_redacted
from explainers.domain.signals import desk_action
from explainers.models import Explainer, HandOff, Publication


class HandOffRefused(Exception):
    """Why this step of the hand-off cannot be taken now (German, for the desk)."""


def latest_hand_off(explainer: Explainer) -> HandOff | None:
    return explainer.hand_offs.select_related("by").first()


def open_steps(kind: str | None = None) -> QuerySet[HandOff]:
    """The hand-off steps still open, at most one per explainer (its latest): a hand-in not
    yet signed off, or a sending back with nothing published since."""
    latest = HandOff.objects.filter(explainer=OuterRef("explainer")).order_by("-at", "-pk")
    published_since = Publication.objects.filter(
        explainer=OuterRef("explainer"), published_at__gt=OuterRef("at")
    )
    steps = HandOff.objects.filter(pk=Subquery(latest.values("pk")[:1])).filter(
        Q(kind=HandOff.Kind.HANDED_IN, explainer__ready_for_review=True)
        | Q(~Exists(published_since), kind=HandOff.Kind.SENT_BACK)
    )
    return steps if kind is None else steps.filter(kind=kind)


def hand_in(explainer: Explainer, *, user, message: str = "") -> HandOff:
    """Hand the explainer in for sign-off, with a message to the desk."""
    with transaction.atomic():
        locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
        if locked.ready_for_review:
            raise HandOffRefused(_("Das Erklärstück liegt schon zur Abnahme vor."))
        step = _record(locked, HandOff.Kind.HANDED_IN, user, message, ready=True)
    explainer.ready_for_review = True
    desk_action("hand_in", explainer, user)
    return step


def send_back(explainer: Explainer, *, user, message: str) -> HandOff:
    """Send a handed-in explainer back to the writers, with the desk's comment."""
    if not message.strip():
        raise HandOffRefused(_("Bitte schreiben Sie, was noch fehlt."))
    with transaction.atomic():
        locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
        if not locked.ready_for_review:
            raise HandOffRefused(_("Das Erklärstück liegt nicht zur Abnahme vor."))
        step = _record(locked, HandOff.Kind.SENT_BACK, user, message, ready=False)
    explainer.ready_for_review = False
    desk_action("send_back", explainer, user)
    return step


def close_on_publish(explainer: Explainer) -> None:
    """Publishing signs the piece off: a hand-in still open is done. Called by publish()
    inside its transaction, holding the explainer's row lock."""
    if explainer.ready_for_review:
        Explainer.objects.filter(pk=explainer.pk).update(ready_for_review=False)
        explainer.ready_for_review = False


def _record(locked: Explainer, kind: str, user, message: str, *, ready: bool) -> HandOff:
    if holds_redacted(locked, message):
        raise HandOffRefused(
            _(
                "Die Nachricht enthält eine Stelle, die aus rechtlichen Gründen geschwärzt "
                "wurde. Bitte entfernen."
            )
        )
    step = HandOff(explainer=locked, kind=kind, by=user, message=message.strip())
    step.full_clean()
    step.save()
    # Workflow, not content: updated_at and the revisions stay as they are.
    Explainer.objects.filter(pk=locked.pk).update(ready_for_review=ready)
    return step

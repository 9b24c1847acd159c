"""Legal takedowns: withdrawing an explainer, and redacting a passage everywhere.

A redaction is the one sanctioned change to publications (the repair of broken slugs is
the other, explainers/domain/identifier_repair.py). It finds the passage the way a reader sees
it (explainers/core/passages.py) and reaches every place it is stored — publications
(documents, rendered answers, change summaries, notes, slugs), every stored revision, the
working copy (every text field, links, slug and anchors), schedules, hand-off messages,
the search index, the admin's log and the bake — so no revert, restore, export, feed or
history view can bring it back. A slug or anchor that carries the passage gets a fresh valid
name; the old public address answers 410. The record keeps who, when, why and where, never
the passage.
"""

from __future__ import annotations

from contextlib import suppress

from django.db import transaction
from django.utils.translation import gettext as _

from explainers.core.documents import NOTE_MAX
from explainers.core.passages import REDACTED, folded_passage, passage_spans
from explainers.domain import reader_changes, signals
from explainers.domain.publishing import PublishRefused, check_publisher
from explainers.domain.redacted_slugs import slug_digest
from explainers.domain.redaction_guard import fingerprint
from explainers.domain.redactor import Redactor, redaction_places
from explainers.domain.search import index_publication
from explainers.domain.signals import desk_action
from explainers.models import (
    CurrentPublication,
    Explainer,
    Publication,
    RedactedSlug,
    Redaction,
    SearchEntry,
    stored_now,
)

__all__ = ["REDACTED", "TakedownRefused", "redact", "redaction_places", "withdraw"]

MIN_PASSAGE_LENGTH = 3


class TakedownRefused(Exception):
    """A withdrawal or redaction that cannot be done; the message is for the desk."""


def withdraw(explainer: Explainer, *, note: str, user=None) -> CurrentPublication:
    """Take the explainer off the reader side: its pages answer 410 with `note`."""
    _check(user)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise TakedownRefused(
            _("Der Hinweis darf höchstens %(n)s Zeichen lang sein.") % {"n": NOTE_MAX}
        )
    if not note:
        raise TakedownRefused(_("Bitte einen Hinweis für Leser angeben."))
    with transaction.atomic():
        current = CurrentPublication.objects.select_for_update().filter(explainer=explainer).first()
        if current is None:
            raise TakedownRefused(_("Nur Veröffentlichtes kann zurückgezogen werden."))
        current.withdrawn_at, current.withdrawn_note, current.withdrawn_by = (
            stored_now(), note, user,
        )  # fmt: skip
        current.changed_at = reader_changes.next_moment()
        current.save(update_fields=["withdrawn_at", "withdrawn_note", "withdrawn_by", "changed_at"])
        SearchEntry.objects.filter(explainer=explainer).delete()
        signals.send(signals.explainer_withdrawn, explainer, current=current)
    desk_action("withdraw", explainer, user)
    return current


def redact(
    explainer: Explainer, *, passage: str, reason: str, user=None, linked: bool = True
) -> Redaction:
    """Replace `passage` with a visible marker wherever the explainer's text is stored;
    with `linked`, also in its original and translations that hold it (a translation starts
    as its original's text: explainers/domain/translations.py)."""
    _check(user)
    reason = (reason or "").strip()
    if len(folded_passage(passage)) < MIN_PASSAGE_LENGTH:
        raise TakedownRefused(
            _("Die Stelle muss mindestens %(n)s Zeichen lang sein.") % {"n": MIN_PASSAGE_LENGTH}
        )
    if not reason:
        raise TakedownRefused(_("Bitte die Begründung angeben (ohne die Stelle selbst)."))
    if passage_spans(reason, passage):
        raise TakedownRefused(_("Die Begründung darf die Stelle selbst nicht enthalten."))
    with transaction.atomic():
        locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
        redactor = Redactor(locked, passage)
        redactor.publications()
        redactor.revisions()
        redactor.schedules()
        redactor.hand_offs()
        redactor.comments()
        redactor.drafts()
        redactor.working_copy(reason, user)
        redactor.admin_log()
        if redactor.total == 0:
            raise TakedownRefused(_("Diese Stelle kommt im Erklärstück nicht vor."))
        redactor.referrers()
        # Rendered articles may hold the passage: they go with it, in this transaction.
        Publication.objects.filter(explainer_id__in={locked.pk, *redactor.referrer_ids}).update(
            article_bodies={}
        )
        current = CurrentPublication.objects.filter(explainer=locked).first()
        if current is not None and not current.is_withdrawn:
            index_publication(current.publication)
        else:
            SearchEntry.objects.filter(explainer=locked).delete()
        redaction = Redaction.objects.create(
            explainer=locked,
            redacted_by=user,
            reason=reason,
            replacements=redactor.total,
            places=redactor.places(),
            fingerprint=fingerprint(passage),
        )
        RedactedSlug.objects.bulk_create(
            [RedactedSlug(digest=slug_digest(old), redaction=redaction) for old in redactor.slugs],
            ignore_conflicts=True,
        )
        reader_changes.stamp({locked.pk, *redactor.referrer_ids})
        signals.send(
            signals.explainer_redacted,
            locked,
            redaction=redaction,
            removed_slugs=set(redactor.slugs),
            referrers=set(redactor.referrer_ids),
        )
        for other in Explainer.objects.language_family(locked) if linked else ():
            with suppress(TakedownRefused):  # refused where the passage is not
                redact(other, passage=passage, reason=reason, user=user, linked=False)
    explainer.refresh_from_db()  # the caller's copy, e.g. for the admin's log entry
    desk_action("redact", locked, user, replacements=redactor.total)  # never the passage itself
    return redaction


def _check(user) -> None:
    try:
        check_publisher(user)
    except PublishRefused as refusal:
        raise TakedownRefused(str(refusal)) from refusal

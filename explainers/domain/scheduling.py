"""Scheduled publication (embargo): plan a revision for later, publish what is due.

`publish_due` is safe to run from cron and from several processes at once: each
schedule is handled under a row lock, and one already handled is left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import reversion
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from explainers.core.identifiers import check_document
from explainers.domain import public_urls
from explainers.domain.publishing import (
    KINDS_NEEDING_NOTE,
    PublishRefused,
    check_publisher,
    publish,
)
from explainers.domain.redaction_guard import check_not_redacted
from explainers.domain.revisions import latest_revision, record_revision
from explainers.models import Explainer, Publication, ScheduledPublication, Translation

Status = ScheduledPublication.Status


def schedule(
    explainer: Explainer,
    *,
    publish_at: datetime.datetime,
    kind: str = Publication.Kind.UPDATE,
    note: str = "",
    internal_note: str = "",
    user=None,
) -> ScheduledPublication:
    """Freeze the working copy's revision (recording one if needed) for `publish_at`."""
    check_publisher(user)
    if publish_at <= timezone.now():
        raise PublishRefused(_("Der geplante Zeitpunkt muss in der Zukunft liegen."))
    published = explainer.publications.exists()
    if published and kind in KINDS_NEEDING_NOTE and not note.strip():
        raise PublishRefused(
            _("Für „%(kind)s“ ist ein Hinweis für Leser nötig.")
            % {"kind": Publication.Kind(kind).label}
        )
    with transaction.atomic():
        with reversion.create_revision():
            document = record_revision(
                explainer, user=user, comment=_("Für die Veröffentlichung geplant")
            )
        check_document(document, refused=PublishRefused)
        check_not_redacted(explainer, document, refused=PublishRefused)
        link = Translation.objects.filter(explainer=explainer).first()
        return ScheduledPublication.objects.create(
            explainer=explainer,
            revision=latest_revision(explainer),
            # a translation's frozen text corresponds to the original's version it does now
            source_publication_id=link.source_publication_id if link else None,
            publish_at=publish_at,
            kind=kind if published else Publication.Kind.FIRST,
            note=note.strip(),
            internal_note=internal_note.strip(),
            created_by=user,
        )


@dataclass
class Outcome:
    schedule: ScheduledPublication
    published: Publication | None
    reason: str

    def line(self) -> str:
        when = timezone.localtime(self.schedule.publish_at)
        head = _("%(slug)s (geplant für %(when)s)") % {
            "slug": self.schedule.explainer.slug,
            "when": date_format(when, "SHORT_DATETIME_FORMAT"),
        }
        if self.published is not None:
            published = _("%(head)s: veröffentlicht als v%(n)s") % {
                "head": head,
                "n": self.published.number,
            }
            # cron mails this line: the address readers now find it at (PUBLIC_BASE_URL)
            return f"{published} – {public_urls.absolute(self.published.get_absolute_url())}"
        return _("%(head)s: übersprungen – %(reason)s") % {"head": head, "reason": self.reason}


def publish_due(now: datetime.datetime | None = None) -> list[Outcome]:
    now = now or timezone.now()
    due = ScheduledPublication.objects.filter(status=Status.PENDING, publish_at__lte=now)
    return [
        outcome
        for pk in due.order_by("publish_at", "pk").values_list("pk", flat=True)
        if (outcome := _publish_one(pk, now)) is not None
    ]


def _publish_one(pk: int, now: datetime.datetime) -> Outcome | None:
    with transaction.atomic():
        scheduled = (
            ScheduledPublication.objects.select_for_update(of=("self",))
            .select_related("explainer", "created_by", "revision")
            .filter(pk=pk, status=Status.PENDING)
            .first()
        )
        if scheduled is None:
            return None  # another run handled it meanwhile
        reason = _stale_reason(scheduled)
        publication = None
        if not reason:
            try:
                with transaction.atomic():
                    publication = publish(
                        scheduled.explainer,
                        kind=scheduled.kind
                        if scheduled.explainer.publications.exists()
                        else Publication.Kind.FIRST,
                        note=scheduled.note,
                        internal_note=scheduled.internal_note,
                        user=scheduled.created_by,
                        revision=scheduled.revision,
                        translated_from=scheduled.source_publication_id,
                    )
            except PublishRefused as refusal:
                reason = str(refusal)
        scheduled.status = Status.PUBLISHED if publication else Status.SKIPPED
        scheduled.publication, scheduled.reason, scheduled.processed_at = publication, reason, now
        scheduled.save(update_fields=["status", "publication", "reason", "processed_at"])
        return Outcome(scheduled, publication, reason)


def _stale_reason(scheduled: ScheduledPublication) -> str:
    """A schedule older than a publication made since would put back older text."""
    latest = scheduled.explainer.latest_publication()
    if latest is not None and latest.revision_id and latest.revision_id > scheduled.revision_id:
        return _(
            "Seit der Planung wurde v%(n)s aus einer neueren Revision veröffentlicht; "
            "die geplante Fassung würde älteren Text zurückbringen."
        ) % {"n": latest.number}
    return ""

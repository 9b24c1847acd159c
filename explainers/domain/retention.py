"""Keeping revision history bounded: prune old intermediate revisions.

Never pruned: the latest N revisions of each explainer, any revision a publication was
made from, any revision a schedule will publish, and any revision an unsaved draft was
opened on (restoring the draft merges against it). Expired drafts go first. Publications
keep their own document anyway, so published history survives whatever is pruned.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from reversion.models import Revision

from explainers.domain import drafts
from explainers.domain.revisions import revisions_of
from explainers.models import Explainer, Publication, ScheduledPublication


@dataclass
class PruneReport:
    explainers: int = 0
    pruned: int = 0
    kept: int = 0
    drafts_expired: int = 0


def prune_revisions(
    *, keep_latest: int = 50, older_than_days: int | None = None, dry_run: bool = False
) -> PruneReport:
    if keep_latest < 1:
        raise ValueError("keep_latest must be at least 1")
    cutoff = (
        timezone.now() - datetime.timedelta(days=older_than_days)
        if older_than_days is not None
        else None
    )
    report = PruneReport()
    if not dry_run:
        report.drafts_expired = drafts.expire()
    protected = (
        drafts.base_revision_ids()
        | set(
            Publication.objects.filter(revision__isnull=False).values_list("revision_id", flat=True)
        )
        | set(ScheduledPublication.objects.values_list("revision_id", flat=True))
    )
    for explainer in Explainer.objects.only("pk"):
        report.explainers += 1
        rows = list(revisions_of(explainer).values_list("pk", "date_created"))
        keep = {pk for pk, _date in rows[:keep_latest]} | protected
        doomed = [
            pk for pk, created in rows if pk not in keep and (cutoff is None or created < cutoff)
        ]
        report.kept += len(rows) - len(doomed)
        report.pruned += len(doomed)
        if doomed and not dry_run:
            with transaction.atomic():
                Revision.objects.filter(pk__in=doomed).delete()
    return report

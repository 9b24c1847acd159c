"""When readers' pages last changed, for `Last-Modified`.

Every change readers may see (a publication, a withdrawal, a redaction, a repair) stamps
the explainers it touches with a moment in whole seconds – HTTP's resolution – that is
later than every earlier stamp on the site. So a page's `Last-Modified`, the newest
stamp among what it shows, moves with every change, even two in one second, and never
moves back: a withdrawal leaves the index and feeds at the moment of the withdrawal, not
at the newest remaining publication.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import Max

from explainers.models import CurrentPublication, stored_now

ONE_SECOND = datetime.timedelta(seconds=1)
ADVISORY_LOCK = 0x4E4557_5352_4F4F  # this lock's fixed id among advisory locks


def next_moment() -> datetime.datetime:
    """Now in whole seconds, or one second after the site's latest change if that is not
    earlier (several changes in one second). Call inside the changing transaction."""
    _serialize_changes()
    moment = stored_now().replace(microsecond=0)
    latest = site_changed_at()
    if latest is not None and moment <= latest:
        moment = latest + ONE_SECOND
    return moment


def _serialize_changes() -> None:
    """Changes to different explainers lock different rows; on PostgreSQL two of them
    could take the same moment, or commit in the other order than their moments. One
    lock held to the commit orders them (SQLite writes one transaction at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def stamp(explainer_ids: Iterable[int]) -> datetime.datetime:
    """Mark these explainers' pages as changed now (inside the changing transaction)."""
    moment = next_moment()
    CurrentPublication.objects.filter(explainer_id__in=list(explainer_ids)).update(
        changed_at=moment
    )
    return moment


def site_changed_at() -> datetime.datetime | None:
    """The latest change readers may see anywhere: the index's and the feed's moment.
    Withdrawn explainers count – their withdrawal changed the index."""
    return CurrentPublication.objects.aggregate(latest=Max("changed_at"))["latest"]


def latest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None

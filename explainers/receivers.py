"""What follows from a change readers may see (explainers/signals.py), after it commits:
workers drop the pages they hold, the bake folder is baked anew, caches in front ban
the changed pages. An edited legal page is banned as well. Connected in
ExplainersConfig.ready()."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import baking, purge, reader_signal
from .signals import (
    READER_SIGNALS,
    explainer_published,
    explainer_redacted,
    explainer_withdrawn,
    publications_repaired,
)


@receiver(READER_SIGNALS, dispatch_uid="explainers.drop_held_pages")
def drop_held_pages(**details) -> None:
    reader_signal.announce_change()


@receiver([explainer_published, explainer_withdrawn], dispatch_uid="explainers.rebake_explainer")
def rebake_explainer(explainer, **details) -> None:
    baking.after_commit(explainer)


@receiver(
    [explainer_redacted, publications_repaired], dispatch_uid="explainers.rebake_every_version"
)
def rebake_every_version(explainer, removed_slugs=frozenset(), **details) -> None:
    baking.after_commit(explainer, every_version=True, forget_slugs=removed_slugs)


@receiver(READER_SIGNALS, dispatch_uid="explainers.purge_caches")
def purge_caches(explainer, removed_slugs=frozenset(), referrers=frozenset(), **details) -> None:
    if settings.CACHE_PURGE_URLS:
        expressions = purge.changed_pages(
            explainer, removed_slugs=removed_slugs, referrers=referrers
        )
        purge.after_commit(expressions)


@receiver([post_save, post_delete], sender=FlatPage, dispatch_uid="explainers.purge_legal_page")
def purge_legal_page(instance, **details) -> None:
    """Impressum and Datenschutz, edited in the admin, are reader pages too."""
    purge.after_commit(["^" + re.escape(instance.url)])

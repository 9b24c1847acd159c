"""The reader side's part in a change readers may see (explainers/domain/signals.py),
after it commits: workers drop the pages they hold, and caches in front ban the changed
pages. An edited or deleted legal page is banned as well. Connected in
ExplainersConfig.ready(); the domain never imports this."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from explainers.domain.signals import READER_SIGNALS, explainer_published, explainer_redacted
from explainers.reader import article_bodies, purge, reader_signal


@receiver(READER_SIGNALS, dispatch_uid="explainers.drop_held_pages")
def drop_held_pages(**details) -> None:
    reader_signal.announce_change()


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


@receiver([explainer_published, explainer_redacted], dispatch_uid="explainers.render_article_body")
def render_article_body(explainer, signal=None, publication=None, **details) -> None:
    """A new or redacted publication's article is rendered once, after the commit, in the
    site's language; other languages and older versions are rendered when first asked for.
    A new publication is at hand as it was saved; after a redaction it is read again."""

    def render() -> None:
        if signal is explainer_published and publication is not None:
            article_bodies.render_stored(publication, settings.LANGUAGE_CODE)
        else:
            article_bodies.render_current(explainer.pk, settings.LANGUAGE_CODE)

    transaction.on_commit(render, robust=True)

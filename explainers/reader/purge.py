"""Telling the caches in front (Varnish, a CDN) what to drop, after a change commits.

Each endpoint in CACHE_PURGE_URLS gets `BAN` requests whose `X-Ban-Url` header is a
regular expression over URL paths (one, unless that would be too long for a header):
every page of the explainer under each slug it ever had (so query-string variants, both
languages, every `diff/A..B` pair and the question cards `frage/<key>/`), the pages
recommending it, its other language versions (explainers/reader/translations.py), the
index, the feeds, search, the sitemap and the oEmbed answers. The VCL shipped in
deploy/varnish/newsroom.vcl accepts them from the app's addresses only. A cache that
cannot be reached is logged; the change itself is stored, and caches catch up within
READER_CACHE_SECONDS.
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models.fields.json import KeyTransform
from django.urls import reverse

from explainers.models import Publication
from explainers.reader.translations import linked_explainers

logger = logging.getLogger(__name__)

HEADER = "X-Ban-Url"
MAX_EXPRESSION = 6_000  # characters; Varnish refuses request headers over 8 KB


def changed_pages(
    explainer, *, removed_slugs: Iterable[str] = (), referrers: Iterable[int] = ()
) -> list[str]:
    """The ban expressions for a change to `explainer`'s reader pages."""
    slugs = set(Publication.objects.filter(explainer=explainer).values_list("slug", flat=True))
    slugs.update(removed_slugs)
    referrer_ids = set(referrers) | linked_explainers(explainer.pk)  # language versions
    rows = (
        Publication.objects.exclude(explainer=explainer)
        .filter(document__related__isnull=False)
        .values_list("explainer_id", KeyTransform("related", "document"))
    )
    for explainer_id, related in rows:
        if related and slugs.intersection(related):
            referrer_ids.add(explainer_id)
    slugs.update(
        Publication.objects.filter(explainer_id__in=referrer_ids).values_list("slug", flat=True)
    )
    return ban_expression(slugs)


def ban_expression(slugs: Iterable[str]) -> list[str]:
    """Paths under each slug, plus the pages that list every explainer: as few
    expressions as fit in a request header Varnish accepts (8 KB by default)."""
    index = re.escape(reverse("explainers:index"))
    parts = [f"{index}(?:\\?|$)"]  # the index and its pages, not every path below "/"
    parts += [
        re.escape(path)
        for path in (
            reverse("explainers:feed"),
            reverse("explainers:search"),
            reverse("sitemap"),
            # names any question of any explainer in its query string (reader/oembed.py)
            reverse("explainers:oembed"),
            # the read API answers with the same Cache-Control (docs/api.md)
            reverse("api:search"),
        )
    ]
    parts.append(re.escape(reverse("api:explainers")) + "(?:\\?|$)")  # the listing
    for slug in sorted(slugs):
        if re.fullmatch(r"[-\w]+", slug, re.ASCII):
            parts.append(re.escape(reverse("explainers:detail", args=[slug])))
            parts.append(re.escape(reverse("api:explainer", args=[slug])))
    expressions, chunk = [], []
    for part in parts:
        if chunk and len("|".join([*chunk, part])) > MAX_EXPRESSION:
            expressions.append(chunk)
            chunk = []
        chunk.append(part)
    expressions.append(chunk)
    return ["^(?:" + "|".join(chunk) + ")" for chunk in expressions]


def after_commit(expressions: list[str]) -> None:
    """Ban at every cache endpoint once the current transaction commits, and once more
    CACHE_PURGE_REPEAT_SECONDS later: a page a cache began fetching before the commit
    may be stored after the first ban. The second ban is not a daemon: a management command
    (publish_explainer, redact, …) that ends sooner waits for it rather than dropping it."""
    if not settings.CACHE_PURGE_URLS:
        return

    def now_and_later() -> None:
        ban(expressions)
        if settings.CACHE_PURGE_REPEAT_SECONDS > 0:
            later = threading.Timer(settings.CACHE_PURGE_REPEAT_SECONDS, ban, [expressions])
            later.start()

    transaction.on_commit(now_and_later, robust=True)


def ban(expressions: list[str]) -> int:
    """Send the bans to every endpoint; the number of endpoints that accepted them all."""
    accepted = 0
    for endpoint in settings.CACHE_PURGE_URLS:
        try:
            for expression in expressions:
                request = urllib.request.Request(  # noqa: S310 – the deployer's own endpoints
                    endpoint, method="BAN", headers={HEADER: expression}
                )
                # http(s) only: the settings refuse any other scheme; 4xx/5xx raise
                with urllib.request.urlopen(  # noqa: S310  # nosec B310
                    request, timeout=settings.CACHE_PURGE_TIMEOUT
                ):
                    pass
        except (urllib.error.URLError, OSError) as error:
            logger.warning("purge: %s refused or unreachable: %s", endpoint, error)
        else:
            accepted += 1
    return accepted

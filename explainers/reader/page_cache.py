"""Rendered publications are stored in the cache: their content never changes, except
through a legal redaction, which moves the redaction generation and so the key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from explainers.models import Publication

CACHE_SECONDS = 24 * 3600


def publication_key(publication: Publication, part: str) -> str:
    return ":".join(
        (
            "explainers",
            part,
            str(publication.pk),
            str(publication.redaction_generation),
            settings.RELEASE,
            get_language() or settings.LANGUAGE_CODE,
        )
    )


def cached_fragment(key: str, build: Callable[[], Any]) -> Any:
    if not settings.READER_CACHE:
        return build()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value

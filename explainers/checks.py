"""System checks: production needs its public address, and both address settings must be
well-formed (settings.py refuses a malformed environment value; these also cover values
set any other way)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from explainers.domain.public_urls import clean_base_url, clean_tag_authority


@register()
def public_address(app_configs=None, **kwargs) -> list[Error]:
    base_url = getattr(settings, "PUBLIC_BASE_URL", "")
    errors = []
    if not base_url and not settings.DEBUG:
        errors.append(
            Error(
                "PUBLIC_BASE_URL is not set.",
                hint="With DJANGO_DEBUG=0 set PUBLIC_BASE_URL to the site's public address, "
                "e.g. https://explainers.example.org: feeds, the sitemap, canonical links "
                "and purges use it.",
                id="explainers.E001",
            )
        )
    if base_url:
        errors += _malformed(clean_base_url, base_url, "explainers.E002")
    authority = getattr(settings, "FEED_TAG_AUTHORITY", "")
    return errors + _malformed(clean_tag_authority, authority, "explainers.E003")


def _malformed(clean, value: str, error_id: str) -> list[Error]:
    try:
        clean(value)
    except ImproperlyConfigured as problem:
        return [Error(str(problem), id=error_id)]
    return []

"""Public slugs a legal redaction took away. Their addresses answer 410; the table holds
a keyed digest of each, never the slug (it carries the passage)."""

from __future__ import annotations

from django.utils.crypto import salted_hmac

_SALT = "explainers.redacted-slug"


def slug_digest(slug: str) -> str:
    return salted_hmac(_SALT, slug, algorithm="sha256").hexdigest()


def redaction_of(slug: str):
    """The redaction that took `slug` away, or None."""
    from explainers.models import RedactedSlug

    digest = slug_digest(slug)  # unique
    found = RedactedSlug.objects.filter(digest=digest).select_related("redaction")
    return next((row.redaction for row in found), None)

"""The explainers list's query parameters, checked: a bad value is a 400, never ignored."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"  # documented in the schema too
_LANGUAGE_RE = re.compile(LANGUAGE_PATTERN, re.ASCII)


def language_filter(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not _LANGUAGE_RE.fullmatch(raw):
        raise ValidationError(
            _("„language“ ist kein Sprachcode; bitte z. B. „de“ oder „en“ angeben.")
        )
    return raw


def updated_since_filter(raw: str | None):
    """An ISO 8601 moment; one without a zone is read in the site's time zone."""
    if raw is None:
        return None
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is not None:
        try:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            # in UTC: a database may not take every offset ISO 8601 allows (PostgreSQL
            # refuses +21:10); beyond the calendar's ends it is no moment at all
            return moment.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            pass
    raise ValidationError(
        _(
            "„updated_since“ ist kein Zeitpunkt; bitte nach ISO 8601 angeben, "
            "z. B. 2026-12-01T08:00:00+01:00."
        )
    )


def filtered(listing, params):
    """The current publications `params` ask for (`language`, `updated_since`)."""
    language = language_filter(params.get("language"))
    since = updated_since_filter(params.get("updated_since"))
    if language is not None:
        listing = listing.filter(publication__document__language=language)
    if since is not None:
        listing = listing.filter(changed_at__gte=since)
    return listing

"""The site's public address, for every absolute URL the app writes: canonical links,
feeds, the sitemap, JSON-LD, "view on site", and whatever is built without a request
(the purge hook, `publish_due`, the bake).

PUBLIC_BASE_URL (scheme://host[:port]) is that address. Without it the request's scheme
and host are used (development); without a request either, DEV_BASE_URL in DEBUG, and
an error otherwise (explainers/checks.py makes production start only with the setting).
The Sites row (`http://localhost/` from the migration) is never used.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator

DEV_BASE_URL = "http://127.0.0.1:8000"

# RFC 4151: a domain name (or e-mail address) and a date on which its owner held it.
_TAG_AUTHORITY_RE = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z](?:[a-z0-9-]*[a-z0-9])?"
    r",\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?",
    re.ASCII,
)

# A bake addresses its pages with its own host (`bake --host`), for its own requests only.
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "public_base_url_override", default=None
)


@functools.lru_cache(maxsize=16)
def clean_base_url(value: str, name: str = "PUBLIC_BASE_URL") -> str:
    """`value` as scheme://host[:port] without a trailing slash; ImproperlyConfigured
    says what is wrong with it."""
    value = value.strip()
    problem = (
        f"{name} must be the site's public address as scheme://host[:port], "
        f"e.g. https://explainers.example.org, not {value!r}"
    )
    try:
        URLValidator(schemes=["http", "https"])(value)
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except (ValidationError, ValueError) as error:
        raise ImproperlyConfigured(f"{problem}.") from error
    if parts.username is not None or parts.password is not None:
        raise ImproperlyConfigured(f"{problem}: no user name or password.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ImproperlyConfigured(f"{problem}: no path, query or fragment.")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def clean_tag_authority(value: str, name: str = "FEED_TAG_AUTHORITY") -> str:
    """`value` as an RFC 4151 tagging entity ("domain,YYYY[-MM[-DD]]")."""
    value = value.strip()
    if not _TAG_AUTHORITY_RE.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name} must be a domain name and a date when it was yours, "
            f"e.g. explainers.example.org,2026, not {value!r}."
        )
    return value


def configured() -> str:
    """The base URL set for this process (an override or the setting), or ""."""
    override = _override.get()
    if override:
        return override
    value = getattr(settings, "PUBLIC_BASE_URL", "")
    return clean_base_url(value) if value else ""


def base_url(request=None) -> str:
    """scheme://host[:port] of the public site, without a trailing slash."""
    value = configured()
    if value:
        return value
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    if settings.DEBUG:
        return DEV_BASE_URL
    raise ImproperlyConfigured(
        "PUBLIC_BASE_URL is not set: absolute URLs built without a request need it."
    )


def absolute(path: str, request=None) -> str:
    """`path` ("/explainers/x/") under the public base URL; a URL with a scheme (an
    absolute STATIC_URL, say) is returned as it is."""
    if urlsplit(path).scheme:
        return path
    if path.startswith("//"):
        return f"{urlsplit(base_url(request)).scheme}:{path}"
    return base_url(request) + "/" + path.lstrip("/")


def link(path: str) -> str:
    """For a link on one of the app's own pages when the request is out of reach ("view
    on site" in the admin): `path` under the configured base URL, or else `path` itself,
    which the browser resolves against the host the page came from."""
    value = configured()
    return value + "/" + path.lstrip("/") if value else path


def split(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of a base URL."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@contextlib.contextmanager
def overridden(value: str):
    """Within the block, and in this thread only, `value` is the base URL (a bake's
    host, already checked against ALLOWED_HOSTS)."""
    token = _override.set(value.rstrip("/"))
    try:
        yield
    finally:
        _override.reset(token)


def tag_uri(specific: str) -> str:
    """A stable `tag:` URI (RFC 4151) for a feed or entry id: its authority is
    FEED_TAG_AUTHORITY, fixed once, so moving the site to a new address keeps every id."""
    return f"tag:{clean_tag_authority(settings.FEED_TAG_AUTHORITY)}:{specific}"

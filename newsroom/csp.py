"""The Content-Security-Policy header, built once.

django-csp's middleware builds the policy from the settings twice for every response
(the policy and the report-only one). Ours is a constant: it names no nonce, and no view
changes it but the question card, which may be framed (`embeddable` below, one constant
per setting), so the strings are built when first needed and then only copied. Its
img-src also names the media host when another host serves media (`media_origin`).

A policy that names a nonce (`csp.constants.NONCE`) differs per response; it, and any
response a view decorated with `csp_update`/`csp_replace`/`csp` (django-csp's
decorators), goes through django-csp's own code. Pages that read the nonce are never
held for other readers (explainers/reader/held_responses.py).
"""

from __future__ import annotations

import functools
from typing import NamedTuple
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver

from explainers.domain.public_urls import configured

# Set on a response by django-csp's decorators: that response gets its own policy.
_PER_RESPONSE = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip
_DEBUG_PAGES = (404, 500)  # django-csp leaves Django's debug pages without a policy


class Policy(NamedTuple):
    """One header the middleware sends: the policy or the report-only one."""

    header: str
    value: str
    excluded: tuple[str, ...]  # path prefixes the settings leave without it
    exempt: str  # the response attribute django-csp's csp_exempt sets to leave it out


class Policies(NamedTuple):
    sent: tuple[Policy, ...]  # only those the settings name
    nonce: bool


def _names_nonce(config: dict | None) -> bool:
    directives = (config or {}).get("DIRECTIVES", {})
    return any(
        value == NONCE or (isinstance(value, list | tuple | set) and NONCE in value)
        for value in directives.values()
    )


def _excluded(config: dict) -> tuple[str, ...]:
    return tuple(config.get("EXCLUDE_URL_PREFIXES") or ())


@functools.cache
def media_origin() -> str:
    """Where media is served from when another host serves it (object storage, a CDN:
    newsroom/media_storage.py), as a CSP source; "" for media on the site's own host."""
    parts = urlsplit(default_storage.url("csp"))
    if not parts.netloc:
        return ""
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc
    return "" if origin == configured() else origin


def _with_media(directives: dict | None, replace: dict | None = None) -> dict | None:
    """`replace` plus an img-src that also names the media host, where the policy limits
    images and does not name it yet."""
    origin = media_origin()
    replace = dict(replace or {})
    if not origin or directives is None or "img-src" in replace:
        return replace or None
    sources = directives.get("img-src", directives.get("default-src"))
    if isinstance(sources, str):
        sources = [sources]
    if sources is None or origin in sources or "*" in sources:
        return replace or None
    return {**replace, "img-src": [*sources, origin]}


def _directives(report_only: bool) -> dict | None:
    name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
    config = getattr(settings, name, None)
    return config.get("DIRECTIVES", {}) if config else None


@functools.cache
def policies() -> Policies:
    config = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
    both = (
        Policy(
            HEADER,
            build_policy(replace=_with_media(_directives(False))),
            _excluded(config),
            "_csp_exempt",
        ),
        Policy(
            HEADER_REPORT_ONLY,
            build_policy(replace=_with_media(_directives(True)), report_only=True),
            _excluded(report_only),
            "_csp_exempt_ro",
        ),
    )
    return Policies(
        sent=tuple(policy for policy in both if policy.value),
        nonce=_names_nonce(config) or _names_nonce(report_only),
    )


@functools.cache
def _framed_policies(ancestors: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    replace = {"frame-ancestors": list(ancestors)}
    both = (
        (HEADER, build_policy(replace=_with_media(_directives(False), replace))),
        (
            HEADER_REPORT_ONLY,
            build_policy(replace=_with_media(_directives(True), replace), report_only=True),
        ),
    )
    return tuple((header, value) for header, value in both if value)


def embeddable(view):
    """The view's responses may be framed by EMBED_FRAME_ANCESTORS: the site's policy with
    only `frame-ancestors` replaced, and no X-Frame-Options. The policy is set on the
    response itself (the middleware leaves a policy that is there alone), so a held copy
    replayed by newsroom/held_pages.py carries it too."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        for header, value in _framed_policies(tuple(settings.EMBED_FRAME_ANCESTORS)):
            response.headers[header] = value
        response.xframe_options_exempt = True
        return response

    return wrapper


@receiver(setting_changed)
def _forget_policies(setting, **kwargs):
    if setting in (
        "CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY",
        "STORAGES", "MEDIA_URL", "PUBLIC_BASE_URL",
    ):  # fmt: skip
        media_origin.cache_clear()
        policies.cache_clear()
        _framed_policies.cache_clear()


class ConstantCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        """django-csp's own path (a nonce, a view's decorator) names the media host too."""
        parts = super().get_policy_parts(request, response, report_only)
        directives = parts.config if parts.config is not None else _directives(report_only)
        parts.replace = _with_media(directives, parts.replace)
        return parts

    def process_request(self, request):
        if policies().nonce:
            super().process_request(request)

    def process_response(self, request, response):
        known = policies()
        if known.nonce or any(hasattr(response, name) for name in _PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_PAGES and settings.DEBUG:
            return response
        path = request.path_info
        for policy in known.sent:
            if (
                policy.header not in response
                and getattr(response, policy.exempt, False) is False
                and not path.startswith(policy.excluded)
            ):
                response.headers[policy.header] = policy.value
        return response

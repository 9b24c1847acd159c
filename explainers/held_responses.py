"""Whole reader responses held by each worker for a moment, as a news site's
micro-cache would hold them: a crowd reading one explainer costs one render per worker
and change, not one per request.

A held response is served while it is younger than READER_HOLD_SECONDS (the product
promises readers a new publication within two seconds) and while the reader signal
has not moved (explainers/reader_signal.py): a publication, withdrawal or redaction
drops every held page at once. Reader pages do not depend on who asks, so one copy
serves everyone; only successful pages are held, and only so many.
"""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language

from . import reader_signal

MAX_ENTRIES = 2_000


class Held(NamedTuple):
    until: float
    mark: object
    content: bytes
    headers: tuple[tuple[str, str], ...]


_held: OrderedDict[tuple, Held] = OrderedDict()


def clear() -> None:
    _held.clear()


def _key(request) -> tuple:
    return (
        request.is_secure(),
        request.get_host(),
        request.get_full_path(),
        get_language(),
    )


def _replay(held: Held) -> HttpResponse:
    response = HttpResponse(held.content)
    for name, value in held.headers:
        response[name] = value
    return response


def _holdable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


def _render_whole(view, request, args, kwargs):
    """The full page even for a conditional request (views may answer those with an
    early 304), so there is something to hold; ConditionalGetMiddleware still answers
    the request itself with 304."""
    conditions = {name: request.META.pop(name) for name in CONDITIONAL_HEADERS
                  if name in request.META}  # fmt: skip
    try:
        return view(request, *args, **kwargs)
    finally:
        request.META.update(conditions)


def held_for_readers(view):
    """Serve the view's recent answer to the same URL from this worker's memory."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.READER_CACHE or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key, mark, now = _key(request), reader_signal.current_mark(), time.monotonic()
        held = _held.get(key)
        if held is not None and held.mark == mark and held.until > now:
            return _replay(held)
        response = _render_whole(view, request, args, kwargs)
        if _holdable(response):
            if hasattr(response, "render"):  # a TemplateResponse (feeds, sitemap)
                response.render()
            _held[key] = Held(
                now + settings.READER_HOLD_SECONDS, mark, response.content, tuple(response.items())
            )
            _held.move_to_end(key)
            while len(_held) > MAX_ENTRIES:
                _held.popitem(last=False)
        return response

    return wrapper

"""Whole reader responses held by each worker for a moment, as a news site's
micro-cache would hold them: a crowd reading one explainer costs one render per worker
and change, not one per request.

A held response is served while it is younger than READER_HOLD_SECONDS (the product
promises readers a new publication within two seconds) and while the reader signal
has not moved (explainers/reader/reader_signal.py): a publication, withdrawal or redaction
drops every held page at once. Reader pages do not depend on who asks, so one copy
serves everyone; only successful pages are held. A page is held once per query
parameters it reads (`?utm_source=…` is the same page), expired and outdated pages are
freed first, and a worker holds at most READER_HOLD_BYTES.
"""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import set_response_etag
from django.utils.translation import get_language

from explainers.reader import reader_signal


class Held(NamedTuple):
    until: float
    mark: object
    content: bytes
    headers: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        return len(self.content) + sum(len(name) + len(value) for name, value in self.headers)


class Store:
    """This worker's held pages: least recently used first, at most `budget` bytes."""

    def __init__(self) -> None:
        self.pages: OrderedDict[tuple, Held] = OrderedDict()
        self.bytes = 0

    def get(self, key: tuple, mark: object, now: float) -> Held | None:
        held = self.pages.get(key)
        if held is None or held.mark != mark or held.until <= now:
            return None
        self.pages.move_to_end(key)
        return held

    def put(self, key: tuple, held: Held, now: float, budget: int) -> None:
        self._drop(key)
        if held.size > budget:
            return
        self._free(held.mark, now)
        while self.pages and self.bytes + held.size > budget:
            self._drop(next(iter(self.pages)))
        self.pages[key] = held
        self.bytes += held.size

    def clear(self) -> None:
        self.pages.clear()
        self.bytes = 0

    def _free(self, mark: object, now: float) -> None:
        """Drop every page that can no longer be served: expired, or from before the
        reader signal last moved."""
        for key in [key for key, held in self.pages.items()
                    if held.until <= now or held.mark != mark]:  # fmt: skip
            self._drop(key)

    def _drop(self, key: tuple) -> None:
        held = self.pages.pop(key, None)
        if held is not None:
            self.bytes -= held.size


_held = Store()


def clear() -> None:
    _held.clear()


def held_bytes() -> int:
    return _held.bytes


def _key(request, uses: tuple[str, ...]) -> tuple:
    """Parameters the page does not read (tracking tags, cache busters) are left out."""
    query = tuple((name, tuple(request.GET.getlist(name))) for name in uses if name in request.GET)
    return (request.is_secure(), request.get_host(), request.path, query, get_language())


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


def held_for_readers(view, uses: Iterable[str] = ()):
    """Serve the view's recent answer to the same page from this worker's memory; `uses`
    names the query parameters the view reads."""
    uses = tuple(uses)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.READER_CACHE or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key, mark, now = _key(request, uses), reader_signal.current_mark(), time.monotonic()
        held = _held.get(key, mark, now)
        if held is not None:
            return _replay(held)
        response = _render_whole(view, request, args, kwargs)
        if _holdable(response):
            if hasattr(response, "render"):  # a TemplateResponse (feeds, sitemap)
                response.render()
            set_response_etag(response)  # once, not on every replay
            held = Held(
                now + settings.READER_HOLD_SECONDS, mark, response.content, tuple(response.items())
            )
            _held.put(key, held, now, settings.READER_HOLD_BYTES)
        return response

    return wrapper

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

Views are marked with `held_for_readers`; the holding and the replay happen in an outer
layer of the middleware (newsroom/held_pages.py), so a held page is the finished response
with every header the inner layers add, and a replay skips those layers.
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
    headers: dict[str, str]  # name as set: value, in the order they were set

    @property
    def size(self) -> int:
        return len(self.content) + sum(
            len(name) + len(value) for name, value in self.headers.items()
        )


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
    """Drop every held page (the paths known to be held views stay known)."""
    _held.clear()


def held_bytes() -> int:
    return _held.bytes


class Note(NamedTuple):
    """Left on the request by a held view: what the page reads and when it was made."""

    uses: tuple[str, ...]
    mark: object
    now: float
    language: str


# Paths a held view has answered, with the query parameters it reads: the outer layer
# (newsroom/held_pages.py) looks only these up. At most _ROUTES_LIMIT; then it starts over.
_routes: dict[str, tuple[str, ...]] = {}
_ROUTES_LIMIT = 50_000


def _learn(path: str, uses: tuple[str, ...]) -> None:
    if len(_routes) >= _ROUTES_LIMIT:
        _routes.clear()
    _routes[path] = uses


def route_uses(path: str) -> tuple[str, ...] | None:
    return _routes.get(path)


def key(request, uses: tuple[str, ...], language: str) -> tuple:
    """Parameters the page does not read (tracking tags, cache busters) are left out."""
    query = tuple((name, tuple(request.GET.getlist(name))) for name in uses if name in request.GET)
    return (request.is_secure(), request.get_host(), request.path, query, language)


def lookup(page_key: tuple) -> Held | None:
    return _held.get(page_key, reader_signal.current_mark(), time.monotonic())


def replay(held: Held) -> HttpResponse:
    response = HttpResponse(held.content, headers=held.headers)
    if len(response.headers) > len(held.headers):  # HttpResponse added a Content-Type
        del response["Content-Type"]
    return response


def _holdable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "cookie" not in response.get("Vary", "").lower()
        # a page that carries a CSP nonce must never be replayed to someone else
        and getattr(request, "_csp_nonce", None) is None
    )


def keep(request, note: Note, response) -> bool:
    """Hold the finished response (every header the layers inside added) if it may serve
    other readers; whether it was held."""
    if response.status_code == 304:  # the page exists: hold it on the next request
        _learn(request.path, note.uses)
    if not _holdable(request, response):
        return False
    if not response.has_header("ETag"):  # a HEAD request: ConditionalGetMiddleware skips those
        set_response_etag(response)
    _learn(request.path, note.uses)
    held = Held(
        note.now + settings.READER_HOLD_SECONDS, note.mark, response.content,
        dict(response.items()),
    )  # fmt: skip
    _held.put(key(request, note.uses, note.language), held, note.now, settings.READER_HOLD_BYTES)
    return True


def held_for_readers(view, uses: Iterable[str] = ()):
    """Mark the view's pages as ones every reader may be served from this worker's memory
    (by newsroom/held_pages.py, which holds and replays them); `uses` names the query
    parameters the view reads."""
    uses = tuple(uses)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.READER_CACHE and request.method in ("GET", "HEAD"):
            # the mark is taken before rendering: a change meanwhile drops the page
            request.held_note = Note(
                uses, reader_signal.current_mark(), time.monotonic(), get_language()
            )
        return view(request, *args, **kwargs)

    return wrapper

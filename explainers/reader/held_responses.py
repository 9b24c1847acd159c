"""Whole reader responses held by each worker for a moment, as a news site's
micro-cache would hold them: a crowd reading one explainer costs one render per worker
and change, not one per request.

A held response is served while it is younger than READER_HOLD_SECONDS (the product
promises readers a new publication within two seconds) and while the reader signal
has not moved (explainers/reader/reader_signal.py): a publication, withdrawal or redaction
drops every held page at once. Reader pages do not depend on who asks, so one copy
serves everyone; only successful pages are held. A page is held once per query
parameters it reads (`?utm_source=…` is the same page), and a worker holds at most
READER_HOLD_BYTES.

An expired page is kept for READER_STALE_IF_ERROR_SECONDS after it was rendered, as the
last good copy to serve while the database is unreachable (`stale`, used by
newsroom/held_pages.py), and only while the reader signal stays where it was: a
withdrawal or redaction before the outage drops it like any held page. Outdated pages
and those past that window are freed first, then expired ones, then the least recently
used.

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
    made: float  # when it was rendered
    stale_until: float  # the last good copy while the database is unreachable until then
    key_bytes: int = 0  # what its key takes (path and query values)

    @property
    def size(self) -> int:
        return (
            len(self.content)
            + sum(len(name) + len(value) for name, value in self.headers.items())
            + self.key_bytes
        )


class Store:
    """This worker's held pages: least recently used first, at most `budget` bytes."""

    def __init__(self) -> None:
        self.pages: OrderedDict[tuple, Held] = OrderedDict()
        self.bytes = 0
        self.mark: object = None  # the reader signal's mark at the last put

    def get(self, key: tuple, mark: object, now: float) -> Held | None:
        held = self.pages.get(key)
        if held is None or held.mark != mark or held.until <= now:
            return None
        self.pages.move_to_end(key)
        return held

    def stale(self, key: tuple, mark: object, now: float) -> Held | None:
        """The page even though it expired, while its stale window lasts."""
        held = self.pages.get(key)
        if held is None or held.mark != mark or held.stale_until <= now:
            return None
        self.pages.move_to_end(key)
        return held

    def put(self, key: tuple, held: Held, now: float, budget: int) -> None:
        self._drop(key)
        if held.size > budget:
            return
        self._free(held.mark, now)
        while self.pages and self.bytes + held.size > budget:
            # the least recently used expired page, else the least recently used: a fresh
            # page was held or asked for within the hold time, so it is found near the end
            expired = next((name for name, page in self.pages.items() if page.until <= now), None)
            self._drop(next(iter(self.pages)) if expired is None else expired)
        self.pages[key] = held
        self.bytes += held.size

    def clear(self) -> None:
        self.pages.clear()
        self.bytes = 0
        self.mark = None

    def _free(self, mark: object, now: float) -> None:
        """Drop the pages that can no longer be served, not even stale: every page from
        before the reader signal last moved, and those past their stale window from the least
        recently used on (the store holds a day of pages: one put must not look at them all;
        the budget bounds the rest, and `stale` refuses them)."""
        if mark != self.mark:
            self.mark = mark
            for key in [key for key, held in self.pages.items() if held.mark != mark]:
                self._drop(key)
        while self.pages:
            key, held = next(iter(self.pages.items()))
            if max(held.until, held.stale_until) > now:
                break
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
    """Parameters the page does not read (tracking tags, cache busters) are left out, and
    of a repeated one only the value the page reads (the last)."""
    query = tuple((name, request.GET.get(name)) for name in uses if name in request.GET)
    return (request.is_secure(), request.get_host(), request.path, query, language)


def lookup(page_key: tuple) -> Held | None:
    return _held.get(page_key, reader_signal.current_mark(), time.monotonic())


def stale(page_key: tuple) -> Held | None:
    """The last good copy of the page for when the database is unreachable: held within
    READER_STALE_IF_ERROR_SECONDS of its rendering and from before no change since."""
    return _held.stale(page_key, reader_signal.current_mark(), time.monotonic())


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
    page_key = key(request, note.uses, note.language)
    held = Held(
        note.now + settings.READER_HOLD_SECONDS, note.mark, response.content,
        dict(response.items()), note.now, note.now + settings.READER_STALE_IF_ERROR_SECONDS,
        len(repr(page_key)),
    )  # fmt: skip
    _held.put(page_key, held, note.now, settings.READER_HOLD_BYTES)
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

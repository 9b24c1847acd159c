"""Held reader pages answered from an outer layer of the middleware, before sessions,
locale, CSRF and the view run (the hold itself: explainers/reader/held_responses.py).

It sits inside the request log, SecurityMiddleware and the CSP, so a replayed page still
gets the log line and X-Request-ID, the HTTPS redirect, HSTS and the policy. Anything it
cannot answer exactly as the whole stack would goes down the whole stack: a host not in
ALLOWED_HOSTS (400), a NUL in the address (400), If-Match/If-Unmodified-Since, any
method but GET and HEAD, and every path no held view has answered yet.

A conditional request (If-None-Match, If-Modified-Since) for a held page is rendered
whole, so there is something to hold, and answered here as ConditionalGetMiddleware
would (`answer_conditions`).

While the database is unreachable (newsroom/outage.py), a reader's GET or HEAD is answered
with the last good copy instead of the error: the page this worker still holds although
its hold time ran out (held_responses.stale), else the baked file, else the outage page.
For PAUSE_SECONDS after a database error the worker answers the pages it holds that way
without asking the database first: a crowd on one page then costs no connection attempt
and no logged traceback per request. Readers see nothing different: a copy is served only
while the reader signal says nothing changed since it was held.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from explainers.reader import held_responses
from newsroom import outage
from newsroom.desk_layers import on_desk
from newsroom.nul_guard import has_nul
from newsroom.reader_locale import reader_language

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 1.0

CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def answer_conditions(request, response):
    """A 304 when the reader's copy is current, dressed as the layers between this one
    and ConditionalGetMiddleware dress it: CommonMiddleware's Content-Length, the locale
    middleware's Vary and Content-Language."""
    if request.method != "GET" or not any(name in request.META for name in CONDITIONS):
        return response
    last_modified = response.get("Last-Modified")
    answer = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=last_modified and parse_http_date_safe(last_modified),
        response=response,
    )
    if answer is not response:
        answer.headers["Content-Length"] = str(len(answer.content))
        patch_vary_headers(answer, ("Accept-Language",))
        if "Content-Language" in response:
            answer.headers.setdefault("Content-Language", response["Content-Language"])
    return answer


class HeldPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.unreachable_until = 0.0  # this worker found the database down: see PAUSE_SECONDS

    def __call__(self, request):
        response = self._answer(request)
        if outage.unreachable(request, response):
            self.unreachable_until = time.monotonic() + PAUSE_SECONDS
            return self._while_unreachable(request, response)
        return response

    def _answer(self, request):
        if (
            not settings.READER_CACHE
            or request.method not in ("GET", "HEAD")
            or has_nul(request)
            or any(name in request.META for name in PRECONDITIONS)
        ):
            return self.get_response(request)
        uses = held_responses.route_uses(request.path)
        if uses is None:
            return self._render(request, whole=False)
        try:
            key = held_responses.key(request, uses, reader_language(request))
        except DisallowedHost:
            return self.get_response(request)  # answered 400 inside, as for any page
        held = held_responses.lookup(key)
        if held is not None:
            return answer_conditions(request, held_responses.replay(held))
        if time.monotonic() < self.unreachable_until:
            copy = self._held_copy(request, key)
            if copy is not None:
                return copy
        return self._render(request, whole=True)

    def _render(self, request, *, whole: bool):
        """The response of the whole stack, held if a held view made it; with `whole`, the
        full page even for a conditional request, which is then answered here."""
        conditions = {}
        if whole:
            conditions = {name: request.META.pop(name) for name in CONDITIONS
                          if name in request.META}  # fmt: skip
        try:
            response = self.get_response(request)
        finally:
            request.META.update(conditions)
        note = getattr(request, "held_note", None)
        if note is not None and note.language == reader_language(request):
            held_responses.keep(request, note, response)
        return answer_conditions(request, response) if conditions else response

    def _while_unreachable(self, request, response):
        """The last good copy of a reader's page, else the outage page (503)."""
        if (
            request.method in ("GET", "HEAD")
            and not has_nul(request)
            and not any(name in request.META for name in PRECONDITIONS)
            and not on_desk(request)
        ):
            try:
                copy = self._last_good_copy(request)
            except DisallowedHost:
                copy = None
            if copy is not None:
                return copy
        return response if outage.is_outage_page(response) else outage.outage_page(request)

    def _last_good_copy(self, request):
        request.get_host()  # a host not in ALLOWED_HOSTS gets no page
        uses = held_responses.route_uses(request.path)
        if settings.READER_CACHE and uses is not None:
            copy = self._held_copy(
                request, held_responses.key(request, uses, reader_language(request))
            )
            if copy is not None:
                return copy
        baked = outage.baked_file(request, ("page",) if uses is None else uses)
        if baked is not None:
            logger.warning(
                "database unreachable: %s answered with the baked file %s",
                request.get_full_path()[:500], baked,
            )  # fmt: skip
            return outage.baked_copy(baked)
        return None

    def _held_copy(self, request, key):
        held = held_responses.stale(key)
        if held is None:
            return None
        logger.warning(
            "database unreachable: %s answered with the copy held since %.0f s",
            request.get_full_path()[:500], time.monotonic() - held.made,
        )  # fmt: skip
        return outage.marked_stale(held_responses.replay(held))

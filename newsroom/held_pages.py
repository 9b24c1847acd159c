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
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from explainers.reader import held_responses
from newsroom.nul_guard import has_nul
from newsroom.reader_locale import reader_language

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

    def __call__(self, request):
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

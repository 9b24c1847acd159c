"""One log line per request (request id, method, path, status, duration), and the same
request id on every other line logged while the request runs, so the desk's actions and
any traceback can be found from the line a reader or a load balancer reports."""

from __future__ import annotations

import contextvars
import logging
import os
import re
import time

from newsroom.client_address import from_trusted_proxy

logger = logging.getLogger("newsroom.request")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# An id a trusted proxy (DJANGO_TRUSTED_PROXIES) may pass on; anything else, and any id a
# client sends straight to us, is replaced with our own.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"


class RequestIdFilter(logging.Filter):
    """Gives every log record the id of the request being served ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(_META_KEY, "")
        if given and _GIVEN_ID.fullmatch(given) and from_trusted_proxy(request):
            request_id = given
        else:
            request_id = os.urandom(8).hex()
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.get_full_path()[:500],
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            _request_id.reset(token)

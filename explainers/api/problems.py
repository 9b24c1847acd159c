"""Errors as problem details (RFC 9457, `application/problem+json`), in the reader's language
(Accept-Language, newsroom/reader_locale.py). A moved slug and a withdrawn explainer are
answered here as the reader pages answer them (explainers/reader/public.py): 301 to the same
API address under the current slug, 410 with the desk's note."""

from __future__ import annotations

from http import HTTPStatus

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from explainers.api.serializers import GoneSerializer
from explainers.reader.public import Moved, Withdrawn

CONTENT_TYPE = "application/problem+json"


def problem(status: int, detail: str, **extra) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(body, status=status, content_type=CONTENT_TYPE)


def gone(withdrawn: Withdrawn) -> Response:
    current = withdrawn.current
    body = {
        "type": "about:blank",
        "title": HTTPStatus.GONE.phrase,
        "status": 410,
        "detail": current.withdrawn_note,
        "withdrawn_at": current.withdrawn_at,
        "address_removed": withdrawn.address_removed,
    }
    response = Response(GoneSerializer(body).data, status=410, content_type=CONTENT_TYPE)
    response["X-Robots-Tag"] = "noindex"
    return response


def moved(request, error: Moved, kwargs: dict) -> HttpResponsePermanentRedirect:
    """The same API address under the current slug, with the query kept."""
    target = reverse(request.resolver_match.view_name, kwargs={**kwargs, "slug": error.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


def exception_handler(exc, context):
    """REST framework's handler (Http404 keeps its German message), reshaped as a problem."""
    if isinstance(exc, Withdrawn):
        return gone(exc)
    if isinstance(exc, Moved):
        return moved(context["request"], exc, context["kwargs"])
    if isinstance(exc, OperationalError | InterfaceError):  # as newsroom/outage.py answers
        answer = problem(
            503,
            _("Die Datenbank ist nicht erreichbar: nichts wurde gespeichert. "
              "Bitte in einer Minute erneut versuchen."),
        )  # fmt: skip
        answer["Retry-After"] = "30"
        answer["Cache-Control"] = "no-store"
        return answer
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else (data[0] if data else None)
    answer = problem(response.status_code, str(detail or HTTPStatus(response.status_code).phrase))
    for name, value in response.items():
        if name.lower() not in ("content-type",):
            answer[name] = value
    return answer

"""Search over the current publications, as the reader's search page asks it
(explainers/domain/search.py), with the same limits on the query."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from explainers.api import serializers as s
from explainers.api.representations import absolute
from explainers.api.schema import CACHE_HEADERS, IF_NONE_MATCH, responses
from explainers.api.views import Pages
from explainers.domain import public_urls
from explainers.domain.search import MAX_QUERY_LENGTH
from explainers.domain.search import search as search_hits
from explainers.reader.views import reader_response


def hit(request, found) -> dict:
    page = reverse("explainers:detail", args=[found.slug])
    return {
        "slug": found.slug,
        "anchor": found.anchor,
        "headline": found.headline,
        "title": found.title,
        "language": found.language,
        "snippet": found.snippet,
        "url": public_urls.absolute(page + (f"#{found.anchor}" if found.anchor else ""), request),
        "api_url": absolute(request, "api:explainer", found.slug),
    }


class Search(APIView):
    @extend_schema(
        summary="Search the published explainers",
        operation_id="search",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words to find; empty: none."),
            OpenApiParameter("page", OpenApiTypes.INT),
            IF_NONE_MATCH,
            *CACHE_HEADERS,
        ],
        responses=responses(s.SearchPageSerializer, of_explainer=False, bad_request=True),
    )
    def get(self, request):
        query = request.query_params.get("q", "")
        if len(query) > MAX_QUERY_LENGTH:
            raise ValidationError(
                _("Die Suche ist zu lang (höchstens %(n)s Zeichen).") % {"n": MAX_QUERY_LENGTH}
            )
        if "\x00" in query:
            raise ValidationError(_("Die Suche enthält ein ungültiges Zeichen."))
        query = " ".join(query.split())
        pages = Pages()
        page = pages.paginate_queryset(search_hits(query), request, view=self)
        data = {
            "query": query,
            "count": pages.page.paginator.count,
            "next": pages.get_next_link(),
            "previous": pages.get_previous_link(),
            "results": [hit(request, found) for found in page],
        }
        return reader_response(Response(s.SearchPageSerializer(data).data))

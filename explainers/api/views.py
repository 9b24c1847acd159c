"""The read API's views: publications only, as the reader pages show them
(explainers/reader/public.py decides what readers may see; moved slugs, withdrawals and
redacted addresses are answered by explainers/api/problems.py). Each answer carries the
reader pages' freshness promise and validators (reader/views.py's reader_response, and the
ETag and 304 of ConditionalGetMiddleware)."""

from __future__ import annotations

import re

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from explainers.api import representations as shown
from explainers.api import serializers as s
from explainers.api.filters import LANGUAGE_PATTERN, filtered
from explainers.api.schema import CACHE_HEADERS, IF_NONE_MATCH, LOCATION, SLUG, responses
from explainers.domain.reader_changes import site_changed_at
from explainers.reader.presenting import present_diff
from explainers.reader.public import current_by_slug, current_listing, publications_of
from explainers.reader.views import reader_response

SPAN_PATTERN = r"^(\d{1,6})\.\.(\d{1,6})$"  # documented in the schema too
_SPAN_RE = re.compile(SPAN_PATTERN, re.ASCII)
ONE_EXPLAINER = [SLUG, IF_NONE_MATCH, *CACHE_HEADERS, LOCATION]


class Pages(PageNumberPagination):
    page_size = 20

    def get_page_number(self, request, paginator):
        # A number, as the schema says: REST framework reads "?page=" as the first page
        # and "?page=last" as the last; here both are invalid pages (404).
        return request.query_params.get(self.page_query_param, 1)


def answer(serializer_class, data, *, last_modified=None) -> Response:
    return reader_response(Response(serializer_class(data).data), last_modified=last_modified)


class ExplainerList(APIView):
    @extend_schema(
        summary="Published explainers, most recently updated first",
        operation_id="list_explainers",
        parameters=[
            OpenApiParameter(
                "language", OpenApiTypes.STR, description="e.g. de, en", pattern=LANGUAGE_PATTERN
            ),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="ISO 8601: only explainers readers saw change at or after it.",
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            IF_NONE_MATCH,
            *CACHE_HEADERS,
        ],
        responses=responses(s.ExplainerPageSerializer, of_explainer=False, bad_request=True),
    )
    def get(self, request):
        listing = filtered(current_listing(), request.query_params)
        pages = Pages()
        page = pages.paginate_queryset(listing, request, view=self)
        response = pages.get_paginated_response(
            s.ExplainerSummarySerializer([shown.summary(request, c) for c in page], many=True).data
        )
        return reader_response(response, last_modified=site_changed_at())


class ExplainerDetail(APIView):
    @extend_schema(
        summary="The current publication",
        operation_id="get_explainer",
        parameters=ONE_EXPLAINER,
        responses=responses(s.PublicationSerializer),
    )
    def get(self, request, slug):
        current = current_by_slug(slug)
        data = shown.publication_facts(request, current, current.publication)
        return answer(s.PublicationSerializer, data, last_modified=current.changed_at)


class QuestionDetail(APIView):
    @extend_schema(
        summary="One question of the current publication, for embedding",
        operation_id="get_question",
        parameters=[*ONE_EXPLAINER, OpenApiParameter("key", OpenApiTypes.STR, "path")],
        responses=responses(s.QuestionDetailSerializer),
    )
    def get(self, request, slug, key):
        current = current_by_slug(slug)
        data = shown.question(request, current, key)
        if data is None:
            raise Http404(_("Diese Frage gibt es nicht."))
        return answer(s.QuestionDetailSerializer, data, last_modified=current.changed_at)


class VersionList(APIView):
    @extend_schema(
        summary="Every publication, newest first",
        operation_id="list_versions",
        parameters=ONE_EXPLAINER,
        responses=responses(s.VersionsSerializer),
    )
    def get(self, request, slug):
        current = current_by_slug(slug)
        publications = publications_of(current).listing().order_by("-number")
        data = {
            "slug": current.slug,
            "versions": [shown.version_entry(request, current, p) for p in publications],
        }
        return answer(s.VersionsSerializer, data, last_modified=current.changed_at)


class VersionDetail(APIView):
    @extend_schema(
        summary="Publication N as it was published",
        operation_id="get_version",
        parameters=[*ONE_EXPLAINER, OpenApiParameter("number", OpenApiTypes.INT, "path")],
        responses=responses(s.PublicationSerializer),
    )
    def get(self, request, slug, number):
        number = int(number)
        canonical = reverse("api:version", args=[slug, number])
        if request.path != canonical:  # "/versions/002/" is "/versions/2/"
            return HttpResponsePermanentRedirect(canonical)
        current = current_by_slug(slug)
        if number == current.publication.number:
            publication = current.publication
        else:
            publication = publications_of(current).filter(number=number).first()
            if publication is None:
                raise Http404(_("Diese Fassung gibt es nicht."))
        data = shown.publication_facts(request, current, publication)
        return answer(s.PublicationSerializer, data, last_modified=current.changed_at)


class Diff(APIView):
    @extend_schema(
        summary="What changed between two publications",
        operation_id="get_diff",
        parameters=[
            *ONE_EXPLAINER,
            OpenApiParameter(
                "span",
                OpenApiTypes.STR,
                "path",
                description="older..newer, e.g. 1..3",
                pattern=SPAN_PATTERN,
            ),
        ],
        responses=responses(s.DiffResponseSerializer, bad_request=True),
    )
    def get(self, request, slug, span):
        match = _SPAN_RE.fullmatch(span)
        if match is None:
            raise ValidationError(_("Bitte zwei Fassungen angeben, z. B. 1..3."))
        older, newer = int(match.group(1)), int(match.group(2))
        if span != f"{older}..{newer}":  # "01..02" is "1..2"
            return HttpResponsePermanentRedirect(
                reverse("api:diff", args=[slug, f"{older}..{newer}"])
            )
        if older >= newer:
            raise ValidationError(
                _("Die erste Fassung muss älter sein als die zweite, z. B. 1..3.")
            )
        current = current_by_slug(slug)
        found = {
            p.number: p
            for p in publications_of(current)
            .defer("article_bodies")
            .filter(number__in=[older, newer])
        }
        if len(found) != 2:
            raise Http404(_("Diese Fassung gibt es nicht."))
        a, b = found[older], found[newer]
        data = {
            "slug": current.slug,
            "older": older,
            "newer": newer,
            "notes": shown.public_notes(b, after=older),
            "diff": present_diff(
                a.document, b.document, typesettings=(a.typesetting, b.typesetting)
            ),
            "url": shown.absolute(request, "explainers:diff", current.slug, span),
        }
        return answer(s.DiffResponseSerializer, data, last_modified=current.changed_at)


class Unknown(APIView):
    """Any other address under /api/ (ending in a slash): a problem, not an HTML page."""

    @extend_schema(exclude=True)
    def get(self, request, rest):
        raise NotFound(_("Diese Adresse gibt es in der API nicht."))

    def http_method_not_allowed(self, request, *args, **kwargs):
        return self.get(request, **kwargs)  # a POST to no address: 404, not 405

"""The ingest API (docs/api.md): `POST /api/v1/explainers/` makes a new explainer and
`POST /api/v1/explainers/<slug>/revisions/` a new revision of the explainer with that
working-copy slug, from a text-format v1 or a JSON body, through the import path and the
three-way merge (explainers/domain/ingesting.py). Only an API token authenticates them
(explainers/api/authentication.py); every refusal is a problem (explainers/api/problems.py)
in the sender's language and writes nothing.

`/api/v1/explainers/` also answers the read API's GET: one address, so one view, whose GET
keeps the read API's anonymous behaviour and whose POST alone takes a token.
"""

from __future__ import annotations

import re

from django.http.request import RawPostDataException
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from explainers.api import ingest_serializers as s
from explainers.api.authentication import ApiTokenAuthentication, HasApiToken, missing_token
from explainers.api.problems import CONTENT_TYPE as PROBLEM
from explainers.api.problems import problem
from explainers.api.representations import absolute
from explainers.api.serializers import ProblemSerializer
from explainers.api.views import ExplainerList
from explainers.core.textformat import MAX_IMPORT_BYTES
from explainers.domain.ingesting import IngestConflict, IngestRefused, ingest, read_body
from explainers.models import Publication

_BASE_RE = re.compile(r'\s*(?:W/)?"rev-([0-9]{1,9})"\s*', re.ASCII)
STATUS_OF = {
    "unreadable": 400,
    "forbidden": 403,
    "not_found": 404,
    "exists": 409,
    "base_unknown": 412,
    "invalid": 422,
    "base_required": 428,
}
MEDIA_TYPES = {"text/plain": "text", "application/json": "json"}


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def _body(request) -> tuple[str, str]:
    """The body's text and its format ("text" or "json")."""
    media, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    body_format = MEDIA_TYPES.get(media.lower())
    charset = params.get("charset", "utf-8").lower()
    if body_format is None or charset not in ("utf-8", "utf8"):
        raise _Refused(
            415,
            _(
                "Erwartet wird „text/plain; charset=utf-8“ (Textformat v1) oder "
                "„application/json“ (ein Dokument)."
            ),
        )
    too_large = _Refused(
        413,
        _("Der Text ist zu lang; erlaubt ist höchstens %(n)s MB.")
        % {"n": MAX_IMPORT_BYTES // 1_000_000},
    )
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_IMPORT_BYTES:
            raise too_large
    except ValueError:
        pass
    try:
        raw = request.body
    except RawPostDataException:  # pragma: no cover - nothing reads the stream before
        raw = b""
    if len(raw) > MAX_IMPORT_BYTES:
        raise too_large
    try:
        return raw.decode("utf-8-sig"), body_format
    except UnicodeDecodeError as error:
        raise _Refused(
            400,
            _("Der Text ist kein gültiges UTF-8 (Byte %(n)s).") % {"n": error.start + 1},
        ) from error


def _base(request) -> int | None:
    header = request.META.get("HTTP_IF_MATCH")
    if header is None:
        return None
    match = _BASE_RE.fullmatch(header)
    if match is None:
        raise _Refused(
            400,
            _('If-Match muss eine Revision nennen, z. B. If-Match: "rev-7".'),
        )
    return int(match.group(1))


def _answer(request, written) -> Response:
    publication = written.publication
    body = {
        "slug": written.explainer.slug,
        "revision": written.revision,
        "created": written.created,
        "merged_from": written.merged_from,
        "publication": (
            {
                "number": publication.number,
                "kind": publication.kind,
                "api_url": absolute(request, "api:explainer", publication.slug),
            }
            if publication is not None
            else None
        ),
        "warnings": written.warnings,
        "notes": written.notes,
    }
    response = Response(s.IngestResultSerializer(body).data, status=201)
    response["ETag"] = f'"rev-{written.revision}"'
    response["Cache-Control"] = "no-store"
    return response


def _conflict(conflict: IngestConflict) -> Response:
    return problem(
        409,
        str(conflict),
        base_revision=conflict.base,
        latest_revision=conflict.latest,
        conflicts=[
            {
                "place": side.place,
                "kind": side.kind,
                "field": side.field,
                "theirs": side.theirs,
                "yours": side.yours,
            }
            for side in conflict.conflicts
        ],
    )


def write(request, *, slug: str | None) -> Response:
    """Read the request, write it (or refuse it as a problem)."""
    try:
        text, body_format = _body(request)
        base = _base(request) if slug is not None else None
        parsed = read_body(text, body_format, slug=slug)
        token = request.auth
        written = ingest(
            parsed,
            user=request.user,
            slug=slug,
            base=base,
            publish_kind=request.query_params.get("publish") or None,
            note=request.query_params.get("note", ""),
            via=f"{token.name} ({token.prefix}…)",
        )
    except _Refused as error:
        return problem(error.status, str(error))
    except IngestRefused as error:
        return problem(STATUS_OF[error.reason], str(error))
    except IngestConflict as conflict:
        return _conflict(conflict)
    return _answer(request, written)


def _problem(description: str, serializer=ProblemSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


PUBLISH = OpenApiParameter(
    "publish",
    OpenApiTypes.STR,
    enum=["", *Publication.Kind.values],  # empty: write only, as without the parameter
    description="Publish the written revision at once, as this kind of change (needs the "
    "publish permission). A new explainer's first publication is always `first`.",
)
NOTE = OpenApiParameter(
    "note",
    OpenApiTypes.STR,
    description="The note to readers; required with `update`, `correction`, `clarification`.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The revision this body builds on, as `"rev-N"` (the `ETag` of the answer '
    "that wrote it, or the number in the admin's history). Saves since then are merged in; "
    "where both changed the same place the answer is 409 and nothing is written.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    description='`"rev-N"`: the revision written, the If-Match of the next request.',
)
REQUEST_BODIES = {
    "text/plain": OpenApiTypes.STR,
    "application/json": s.IngestDocumentSerializer,
}


def _responses(*, revision: bool) -> dict:
    answers = {
        201: OpenApiResponse(s.IngestResultSerializer, description="Written."),
        400: _problem("The body cannot be read (text format, JSON, UTF-8, If-Match)."),
        401: _problem("No API token, or one that is unknown, revoked or of a disabled user."),
        403: _problem("The token's user may not do this (write, publish)."),
        409: _problem(
            "Conflict: saved since the base revision at the same places (with `conflicts`, "
            "both sides of each), or a new explainer whose slug is taken.",
            s.ConflictProblemSerializer if revision else ProblemSerializer,  # taken: no sides
        ),
        413: _problem("The body is larger than 1 MB."),
        415: _problem("Neither text/plain; charset=utf-8 nor application/json."),
        422: _problem(
            "The document cannot be written or published: a check of the import failed "
            "(an image not in the media storage, a missing note, …)."
        ),
    }
    if revision:
        answers[404] = _problem("No explainer has this working-copy slug.")
        answers[412] = _problem("The base revision does not exist.")
        answers[428] = _problem("No If-Match naming the base revision.")
    # Every error is sent as application/problem+json (explainers/api/schema.py does the same).
    return {(c, PROBLEM) if c >= 400 else c: answer for c, answer in sorted(answers.items())}


class IngestAuthentication:
    """Only a POST takes a token: the read API's GET at the same address stays anonymous."""

    def initialize_request(self, request, *args, **kwargs):
        self._writes = request.method == "POST"
        return super().initialize_request(request, *args, **kwargs)

    def _writing(self) -> bool:
        writes = getattr(self, "_writes", None)
        if writes is None:  # the schema generator's view, with a request of its own
            writes = getattr(getattr(self, "request", None), "method", None) == "POST"
        return writes

    def get_authenticators(self):
        return [ApiTokenAuthentication()] if self._writing() else []

    def get_permissions(self):
        return [HasApiToken()] if self._writing() else super().get_permissions()

    def permission_denied(self, request, message=None, code=None):
        if self._writing() and request.successful_authenticator is None:
            raise missing_token()
        super().permission_denied(request, message, code)


class ExplainerCollection(IngestAuthentication, ExplainerList):
    @extend_schema(
        summary="Write a new explainer (API token)",
        operation_id="create_explainer",
        request=REQUEST_BODIES,
        parameters=[PUBLISH, NOTE, ETAG],
        responses=_responses(revision=False),
    )
    def post(self, request):
        return write(request, slug=None)


class ExplainerRevisions(IngestAuthentication, APIView):
    @extend_schema(
        summary="Write a new revision of an explainer (API token)",
        operation_id="create_revision",
        request=REQUEST_BODIES,
        parameters=[
            OpenApiParameter(
                "slug",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The explainer's working-copy slug (the one in the admin).",
            ),
            IF_MATCH,
            PUBLISH,
            NOTE,
            ETAG,
        ],
        responses=_responses(revision=True),
    )
    def post(self, request, slug):
        return write(request, slug=slug)

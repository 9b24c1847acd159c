"""The statuses each operation can answer, said once for the OpenAPI schema (/api/schema/)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from explainers.api.problems import CONTENT_TYPE as PROBLEM
from explainers.api.serializers import GoneSerializer, ProblemSerializer

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of an earlier answer: unchanged, it answers 304 without a body.",
)
SLUG = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The explainer's public slug.",
    pattern=r"^[-a-zA-Z0-9_]+$",  # Django's slug converter (explainers/api/urls.py)
)

# Answered with every 200: the reader pages' validators and freshness promise.
CACHE_HEADERS = [
    OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200])
    for name in ("ETag", "Last-Modified", "Cache-Control")
]
LOCATION = OpenApiParameter("Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[301])


def responses(ok, *, of_explainer: bool = True, bad_request: bool = False) -> dict:
    """200 with `ok`, 304, and the errors: 400 for bad parameters, 404; for one explainer's
    addresses also 301 (an older slug) and 410 (withdrawn, or an address a redaction took)."""
    answers = {
        200: OpenApiResponse(ok, description="OK"),
        304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
        (404, PROBLEM): OpenApiResponse(
            ProblemSerializer, description="Unknown explainer or version."
        ),
    }
    if of_explainer:
        answers[301] = OpenApiResponse(
            description="An older slug: the same address under the current slug (Location)."
        )
        answers[410, PROBLEM] = OpenApiResponse(
            GoneSerializer, description="Withdrawn: `detail` is the desk's note to readers."
        )
    if bad_request:
        answers[400, PROBLEM] = OpenApiResponse(ProblemSerializer, description="A bad parameter.")
    # An error's key is (status, media type): its body is a problem, not application/json.
    return dict(
        sorted(
            answers.items(),
            key=lambda item: str(item[0][0] if isinstance(item[0], tuple) else item[0]),
        )
    )

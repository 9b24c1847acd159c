"""The API against its own OpenAPI description (docs/api.md, "The contract test"):
schemathesis generates requests for every operation /api/schema/ lists, positive and
negative, and each answer must be no server error and match the schema (status, content
type, headers, body). A newsroom full of unpublished words is seeded first, and no answer
to an anonymous request may carry any of them."""

from __future__ import annotations

import datetime
import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import missing_required_header, positive_data_acceptance

from explainers.core.textformat import export_text
from explainers.domain.api_tokens import make_token
from explainers.domain.comments import add_comment
from explainers.domain.hand_off import hand_in
from explainers.domain.publishing import publish
from explainers.domain.revisions import next_revision_number
from explainers.domain.scheduling import schedule
from explainers.domain.takedown import redact, withdraw
from explainers.models import Draft, Explainer, Question, stored_now
from tests.factories import make_document, make_explainer

EXAMPLES_PER_OPERATION = 50

# One word for each thing an anonymous reader must never get from the API.
MARKERS = {
    "working copy": "Quittenmarmelade",
    "autosave draft": "Kastanienallee",
    "scheduled publication's note": "Zeppelinhafen",
    "scheduled publication's internal note": "Walnusskern",
    "internal note of a publication": "Bernsteinzimmer",
    "desk comment": "Mondfinsternis",
    "hand-off message": "Leuchtturmwärter",
    "never-published explainer": "Pfefferminzwolke",
    "withdrawn explainer": "Kupferkessel",
    "redacted passage": "Zinnoberrot",
}

PUBLISHED = "zeitenwende-erklaert"
NEVER_PUBLISHED = "nie-veroeffentlicht"
WITHDRAWN = "zurueckgezogen"
RENAMED_FROM, RENAMED_TO = "alter-name", "neuer-name"
REDACTED_FROM = "warum-der-minister-soll-zinnoberrot-gesehen-haben"

# What valid generated requests also draw from, besides schemathesis' own values: real slugs
# (current, moved, withdrawn, redacted away, never published), keys, numbers, spans, words,
# base revisions. Invalid ones keep what schemathesis made, so that they stay invalid.
KNOWN = {
    "path_parameters": {
        "slug": [PUBLISHED, NEVER_PUBLISHED, WITHDRAWN, RENAMED_FROM, RENAMED_TO, REDACTED_FROM],
        "key": ["q-0001", "q-0002", "q-0003", "q-ffff"],
        "number": [1, 2, 3, 4],
        "span": ["1..2", "1..3", "2..3", "01..03", "3..1", "1..9"],
    },
    "query": {
        "q": ["Antwort", "Zeitenwende", *MARKERS.values()],
        "language": ["de", "en"],
        "updated_since": ["2020-01-01T00:00:00+01:00"],
        "page": [1, 2],
    },
    "headers": {"If-Match": [f'"rev-{n}"' for n in range(1, 6)]},
}


def known_or_generated(known: dict, generated) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {
            name: st.sampled_from(known[name]) | st.just(value) if name in known else st.just(value)
            for name, value in (generated or {}).items()
        }
    )


def with_known_values(case, bodies=()) -> st.SearchStrategy:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)
    parts = {where: known_or_generated(KNOWN[where], getattr(case, where)) for where in KNOWN}
    fitting = [body for body in bodies if type(body) is type(case.body)]
    parts["body"] = st.sampled_from(fitting) | st.just(case.body) if fitting else st.just(case.body)

    def filled(values: dict):
        for where, value in values.items():
            if getattr(case, where) is not None or value:  # no empty headers where there were none
                setattr(case, where, value)
        return case

    return st.fixed_dictionaries(parts).map(filled)


def published(**overrides) -> Explainer:
    explainer = make_explainer(**overrides)
    publish(explainer)
    return explainer


def revise(explainer, *, note: str, answer: str, **kwargs):
    Question.objects.filter(explainer=explainer, position=1).update(answer=answer)
    return publish(explainer, note=note, **kwargs)


def seed_newsroom(desk) -> None:
    explainer = published(slug=PUBLISHED, headline="Die Zeitenwende erklärt", questions=3)
    revise(explainer, note="Neue Lage.", answer="Zweite Antwort.")
    revise(
        explainer,
        kind="correction",
        note="Zahl berichtigt.",
        answer="Dritte Antwort.",
        internal_note=f"Intern: {MARKERS['internal note of a publication']}",
        user=desk,
    )
    Question.objects.filter(explainer=explainer, position=2).update(
        answer=f"Noch nicht veröffentlicht: {MARKERS['working copy']}."
    )
    Explainer.objects.filter(pk=explainer.pk).update(teaser=MARKERS["working copy"])
    explainer.refresh_from_db()
    Draft.objects.create(
        explainer=explainer,
        user=desk,
        fields=[["headline", MARKERS["autosave draft"]]],
        saved_at=stored_now(),
    )
    schedule(
        explainer,
        publish_at=timezone.now() + datetime.timedelta(days=1),
        note=MARKERS["scheduled publication's note"],
        internal_note=MARKERS["scheduled publication's internal note"],
        user=desk,
    )
    add_comment(explainer, user=desk, text=MARKERS["desk comment"], question_key="q-0001")
    hand_in(explainer, user=desk, message=MARKERS["hand-off message"])

    make_explainer(slug=NEVER_PUBLISHED, headline=MARKERS["never-published explainer"])

    gone = published(slug=WITHDRAWN, headline=f"Über {MARKERS['withdrawn explainer']}")
    withdraw(gone, note="Die Lage hat sich grundlegend geändert.", user=desk)

    moved = published(slug=RENAMED_FROM, language="en", headline="An explainer in English")
    Explainer.objects.filter(pk=moved.pk).update(slug=RENAMED_TO)
    moved.refresh_from_db()
    publish(moved, note="Renamed.")

    passage = f"Der Minister soll {MARKERS['redacted passage']} gesehen haben"
    redacted = published(slug=REDACTED_FROM, headline=passage)
    redact(redacted, passage=passage, reason="Einstweilige Verfügung", user=desk)


def leaked_markers(case, response) -> list[str]:
    body = response.text
    if (
        case.operation.path == "/api/v1/search/"
        and response.request.method == "GET"
        and response.status_code == 200
    ):
        # The search names its query in `query`: what it found is in `results`.
        body = json.dumps(response.json()["results"], ensure_ascii=False)
    body = body.casefold()
    return [what for what, word in MARKERS.items() if word.casefold() in body]


def no_unpublished_words(ctx, response, case):
    """A custom check: no anonymous answer carries anything readers were never shown, the
    explainer that was never published does not exist for them, and nothing is written."""
    leaked = leaked_markers(case, response)
    assert not leaked, f"an anonymous answer shows: {', '.join(leaked)}"
    if case.path_parameters.get("slug") == NEVER_PUBLISHED:
        # 404 as any unknown slug; 400 or 401 when a parameter or the token is refused first,
        # 301 when only the address is put in its one form ("01..03" → "1..3", same slug).
        same_slug = f"/{NEVER_PUBLISHED}/" in response.headers.get("location", [""])[0]
        assert response.status_code in (400, 401, 404) or (
            response.status_code == 301 and same_slug
        ), f"the never-published explainer answers {response.status_code}, not 404"
    if case.method not in ("GET", "HEAD", "OPTIONS"):
        assert response.status_code >= 400, f"an anonymous {case.method} got {response.status_code}"


def only_backwards_spans_refused(ctx, response, case):
    """The diff's stand-in for positive_data_acceptance: a span the schema allows is
    refused (400) only when it runs backwards, which no pattern can say."""
    if response.status_code != 400 or (case.meta and not case.meta.generation.mode.is_positive):
        return
    older, _, newer = case.path_parameters["span"].partition("..")
    assert int(older) >= int(newer), f"the valid span {case.path_parameters['span']} got a 400"


def call_and_validate(case):
    checks, excluded = [no_unpublished_words], []
    if "{span}" in case.path:
        checks.append(only_backwards_spans_refused)
        excluded.append(positive_data_acceptance)
    return case.call_and_validate(additional_checks=checks, excluded_checks=excluded)


# Loaded when the tests are collected (drf-spectacular builds it from the views, no
# database): one test per operation the schema lists.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
# No NUL characters: newsroom/nul_guard.py refuses them before any view, with the site's
# HTML 400 page (docs/api.md says so), not a problem the schema could describe.
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, allow_x00=False)
# A valid request may meet a withdrawn explainer (410, documented as such).
schema.config.checks.positive_data_acceptance.expected_statuses.append("410")


@schema.hook
def flatmap_case(context, case):
    return with_known_values(case)


@pytest.fixture
def newsroom(db, desk):
    seed_newsroom(desk)
    # The WSGI handler runs in the test's thread, inside its transaction: Django's own
    # test client unhooks the same two receivers, which would close that connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def statuses(newsroom, request):
    """Every status the operation answered: a reading operation must have reached a real
    explainer at least once, or the fuzzing proved nothing."""
    seen = set()
    yield seen
    if "[GET " in request.node.nodeid:
        assert 200 in seen, f"{request.node.nodeid} never answered 200, only {sorted(seen)}"


# CI draws the same examples on every run, so a red run is a finding that reproduces, not
# luck; elsewhere each run draws new ones (how the +21:10 offset PostgreSQL refuses was found).
IN_CI = os.environ.get("CI") == "true"


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=IN_CI)
def test_every_operation_keeps_its_contract_and_nothing_unpublished_leaks(case, statuses):
    statuses.add(call_and_validate(case).status_code)


READING = [
    result.ok()
    for result in schema.get_all_operations()
    if result.ok().method == "get" and "{slug}" in result.ok().path
]
BESIDES_THE_SLUG = {"key": "q-0001", "number": 1, "span": "1..2"}


@pytest.mark.parametrize(
    "slug, status",
    [
        (PUBLISHED, 200),
        (NEVER_PUBLISHED, 404),
        (WITHDRAWN, 410),
        (RENAMED_FROM, 301),
        (REDACTED_FROM, 410),
    ],
)
def test_each_explainer_address_answers_as_the_reader_pages_do(newsroom, slug, status):
    """The same checks on explicit cases, so that each kind of explainer is met for sure."""
    assert len(READING) >= 5
    for operation in READING:
        names = [parameter.name for parameter in operation.path_parameters]
        values = {name: BESIDES_THE_SLUG[name] for name in names if name != "slug"}
        case = operation.Case(path_parameters={"slug": slug, **values})
        response = call_and_validate(case)
        assert response.status_code == status, (operation.label, response.text[:200])


# The writes once more, with a token of a desk user who may publish: the import path and the
# three-way merge behind them must not answer 5xx or outside the schema either. The schema
# cannot say which texts or documents import cleanly, so a valid-looking body may be refused
# (400, 422): positive_data_acceptance is left out here, every other check stays.
writes = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler()).include(
    method="POST"
)
# Query parameters the schema does not name are ignored, as everywhere on the site.
writes.config.generation.update(
    max_examples=EXAMPLES_PER_OPERATION, allow_x00=False, allow_extra_parameters=False
)


def bodies_that_import() -> list:
    """Documents the import takes, as JSON and as text: a revision of the published
    explainer (clean on its latest revision, merged or in conflict on an older one), a new
    explainer (201 the first time, 409 once its slug is taken) and one whose image is not in
    the media storage (422)."""
    revision = make_document(slug=PUBLISHED, headline="Die Zeitenwende erklärt", questions=3)
    revision["questions"][2]["answer"] = "Von der Agentur."
    new = make_document(slug="aus-der-agentur", headline="Aus der Agentur", questions=2)
    pictured = make_document(slug="mit-bild", headline="Mit Bild", questions=1)
    pictured["image"] = {"src": "gibt-es-nicht.jpg", "alt": "Ein Bild"}
    documents = [revision, new, pictured]
    return documents + [export_text(document) for document in documents]


BODIES = bodies_that_import()


@writes.hook("flatmap_case")
def flatmap_write(context, case):
    return with_known_values(case, BODIES)


@pytest.fixture
def desk_token(newsroom, desk) -> str:
    return make_token(desk, "schemathesis").secret


@writes.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=IN_CI)
def test_every_write_keeps_its_contract_with_a_token(case, desk_token):
    # The token is sent with every request, also where schemathesis left the header out on
    # purpose: refusing a request without one is the anonymous test's part.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {desk_token}"},
        excluded_checks=[positive_data_acceptance, missing_required_header],
    )


def write(desk_token, path: str, body, base: int | None = None):
    operation = writes[path]["POST"]
    headers = {"If-Match": f'"rev-{base}"'} if base is not None else {}
    case = operation.Case(
        path_parameters={"slug": PUBLISHED} if "{slug}" in path else {},
        headers=headers,
        body=body,
        media_type="application/json" if isinstance(body, dict) else "text/plain",
    )
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {desk_token}"},
        excluded_checks=[positive_data_acceptance, missing_required_header],
    )
    return response.status_code, response.json()


def test_each_kind_of_write_answers_within_the_schema(desk_token):
    """Explicit writes, so that each answer the fuzzing may miss is met and checked: written,
    merged, in conflict (409 with both sides), base missing, slug taken, image missing."""
    revision, new, pictured = BODIES[:3]
    assert write(desk_token, "/api/v1/explainers/", new)[0] == 201
    assert write(desk_token, "/api/v1/explainers/", BODIES[4])[0] == 409  # the same as text
    assert write(desk_token, "/api/v1/explainers/", pictured)[0] == 422
    assert write(desk_token, "/api/v1/explainers/{slug}/revisions/", revision)[0] == 428
    status, merged = write(desk_token, "/api/v1/explainers/{slug}/revisions/", revision, 1)
    assert status == 201, merged  # the answer it changes was not touched since revision 1
    mine = {**revision, "questions": [dict(q) for q in revision["questions"]]}
    mine["questions"][1]["answer"] = "Die Agentur schreibt die zweite Antwort neu."
    status, conflict = write(desk_token, "/api/v1/explainers/{slug}/revisions/", mine, 1)
    assert status == 409 and conflict["conflicts"], conflict  # the desk changed it since
    latest = next_revision_number(Explainer.objects.get(slug=PUBLISHED)) - 1
    assert write(desk_token, "/api/v1/explainers/{slug}/revisions/", mine, latest)[0] == 201

"""The public read API (docs/api.md): publications only, shaped as documented, with the
reader pages' 301, 410, ETag and 304, and no word of anything unpublished."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from explainers.domain.comments import add_comment
from explainers.domain.hand_off import hand_in
from explainers.domain.publishing import publish
from explainers.domain.scheduling import schedule
from explainers.domain.takedown import redact, withdraw
from explainers.models import CurrentPublication, Draft, Explainer, Question, stored_now
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def published(**overrides):
    explainer = make_explainer(**overrides)
    publish(explainer)
    return explainer


def revise(explainer, *, kind="update", note="Neue Lage.", position=1, answer="Neue Antwort."):
    Question.objects.filter(explainer=explainer, position=position).update(answer=answer)
    return publish(explainer, kind=kind, note=note)


def api(name, *args):
    return reverse(f"api:{name}", args=args)


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    return response.json()


# Shapes


def test_the_list_shows_published_explainers_newest_first_never_drafts(client):
    older = published(headline="Das ältere Stück")
    newer = published(headline="Das neuere Stück", questions=4)
    make_explainer(headline="Ein Entwurf")
    body = get_json(client, api("explainers"))
    assert body["count"] == 2 and body["next"] is None
    assert [item["slug"] for item in body["results"]] == [newer.slug, older.slug]
    first = body["results"][0]
    assert first["headline"] == "Das neuere Stück" and first["questions"] == 4
    assert first["number"] == 1 and first["language"] == "de"
    assert first["url"].endswith(f"/explainers/{newer.slug}/")
    assert first["api_url"].endswith(api("explainer", newer.slug))


def test_the_list_is_paginated_by_twenty(client):
    for _ in range(21):
        published()
    first = get_json(client, api("explainers"))
    assert first["count"] == 21 and len(first["results"]) == 20
    second = get_json(client, first["next"])
    assert len(second["results"]) == 1 and second["previous"]
    problem = get_json(client, api("explainers") + "?page=9", status=404)
    assert problem["status"] == 404


def test_the_list_filters_by_language_and_by_the_last_change_readers_saw(client):
    german = published()
    english = published(language="en", headline="An explainer")
    assert [i["slug"] for i in get_json(client, api("explainers") + "?language=en")["results"]] == [
        english.slug
    ]
    changed = CurrentPublication.objects.get(explainer=english).changed_at
    later = (changed + datetime.timedelta(seconds=1)).isoformat()
    assert (
        get_json(client, api("explainers") + "?updated_since=" + later.replace("+", "%2B"))[
            "results"
        ]
        == []
    )
    revise(german)
    since = get_json(client, api("explainers") + "?updated_since=" + later.replace("+", "%2B"))
    assert [item["slug"] for item in since["results"]] == [german.slug]


def test_any_offset_iso_8601_allows_is_taken_and_the_ends_of_the_calendar_are_refused(client):
    published()
    far = get_json(client, api("explainers") + "?updated_since=7941-12-20T13:27:56%2B21:10")
    assert far["results"] == []  # PostgreSQL itself refuses offsets beyond 15:59
    early = get_json(client, api("explainers") + "?updated_since=1970-01-01T00:00:00-23:59")
    assert len(early["results"]) == 1
    get_json(client, api("explainers") + "?updated_since=9999-12-31T23:59:59-23:59", 400)


@pytest.mark.parametrize(
    "query, language, words",
    [
        ("updated_since=gestern", "de", "ist kein Zeitpunkt"),
        ("updated_since=2026-13-45T99:00", "de", "ISO 8601"),
        ("language=Deutsch!", "de", "ist kein Sprachcode"),
    ],
)
def test_bad_filters_are_a_400_problem_in_german(client, query, language, words):
    response = client.get(api("explainers") + "?" + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and words in problem["detail"]


def test_a_problem_speaks_the_readers_language(client):
    german = get_json(client, api("explainer", "gibt-es-nicht"), 404, HTTP_ACCEPT_LANGUAGE="de")
    english = get_json(client, api("explainer", "gibt-es-nicht"), 404, HTTP_ACCEPT_LANGUAGE="en")
    assert german["detail"] == "Dieses Erklärstück gibt es nicht."
    assert english["detail"] == "This explainer does not exist."
    bad = get_json(client, api("diff", "x", "3..1"), 400, HTTP_ACCEPT_LANGUAGE="en")
    assert bad["detail"] == "The first version must be older than the second, e.g. 1..3."


def test_the_explainer_is_its_current_publication_with_facts_and_stored_answers(client):
    explainer = published(byline="Anna Beispiel")
    publication = revise(
        explainer, kind="correction", note="Zahl berichtigt.", answer="Neu **fett**."
    )
    body = get_json(client, api("explainer", explainer.slug))
    assert body["number"] == 2 and body["kind"] == "correction" and body["is_latest"]
    assert body["note"] == "Zahl berichtigt." and body["byline"] == "Anna Beispiel"
    assert body["document"] == {**publication.document, "image": None}
    assert body["answers_html"] == publication.rendered_answers
    assert "<strong>fett</strong>" in body["answers_html"]["q-0001"]
    assert [entry["number"] for entry in body["change_log"]] == [2]
    assert body["change_log"][0]["note"] == "Zahl berichtigt."
    for moment in ("published_at", "stand_at", "first_published_at"):
        assert datetime.datetime.fromisoformat(body[moment])


def test_one_question_with_the_sources_it_cites(client):
    explainer = published(questions=3, sources=2)
    body = get_json(client, api("question", explainer.slug, "q-0001"))
    assert body["question"]["question"] == "Was ist Frage 1?" and body["position"] == 1
    assert "Antwort auf Frage 1." in body["answer_html"]
    assert [source["key"] for source in body["sources"]] == ["quelle-1"]
    assert body["url"].endswith(f"/explainers/{explainer.slug}/#frage-1")
    missing = get_json(client, api("question", explainer.slug, "q-ffff"), 404)
    assert missing["detail"] == "Diese Frage gibt es nicht."


def test_versions_and_one_version_as_it_was_published(client):
    explainer = published()
    revise(explainer, note="Zweite Lage.", answer="Zweite Antwort.")
    versions = get_json(client, api("versions", explainer.slug))["versions"]
    assert [(v["number"], v["kind"], v["note"]) for v in versions] == [
        (2, "update", "Zweite Lage."),
        (1, "first", ""),
    ]
    assert versions[0]["diff_api_url"].endswith(api("diff", explainer.slug, "1..2"))
    assert versions[1]["diff_api_url"] is None
    first = get_json(client, versions[1]["api_url"])
    assert first["number"] == 1 and not first["is_latest"]
    assert first["document"]["questions"][0]["answer"].startswith("Antwort auf Frage 1.")
    assert first["url"].endswith(f"/explainers/{explainer.slug}/v1/")
    assert get_json(client, api("version", explainer.slug, 3), 404)["detail"] == (
        "Diese Fassung gibt es nicht."
    )
    padded = client.get(f"/api/v1/explainers/{explainer.slug}/versions/002/")
    assert padded.status_code == 301 and padded["Location"] == api("version", explainer.slug, 2)


def test_the_diff_is_the_structure_the_reader_diff_page_renders(client):
    explainer = published(questions=3)
    Question.objects.filter(explainer=explainer, position=3).delete()
    Question.objects.filter(explainer=explainer, position=1).update(answer="Ganz neue Antwort.")
    publish(explainer, note="Frage 3 entfällt.")
    body = get_json(client, api("diff", explainer.slug, "1..2"))
    assert (body["older"], body["newer"]) == (1, 2)
    assert [note["note"] for note in body["notes"]] == ["Frage 3 entfällt."]
    by_key = {entry["key"]: entry for entry in body["diff"]["questions"]}
    assert by_key["q-0001"]["status"] == "changed" and by_key["q-0003"]["status"] == "removed"
    assert "Antwort auf Frage 3." in by_key["q-0003"]["answer_html"]
    assert body["diff"]["counts"]["removed"] == 1 and body["diff"]["counts"]["changed"] == 1
    assert body["url"].endswith(f"/explainers/{explainer.slug}/diff/1..2/")
    assert client.get(api("diff", explainer.slug, "01..02"))["Location"] == api(
        "diff", explainer.slug, "1..2"
    )
    for span, status in [("2..1", 400), ("1-2", 400), ("1..9", 404)]:
        get_json(client, api("diff", explainer.slug, span), status)


def test_search_finds_a_question_by_its_answer(client):
    explainer = published()
    Question.objects.filter(explainer=explainer, position=2).update(answer="Vom Zitronenfalter.")
    publish(explainer, note="Falter.")
    body = get_json(client, api("search") + "?q=Zitronenfalter")
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["slug"] == explainer.slug and hit["title"] == "Was ist Frage 2?"
    assert "<mark>" in hit["snippet"] and hit["url"].endswith("#frage-2")
    assert get_json(client, api("search") + "?q=")["count"] == 0
    assert get_json(client, api("search") + "?q=" + "x" * 300, 400)["status"] == 400


# Behaviour shared with the reader pages


def test_a_withdrawn_explainer_answers_410_with_the_desks_note(client, desk):
    explainer = published()
    withdraw(explainer, note="Die Lage hat sich grundlegend geändert.", user=desk)
    slug = explainer.slug
    urls = [api("explainer", slug), api("versions", slug), api("version", slug, 1),
            api("question", slug, "q-0001"), api("diff", slug, "1..2")]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 410, url
        assert response.json()["detail"] == "Die Lage hat sich grundlegend geändert."
    assert get_json(client, api("explainers"))["count"] == 0


def test_a_renamed_slug_answers_301_to_the_same_api_address(client):
    explainer = published()
    old = explainer.slug
    Explainer.objects.filter(pk=explainer.pk).update(slug="neuer-name")
    assert get_json(client, api("explainer", old))["slug"] == old  # unpublished rename
    get_json(client, api("explainer", "neuer-name"), 404)
    explainer.refresh_from_db()
    publish(explainer, note="Umbenannt.")
    for name, args in [("explainer", []), ("versions", []), ("version", [1]),
                       ("diff", ["1..2"]), ("question", ["q-0001"])]:  # fmt: skip
        response = client.get(api(name, old, *args))
        assert response.status_code == 301, name
        assert response["Location"] == api(name, "neuer-name", *args)


def test_a_slug_a_redaction_took_away_answers_410_without_the_passage(client, desk):
    passage = "Minister X soll bestochen worden sein"
    explainer = published(slug="warum-minister-x-soll-bestochen-worden-sein", headline=passage)
    old = explainer.slug
    redact(explainer, passage=passage, reason="Einstweilige Verfügung", user=desk)
    response = client.get(api("explainer", old))
    assert response.status_code == 410
    assert response.json()["address_removed"] is True
    assert "bestochen" not in response.content.decode()
    assert get_json(client, api("explainer", "warum"))["slug"] == "warum"


def test_etag_last_modified_304_and_the_reader_pages_freshness_promise(client, settings):
    explainer = published()
    first = client.get(api("explainer", explainer.slug))
    page = client.get(reverse("explainers:detail", args=[explainer.slug]))
    assert first["Cache-Control"] == page["Cache-Control"]
    assert first["Last-Modified"] == page["Last-Modified"]
    assert "Accept-Language" in first["Vary"]
    again = client.get(api("explainer", explainer.slug), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    revise(explainer)
    moved_on = client.get(api("explainer", explainer.slug), HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved_on.status_code == 200 and moved_on["ETag"] != first["ETag"]
    assert moved_on["Last-Modified"] != first["Last-Modified"]


def test_cors_follows_the_setting_and_only_under_api(client, settings):
    explainer = published()
    origin = {"HTTP_ORIGIN": "https://partner.example"}
    assert "Access-Control-Allow-Origin" not in client.get(api("explainers"), **origin)
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example"]
    allowed = client.get(api("explainers"), **origin)
    assert allowed["Access-Control-Allow-Origin"] == "https://partner.example"
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    page = client.get(reverse("explainers:detail", args=[explainer.slug]), **origin)
    assert "Access-Control-Allow-Origin" not in page
    other = client.get(api("explainers"), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_an_unknown_api_address_is_a_problem_too(client):
    explainer = published()
    for url in ["/api/v2/explainers/", f"/api/v1/explainers/{explainer.slug}/fragen/"]:
        response = client.get(url)
        assert response.status_code == 404 and response.json()["status"] == 404, url
    assert client.get("/api/v1/search")["Location"] == "/api/v1/search/"


def test_the_api_only_reads(client):
    explainer = published()
    for method in (client.post, client.put, client.delete):
        response = method(api("explainer", explainer.slug))
        assert response.status_code == 405
        assert response.json()["status"] == 405


# Nothing unpublished


MARKERS = {
    "working copy": "Quittenmarmelade",
    "draft": "Kastanienallee",
    "schedule note": "Zeppelinhafen",
    "schedule internal note": "Walnusskern",
    "comment": "Mondfinsternis",
    "internal note": "Bernsteinzimmer",
    "hand-off message": "Leuchtturmwärter",
}


def test_no_api_answer_contains_anything_unpublished(client, desk):
    explainer = published(questions=2)
    publish_with_internal = revise(explainer, answer="Zweite Fassung.")
    type(publish_with_internal).objects.filter(pk=publish_with_internal.pk).update(
        internal_note=f"Intern: {MARKERS['internal note']}"
    )
    Question.objects.filter(explainer=explainer, position=1).update(
        answer=f"Unveröffentlicht: {MARKERS['working copy']}."
    )
    Explainer.objects.filter(pk=explainer.pk).update(teaser=MARKERS["working copy"])
    Draft.objects.create(
        explainer=explainer,
        user=desk,
        fields=[["headline", MARKERS["draft"]]],
        saved_at=stored_now(),
    )
    explainer.refresh_from_db()
    schedule(
        explainer,
        publish_at=timezone.now() + datetime.timedelta(days=1),
        note=MARKERS["schedule note"],
        internal_note=MARKERS["schedule internal note"],
        user=desk,
    )
    add_comment(explainer, user=desk, text=MARKERS["comment"], question_key="q-0001")
    hand_in(explainer, user=desk, message=MARKERS["hand-off message"])
    urls = [
        api("explainers"),
        api("explainer", explainer.slug),
        api("question", explainer.slug, "q-0001"),
        api("versions", explainer.slug),
        api("version", explainer.slug, 1),
        api("version", explainer.slug, 2),
        api("diff", explainer.slug, "1..2"),
        api("search") + "?q=Antwort",
    ]
    answers = [client.get(url).content.decode() for url in urls]
    for word in MARKERS.values():  # a search names its query: only the hits count
        hits = get_json(client, api("search") + f"?q={word}")["results"]
        answers.append(json.dumps(hits, ensure_ascii=False))
    answers = "\n".join(answers)
    assert "Zweite Fassung." in answers  # what was published is there
    leaked = [what for what, word in MARKERS.items() if word in answers]
    assert leaked == []


# Cost


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def endpoint_costs(client, explainer, last: int) -> dict:
    slug = explainer.slug
    urls = {
        "list": api("explainers"),
        "explainer": api("explainer", slug),
        "question": api("question", slug, "q-0002"),
        "versions": api("versions", slug),
        "version": api("version", slug, 1),
        "diff": api("diff", slug, f"1..{last}"),
        "search": api("search") + "?q=Antwort",
    }
    return {name: queries_of(client, url) for name, url in urls.items()}


def test_each_endpoint_costs_the_same_queries_whatever_the_questions_and_publications(client):
    small = published(questions=2)
    revise(small, answer="Eins.")
    large = published(questions=40)
    for n in range(8):
        revise(large, answer=f"Fassung {n}.", position=2)
    few = endpoint_costs(client, small, 2)
    many = endpoint_costs(client, large, 9)
    assert few == many
    assert max(few.values()) <= 3, few


# The schema


def test_the_schema_validates_without_warnings(capsys):
    call_command("spectacular", "--validate", "--fail-on-warn")
    assert "openapi: 3" in capsys.readouterr().out


def test_the_schema_documents_every_status_each_operation_can_answer(client):
    schema = get_json(client, reverse("api:schema") + "?format=json")
    operations = {  # the read operations; the ingest API's POSTs: tests/test_api_ingest.py
        path: item["get"]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/") and "get" in item
    }
    assert len(operations) == 7
    for path, operation in operations.items():
        statuses = set(operation["responses"])
        assert {"200", "304", "404"} <= statuses, path
        if "{slug}" in path:
            assert {"301", "410"} <= statuses, path
            assert "Location" in operation["responses"]["301"]["headers"], path
        assert "ETag" in operation["responses"]["200"]["headers"], path
    assert "400" in operations["/api/v1/explainers/"]["responses"]
    assert "400" in operations["/api/v1/explainers/{slug}/diff/{span}/"]["responses"]
    assert "400" in operations["/api/v1/search/"]["responses"]
    gone = operations["/api/v1/explainers/{slug}/"]["responses"]["410"]
    assert "application/problem+json" in gone["content"]  # as the 410 is sent


def test_the_docs_page_loads_swagger_ui_from_our_static_files(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "<style" not in page
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()

"""The ingest API (docs/api.md): a text-format or JSON body written as a new explainer or a
new revision through the import path, on top of a named base revision; a stale base is
merged, a conflict answers 409 with both sides; publishing needs the right and a note; bad
input is a problem in the sender's language, and whatever is refused writes nothing."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from reversion.models import Revision

from explainers.domain.api_tokens import make_token
from explainers.domain.builders import document_from_explainer
from explainers.domain.importing import import_document
from explainers.domain.revisions import latest_revision
from explainers.models import Explainer, Publication
from tests.factories import make_document

pytestmark = pytest.mark.django_db

TEXT = """Titel: Was die Waffenruhe bedeutet
Slug: waffenruhe
Dachzeile: Ukraine-Krieg
Sprache: de

Eine Waffenruhe ist noch kein Frieden.

Was regelt eine Waffenruhe? {#q-regelt}
Sie regelt das Ende der Kampfhandlungen.

Wer überwacht sie? {#q-wer}
Das ist offen.
"""


def text(regelt="Sie regelt das Ende der Kampfhandlungen.", wer="Das ist offen.", head=""):
    body = TEXT.replace("Sie regelt das Ende der Kampfhandlungen.", regelt)
    return head + body.replace("Das ist offen.", wer)


@pytest.fixture
def secret(desk):
    return make_token(desk, "Agentur").secret


@pytest.fixture
def reporter_secret(reporter):
    return make_token(reporter, "Reporter-Skript").secret


def post(client, secret, body, *, slug=None, base=None, query="", language="de", **headers):
    url = reverse("api:revisions", args=[slug]) if slug else reverse("api:explainers")
    if base is not None:
        headers["HTTP_IF_MATCH"] = f'"rev-{base}"'
    if isinstance(body, dict):
        data, content_type = json.dumps(body), "application/json"
    else:
        data, content_type = body, "text/plain; charset=utf-8"
    return client.post(
        url + query,
        data=data,
        content_type=headers.pop("content_type", content_type),
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE=language,
        **headers,
    )


def written() -> tuple[int, int, int]:
    return Explainer.objects.count(), Revision.objects.count(), Publication.objects.count()


def answers(explainer) -> dict[str, str]:
    return {q["key"]: q["answer"] for q in document_from_explainer(explainer)["questions"]}


def created(client, secret, body=None) -> Explainer:
    response = post(client, secret, body or text())
    assert response.status_code == 201, response.content
    return Explainer.objects.get(slug=response.json()["slug"])


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


# Writing


def test_a_new_explainer_from_text_is_written_as_the_import_writes_it(client, desk, secret):
    response = post(client, secret, text())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "waffenruhe" and body["created"] is True
    assert body["revision"] == 1 and response["ETag"] == '"rev-1"'
    assert body["merged_from"] is None and body["publication"] is None
    explainer = Explainer.objects.get()
    assert explainer.headline == "Was die Waffenruhe bedeutet"
    assert list(answers(explainer)) == ["q-regelt", "q-wer"]
    revision = latest_revision(explainer)
    assert revision.user == desk
    assert revision.get_comment().startswith("Über die API angelegt (Token „Agentur (nrx_")
    assert not Publication.objects.exists()


def test_a_json_document_makes_a_new_explainer(client, secret):
    document = make_document(questions=2)
    response = post(client, secret, document)
    assert response.status_code == 201, response.content
    explainer = Explainer.objects.get(slug=document["slug"])
    stored = document_from_explainer(explainer)
    assert [q["answer"] for q in stored["questions"]] == [
        q["answer"] for q in document["questions"]
    ]
    assert [s["key"] for s in stored["sources"]] == ["quelle-1", "quelle-2"]


def test_a_revision_on_the_latest_base_is_one_new_revision(client, secret):
    explainer = created(client, secret)
    before = written()
    response = post(client, secret, text(wer="Die OSZE."), slug="waffenruhe", base=1)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["revision"], body["created"], body["merged_from"]) == (2, False, None)
    assert response["ETag"] == '"rev-2"'
    assert written() == (before[0], before[1] + 1, before[2])
    assert answers(explainer)["q-wer"] == "Die OSZE."
    assert latest_revision(explainer).get_comment().startswith("Über die API (Token „Agentur")


def test_a_revision_keeps_the_slug_of_its_address(client, secret):
    created(client, secret)
    other_slug = text(wer="Die UN.").replace("Slug: waffenruhe", "Slug: ganz-anders")
    response = post(client, secret, other_slug, slug="waffenruhe", base=1)
    assert response.status_code == 201, response.content
    assert list(Explainer.objects.values_list("slug", flat=True)) == ["waffenruhe"]


def test_a_stale_base_with_a_clean_merge_writes_both_changes(client, desk, secret):
    explainer = created(client, secret)
    desk_edit = {**document_from_explainer(explainer), "kicker": "Krieg in der Ukraine"}
    import_document(desk_edit, replace=True, user=desk)  # revision 2, by an editor
    response = post(client, secret, text(wer="Die OSZE."), slug="waffenruhe", base=1)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["revision"], body["merged_from"]) == (3, 1)
    explainer.refresh_from_db()
    assert explainer.kicker == "Krieg in der Ukraine"  # the editor's change stays
    assert answers(explainer)["q-wer"] == "Die OSZE."  # and the agency's is there
    comment = latest_revision(explainer).get_comment()
    assert "zusammengeführt" in comment and "Revision 1" in comment and "Revision 2" in comment


def test_a_stale_base_with_a_conflict_answers_409_with_both_sides_and_writes_nothing(
    client, desk, secret
):
    explainer = created(client, secret)
    edited = document_from_explainer(explainer)
    edited["questions"][0]["answer"] = "Laut Redaktion: das Schweigen der Waffen."
    import_document(edited, replace=True, user=desk)
    before, working_copy = written(), document_from_explainer(explainer)
    mine = "Laut Agentur: eine Linie, an der die Truppen stehen bleiben."
    response = post(client, secret, text(regelt=mine, wer="Die OSZE."), slug="waffenruhe", base=1)
    problem = problem_of(response, 409)
    assert (problem["base_revision"], problem["latest_revision"]) == (1, 2)
    assert "Nichts wurde gespeichert" in problem["detail"]
    [conflict] = problem["conflicts"]
    assert conflict["place"] == "„Was regelt eine Waffenruhe?“ – Antwort"
    assert conflict["theirs"] == "Laut Redaktion: das Schweigen der Waffen."
    assert conflict["yours"] == mine
    assert written() == before
    assert document_from_explainer(explainer) == working_copy  # not even the clean part


def test_a_pruned_base_merges_without_one_so_every_difference_is_a_conflict(client, desk, secret):
    explainer = created(client, secret)
    import_document(
        {**document_from_explainer(explainer), "kicker": "Krieg in der Ukraine"},
        replace=True,
        user=desk,
    )
    Revision.objects.filter(explainer_number__number=1).delete()  # pruned (retention)
    before = written()
    problem = problem_of(
        post(client, secret, text(wer="Die OSZE."), slug="waffenruhe", base=1), 409
    )
    places = {c["place"]: (c["theirs"], c["yours"]) for c in problem["conflicts"]}
    assert places["Dachzeile"] == ("Krieg in der Ukraine", "Ukraine-Krieg")
    assert places["„Wer überwacht sie?“ – Antwort"] == ("Das ist offen.", "Die OSZE.")
    assert written() == before


def test_no_base_on_an_existing_explainer_is_428_and_an_unknown_one_412(client, secret):
    created(client, secret)
    before = written()
    problem = problem_of(post(client, secret, text(wer="Neu."), slug="waffenruhe"), 428)
    assert "If-Match" in problem["detail"]
    problem = problem_of(post(client, secret, text(wer="Neu."), slug="waffenruhe", base=7), 412)
    assert problem["detail"] == "Revision 7 gibt es nicht; die neueste ist Revision 1."
    assert written() == before


# Publishing


def test_a_reporter_writes_a_revision_but_cannot_publish(client, reporter_secret):
    created(client, reporter_secret)
    before = written()
    refused = post(
        client, reporter_secret, text(wer="Neu."), slug="waffenruhe", base=1,
        query="?publish=update&note=Neue+Lage",
    )  # fmt: skip
    problem = problem_of(refused, 403)
    assert "reporter darf nicht veröffentlichen" in problem["detail"]
    assert written() == before
    response = post(client, reporter_secret, text(wer="Neu."), slug="waffenruhe", base=1)
    assert response.status_code == 201 and response.json()["revision"] == 2


def test_publishing_in_the_same_request_needs_a_note_where_the_desk_requires_one(client, secret):
    first = post(client, secret, text(), query="?publish=first")
    assert first.status_code == 201, first.content
    assert first.json()["publication"]["number"] == 1
    before = written()
    no_note = post(client, secret, text(wer="Die UN."), slug="waffenruhe", base=1,
                   query="?publish=update")  # fmt: skip
    problem = problem_of(no_note, 422)
    assert problem["detail"] == "Für „Aktualisierung“ ist ein Hinweis für Leser nötig."
    assert written() == before  # the revision went back with the publication
    update = post(client, secret, text(wer="Die UN."), slug="waffenruhe", base=1,
                  query="?publish=update&note=Die+UN+%C3%BCberwacht.")  # fmt: skip
    assert update.status_code == 201, update.content
    publication = update.json()["publication"]
    assert (publication["number"], publication["kind"]) == (2, "update")
    assert publication["api_url"].endswith("/api/v1/explainers/waffenruhe/")
    assert Publication.objects.get(number=2).note == "Die UN überwacht."
    assert client.get(publication["api_url"]).json()["number"] == 2


# Images


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "eingang").mkdir(parents=True)
    return settings.MEDIA_ROOT


def test_an_image_must_name_a_file_already_in_the_media_storage(client, secret, media):
    missing = post(client, secret, text(head="Bild: eingang/foto.png\n"))
    problem = problem_of(missing, 422)
    assert problem["detail"] == (
        "Zeile 1 („Bild: eingang/foto.png“): Im Medienordner gibt es diese Datei nicht."
    )
    assert written() == (0, 0, 0)
    picture = io.BytesIO()
    Image.new("RGB", (600, 300), "blue").save(picture, "PNG")
    (media / "eingang" / "foto.png").write_bytes(picture.getvalue())
    response = post(client, secret, text(head="Bild: eingang/foto.png\n"))
    assert response.status_code == 201, response.content
    stored = Explainer.objects.get().image.name
    assert stored.startswith("explainers/") and stored.endswith("/foto.png")


# Bad input


BAD = [
    ("no question", "Titel: Ohne Fragen\n\nNur ein Satz.", {}, 400, "Keine Frage gefunden"),
    ("broken json", "{", {"content_type": "application/json"}, 400, "kein gültiges JSON"),
    ("unknown field", '{"headline": "X", "titel": "Y"}', {"content_type": "application/json"},
     400, "unbekannte Feld „titel“"),
    ("not utf-8", "Titel: Gr\xfc\xdfe".encode("latin-1"), {}, 400, "kein gültiges UTF-8"),
    ("wrong type", TEXT, {"content_type": "application/xml"}, 415, "text/plain; charset=utf-8"),
    ("wrong charset", TEXT, {"content_type": "text/plain; charset=latin-1"}, 415, "utf-8"),
    ("too large", TEXT + "x" * 1_000_001, {}, 413, "höchstens 1 MB"),
    ("taken slug", TEXT, {}, 409, "gibt es schon"),
    ("unknown publish kind", TEXT, {"query": "?publish=sofort"}, 422, "Unbekannte Art"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "body", "options", "status", "words"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_input_is_a_problem_in_german_and_writes_nothing(
    client, secret, case, body, options, status, words
):
    if case == "taken slug":
        created(client, secret)
    before = written()
    problem = problem_of(post(client, secret, body, **options), status)
    assert words in problem["detail"], problem
    assert written() == before


def test_bad_input_on_a_revision_writes_nothing(client, secret):
    created(client, secret)
    before = written()
    unknown = post(client, secret, text(), slug="gibt-es-nicht", base=1)
    assert problem_of(unknown, 404)["detail"] == "Dieses Erklärstück gibt es nicht."
    bad_base = post(client, secret, text(), slug="waffenruhe", HTTP_IF_MATCH="7")
    assert "If-Match" in problem_of(bad_base, 400)["detail"]
    duplicate = text().replace("{#q-wer}", "{#q-regelt}")
    problem = problem_of(post(client, secret, duplicate, slug="waffenruhe", base=1), 400)
    assert "q-regelt" in problem["detail"]
    assert written() == before


def test_problems_speak_english_with_accept_language_en(client, secret, reporter_secret, media):
    created(client, secret)
    unknown = post(client, secret, text(), slug="gibt-es-nicht", base=1, language="en")
    assert problem_of(unknown, 404)["detail"] == "This explainer does not exist."
    publish = post(
        client, reporter_secret, text(wer="Neu."), slug="waffenruhe", base=1,
        query="?publish=update&note=x", language="en",
    )  # fmt: skip
    assert problem_of(publish, 403)["detail"] == (
        "reporter may not publish (permission “Can publish explainers”)."
    )
    image = post(client, secret, {**make_document(), "image": {"src": "eingang/x.png", "alt": ""}},
                 language="en")  # fmt: skip
    assert problem_of(image, 422)["detail"] == (
        "Image “eingang/x.png”: There is no such file in the media folder."
    )


# Cost


def revision_queries(client, secret, questions: int) -> int:
    document = make_document(questions=questions)
    response = post(client, secret, document)
    assert response.status_code == 201
    document["questions"][0]["answer"] = "Neu geschrieben."
    with CaptureQueriesContext(connection) as queries:
        response = post(client, secret, document, slug=document["slug"], base=1)
    assert response.status_code == 201, response.content
    return len(queries)


def test_writing_a_revision_costs_a_bounded_number_of_queries(client, secret):
    few = revision_queries(client, secret, 3)
    many = revision_queries(client, secret, 30)
    assert few == many  # measured: 49 (token, lock, import, revision), whatever the length
    assert few <= 50, few


# The schema


def test_the_schema_documents_the_ingest_operations(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    for path, statuses in (
        ("/api/v1/explainers/", {"201", "400", "401", "403", "409", "413", "415", "422"}),
        ("/api/v1/explainers/{slug}/revisions/", {"404", "409", "412", "428"}),
    ):
        operation = schema["paths"][path]["post"]
        assert operation["security"] == [{"apiToken": []}], path
        assert set(operation["requestBody"]["content"]) == {"text/plain", "application/json"}
        assert statuses <= set(operation["responses"]), path
    assert schema["paths"]["/api/v1/explainers/"]["get"]["security"] == [{}]  # anonymous
    conflict = schema["paths"]["/api/v1/explainers/{slug}/revisions/"]["post"]["responses"]["409"]
    [content] = conflict["content"].values()
    assert content["schema"]["$ref"] == "#/components/schemas/ConflictProblem"
    assert "conflicts" in schema["components"]["schemas"]["ConflictProblem"]["properties"]

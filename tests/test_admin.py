"""The editors' admin through Django's test client."""

import pytest
from django.urls import reverse
from reversion.models import Version

from explainers.domain.builders import document_from_explainer
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision, revisions_of
from explainers.models import Explainer, Question, Source
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db


def change_url(explainer):
    return reverse("admin:explainers_explainer_change", args=[explainer.pk])


def post_change(client, explainer, form):
    return client.post(change_url(explainer), encode(form))


@pytest.fixture
def explainer():
    return make_explainer(questions=3, sources=2)


def test_the_change_page_shows_fields_questions_and_sources_in_german(client, reporter, explainer):
    client.force_login(reporter)
    response = client.get(change_url(explainer))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Überschrift",
        "Fragen",
        "Verwendete Quellen",
        "Was ist Frage 2?",
        "Versionsgeschichte",
    ):
        assert text in html
    assert "Veröffentlichen …" not in html  # reporters do not publish


def test_the_desk_sees_the_publish_button(client, desk, explainer):
    client.force_login(desk)
    assert "Veröffentlichen …" in client.get(change_url(explainer)).content.decode()


def test_a_save_is_one_revision_with_user_and_comment(client, reporter, explainer):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = "Überarbeitet [^quelle-2]."
    response = post_change(client, explainer, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    revision = latest_revision(explainer)
    assert revisions_of(explainer).count() == 2
    assert revision.user == reporter
    assert revision.get_comment()
    assert document_from_explainer(explainer)["questions"][0]["cites"] == ["quelle-2"]


def test_a_marker_may_name_a_source_added_in_the_same_save(client, reporter, explainer):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["sources"].append(
        {
            "key": "dlf",
            "label": "Interview",
            "publisher": "deutschlandfunk.de",
            "kind": "interview",
            "explainer": explainer.pk,
            "position": 3,
        }
    )
    form["questions"][1]["answer"] = "Laut Botschafter [^dlf] ja."
    assert post_change(client, explainer, form).status_code == 302
    assert document_from_explainer(explainer)["questions"][1]["cites"] == ["dlf"]


def test_an_unknown_marker_is_a_form_error_and_nothing_is_saved(client, reporter, explainer):
    client.force_login(reporter)
    before = document_from_explainer(explainer)
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = "Belegt mit [^gibtsnicht]."
    form["main"]["headline"] = "Darf nicht gespeichert werden"
    response = post_change(client, explainer, form)
    assert response.status_code == 200
    assert "Keine Quelle mit dem Schlüssel gibtsnicht" in response.content.decode()
    assert document_from_explainer(explainer) == before
    assert revisions_of(explainer).count() == 1


def test_deleting_a_source_that_an_answer_still_cites_is_a_form_error(client, reporter, explainer):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["sources"][0]["DELETE"] = True  # quelle-1 is cited by question 1
    response = post_change(client, explainer, form)
    assert response.status_code == 200
    assert Source.objects.filter(explainer=explainer).count() == 2


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>", "ftp://example.org/x"]
)
def test_a_source_url_that_is_not_http_is_a_form_error(client, reporter, explainer, url):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["sources"][1]["url"] = url
    response = post_change(client, explainer, form)
    assert response.status_code == 200
    assert not Source.objects.filter(url=url).exists()


def test_a_javascript_link_in_an_answer_is_a_form_error(client, reporter, explainer):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = "[Klick](javascript:alert(1))"
    response = post_change(client, explainer, form)
    assert response.status_code == 200
    assert "http://, https:// oder mailto:" in response.content.decode()


def test_reordering_questions_swaps_positions_without_a_constraint_error(
    client, reporter, explainer
):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["position"], form["questions"][2]["position"] = 3, 1
    assert post_change(client, explainer, form).status_code == 302
    questions = [q["question"] for q in document_from_explainer(explainer)["questions"]]
    assert questions == ["Was ist Frage 3?", "Was ist Frage 2?", "Was ist Frage 1?"]


def test_two_questions_can_swap_anchors_in_one_save(client, reporter, explainer):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["anchor"], form["questions"][1]["anchor"] = "frage-2", "frage-1"
    assert post_change(client, explainer, form).status_code == 302
    anchors = [q["anchor"] for q in document_from_explainer(explainer)["questions"]]
    assert anchors[:2] == ["frage-2", "frage-1"]


def test_a_new_question_gets_a_key_and_an_anchor_from_its_text(client, reporter, explainer):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"].append(
        {
            "question": "Würde Deutschland Truppen schicken?",
            "anchor": "",
            "answer": "Unklar.",
            "explainer": explainer.pk,
            "position": 4,
        }
    )
    assert post_change(client, explainer, form).status_code == 302
    new = Question.objects.get(explainer=explainer, question__startswith="Würde")
    assert new.anchor == "wuerde-deutschland-truppen-schicken"
    assert new.key.startswith("q-")


def test_deleting_a_question_and_moving_another_into_its_place(client, reporter, explainer):
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["DELETE"] = True
    form["questions"][2]["position"] = 1
    assert post_change(client, explainer, form).status_code == 302
    questions = [q["question"] for q in document_from_explainer(explainer)["questions"]]
    assert questions == ["Was ist Frage 3?", "Was ist Frage 2?"]


def test_the_list_shows_status_last_publication_and_overdue_reviews(client, reporter):
    draft = make_explainer()
    published = make_explainer()
    publish(published)
    Explainer.objects.filter(pk=draft.pk).update(review_by="2020-01-01")
    client.force_login(reporter)
    html = client.get(reverse("admin:explainers_explainer_changelist")).content.decode()
    assert "Entwurf" in html and "veröffentlicht" in html
    assert "v1, " in html
    assert "überfällig" in html
    overdue = client.get(reverse("admin:explainers_explainer_changelist") + "?review=overdue")
    assert draft.headline in overdue.content.decode()
    assert published.headline not in overdue.content.decode()


def test_the_list_says_unpublished_changes(client, reporter):
    explainer = make_explainer()
    publish(explainer)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["main"]["teaser"] = "Neuer Teaser."
    post_change(client, explainer, form)
    url = reverse("admin:explainers_explainer_changelist") + "?status=unpublished_changes"
    html = client.get(url).content.decode()
    assert explainer.headline in html and "unveröffentlichte Änderungen" in html


def test_search_finds_explainers_by_question_text(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    url = reverse("admin:explainers_explainer_changelist") + "?q=Frage+2"
    assert explainer.headline in client.get(url).content.decode()


# History, revision view, compare, revert


def test_history_is_paginated_with_user_and_comment(client, reporter, explainer):
    client.force_login(reporter)
    for n in range(3):
        form = change_form_data(explainer)
        form["main"]["teaser"] = f"Fassung {n}."
        post_change(client, explainer, form)
    url = reverse("admin:explainers_explainer_history", args=[explainer.pk])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 Revisionen" in html and "reporter" in html and "Importiert" in html


def test_the_history_page_size_is_bounded(client, reporter, explainer, monkeypatch):
    from explainers.desk import admin_history

    monkeypatch.setattr(admin_history, "HISTORY_PAGE_SIZE", 2)
    client.force_login(reporter)
    for n in range(3):
        form = change_form_data(explainer)
        form["main"]["teaser"] = f"Fassung {n}."
        post_change(client, explainer, form)
    url = reverse("admin:explainers_explainer_history", args=[explainer.pk])
    assert "Seite 1 von 2" in client.get(url).content.decode()


def test_a_revision_is_shown_read_only_from_its_document(client, reporter, explainer):
    first = latest_revision(explainer)
    Question.objects.filter(explainer=explainer, position=1).update(question="Später geändert?")
    client.force_login(reporter)
    url = reverse("admin:explainers_explainer_revision", args=[explainer.pk, first.pk])
    html = client.get(url).content.decode()
    assert "Was ist Frage 1?" in html and "Später geändert?" not in html
    assert Question.objects.filter(question="Später geändert?").exists()  # nothing reverted


def test_compare_shows_reworded_questions_and_word_changes(client, reporter, explainer):
    first = latest_revision(explainer)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][1]["question"] = "Was ist Frage zwei?"
    form["questions"][2]["answer"] = "Antwort auf die dritte Frage."
    post_change(client, explainer, form)
    second = latest_revision(explainer)
    url = reverse("admin:explainers_explainer_compare", args=[explainer.pk])
    html = client.get(url, {"a": first.pk, "b": second.pk}).content.decode()
    assert "Frage umformuliert" in html
    assert "<ins>" in html and "<del>" in html


def test_compare_without_two_revisions_goes_back_with_a_message(client, reporter, explainer):
    client.force_login(reporter)
    url = reverse("admin:explainers_explainer_compare", args=[explainer.pk])
    response = client.get(url, {"a": "x"}, follow=True)
    assert "Bitte zwei Revisionen" in response.content.decode()


def test_revert_restores_the_revision_as_a_new_one(client, reporter, explainer):
    first = latest_revision(explainer)
    original = document_from_explainer(explainer)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["DELETE"] = True
    form["questions"][0]["answer"] = "x"
    post_change(client, explainer, form)
    url = reverse("admin:explainers_explainer_revert", args=[explainer.pk, first.pk])
    confirm = client.get(url)  # what the reset would change, to confirm; nothing is written
    assert confirm.status_code == 200
    assert "Zurücksetzen bestätigen" in confirm.content.decode()
    assert document_from_explainer(explainer) != original
    assert client.post(url).status_code == 302
    assert document_from_explainer(explainer) == original
    assert latest_revision(explainer).user == reporter


def test_a_reporter_cannot_revert_a_published_explainer_but_the_desk_can(client, reporter, desk):
    explainer = make_explainer()
    first = latest_revision(explainer)
    publish(explainer)
    Question.objects.filter(explainer=explainer, position=1).update(answer="Geändert.")
    url = reverse("admin:explainers_explainer_revert", args=[explainer.pk, first.pk])
    client.force_login(reporter)
    assert client.post(url).status_code == 403
    client.force_login(desk)
    assert client.post(url).status_code == 302


def test_reversions_own_revert_and_recover_urls_do_not_revert(client, reporter, explainer):
    first_version = Version.objects.get_for_object(explainer).last()
    Question.objects.filter(explainer=explainer, position=1).update(question="Bleibt so?")
    client.force_login(reporter)
    base = reverse("admin:explainers_explainer_changelist")
    client.post(
        f"{base}{explainer.pk}/history/{first_version.pk}/", encode(change_form_data(explainer))
    )
    client.post(f"{base}recover/{first_version.pk}/")
    assert Question.objects.filter(question="Bleibt so?").exists()


# Publishing from the admin


def test_the_desk_publishes_from_the_admin_with_kind_and_note(client, desk):
    explainer = make_explainer()
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_publish", args=[explainer.pk])
    assert "Erstveröffentlichung" in client.get(url).content.decode()
    assert client.post(url, {"kind": "update"}).status_code == 302
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = "Neue Lage."
    post_change(client, explainer, form)
    page = client.get(url).content.decode()
    assert "Änderungen seitdem" in page and "<ins>" in page
    refused = client.post(url, {"kind": "correction", "note": ""})
    assert "Hinweis für Leser nötig" in refused.content.decode()
    client.post(url, {"kind": "correction", "note": "Zahl korrigiert."})
    latest = explainer.publications.order_by("-number").first()
    assert (latest.number, latest.kind, latest.published_by) == (2, "correction", desk)
    assert latest.revision == latest_revision(explainer)


def test_a_reporter_cannot_open_or_post_the_publish_form(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    url = reverse("admin:explainers_explainer_publish", args=[explainer.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "update"}).status_code == 403
    assert not explainer.publications.exists()


def test_a_published_explainer_cannot_be_deleted_in_the_admin(client):
    explainer = make_explainer()
    publish(explainer)
    client.force_login(make_user("chef", superuser=True))
    url = reverse("admin:explainers_explainer_delete", args=[explainer.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Explainer.objects.filter(pk=explainer.pk).exists()


def test_adding_an_explainer_in_the_admin_makes_one_revision_with_a_slug(client, reporter):
    client.force_login(reporter)
    form = {
        "main": {
            "headline": "Was will Putin?",
            "slug": "",
            "kicker": "",
            "teaser": "Kurz.",
            "intro": "",
            "language": "de",
            "byline": "Anna Schmidt",
            "image_alt": "",
            "image_caption": "",
            "image_credit": "",
            "review_by": "",
        },
        "questions": [
            {"question": "Was will er?", "anchor": "", "answer": "Land [^a].", "position": 1}
        ],
        "sources": [{"key": "a", "label": "Interview", "kind": "interview", "position": 1}],
        "related_links": [],
    }
    response = client.post(reverse("admin:explainers_explainer_add"), encode(form))
    assert response.status_code == 302, response.content.decode()[:2000]
    explainer = Explainer.objects.get(slug="was-will-putin")
    assert revisions_of(explainer).count() == 1
    assert document_from_explainer(explainer)["questions"][0]["cites"] == ["a"]


def _png():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_new_lead_image_never_overwrites_the_one_a_publication_shows(
    client, desk, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    explainer = make_explainer()
    client.force_login(desk)
    paths = []
    for caption in ("Erstes Bild", "Zweites Bild"):
        data = encode(change_form_data(explainer))
        data |= {"image_alt": "Karte der Ukraine", "image_caption": caption}
        data["image"] = SimpleUploadedFile("karte.png", _png(), content_type="image/png")
        assert client.post(change_url(explainer), data).status_code == 302
        explainer.refresh_from_db()
        paths.append(explainer.image.name)
        if caption == "Erstes Bild":
            first = publish(explainer)
    assert paths[0] != paths[1]
    assert first.document["image"] == {
        "src": paths[0],
        "alt": "Karte der Ukraine",
        "caption": "Erstes Bild",
        "credit": "",
        "width": 8,
        "height": 6,
    }
    assert (tmp_path / paths[0]).exists() and (tmp_path / paths[1]).exists()


def test_an_image_without_alt_text_is_a_form_error(client, reporter, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    explainer = make_explainer()
    client.force_login(reporter)
    data = encode(change_form_data(explainer))
    data["image"] = SimpleUploadedFile("karte.png", _png(), content_type="image/png")
    response = client.post(change_url(explainer), data)
    assert response.status_code == 200
    assert "Alternativtext" in response.content.decode()


def test_the_change_page_says_unpublished_changes_and_compares_with_the_publication(
    client, reporter
):
    explainer = make_explainer()
    publish(explainer)
    client.force_login(reporter)
    assert "Unveröffentlichte Änderungen" not in client.get(change_url(explainer)).content.decode()
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = "Ganz neu formuliert."
    post_change(client, explainer, form)
    page = client.get(change_url(explainer)).content.decode()
    assert "Unveröffentlichte Änderungen" in page
    url = reverse("admin:explainers_explainer_compare_published", args=[explainer.pk])
    assert url in page
    html = client.get(url).content.decode()
    assert "<ins>" in html and "Ganz neu formuliert" in html


def test_comparing_a_draft_with_its_publication_explains_there_is_none(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    url = reverse("admin:explainers_explainer_compare_published", args=[explainer.pk])
    assert "Noch nicht veröffentlicht" in client.get(url, follow=True).content.decode()

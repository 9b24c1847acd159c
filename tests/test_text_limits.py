"""Too-large and unstorable input is refused with a clear German message, in the admin
and in the importer alike, and nothing already stored is touched."""

import pytest
from django.urls import reverse

from explainers.core.documents import ANSWER_MAX, NOTE_MAX
from explainers.domain.builders import document_from_explainer
from explainers.domain.importing import ImportRefused, import_document
from explainers.models import Explainer, Question
from tests.admin_forms import change_form_data, encode
from tests.factories import make_document, make_explainer

pytestmark = pytest.mark.django_db

MEGABYTE_ANSWER = "Wort " * 210_000  # about 1 MB


def test_a_one_megabyte_answer_is_a_german_form_error_and_nothing_is_saved(client, reporter):
    explainer = make_explainer(questions=2)
    before = document_from_explainer(explainer)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = MEGABYTE_ANSWER
    response = client.post(
        reverse("admin:explainers_explainer_change", args=[explainer.pk]), encode(form)
    )
    assert response.status_code == 200
    assert f"höchstens {ANSWER_MAX} Zeichen" in response.text
    assert document_from_explainer(Explainer.objects.get(pk=explainer.pk)) == before


def test_the_importer_refuses_an_overlong_answer_and_names_the_question():
    document = make_document(questions=3)
    document["questions"][1]["answer"] = MEGABYTE_ANSWER
    with pytest.raises(ImportRefused) as refused:
        import_document(document)
    assert str(refused.value).startswith("Frage 2:")
    assert f"höchstens {ANSWER_MAX} Zeichen" in str(refused.value)
    assert not Explainer.objects.exists()
    assert not Question.objects.exists()


def test_a_replacing_import_that_fails_leaves_the_stored_explainer_as_it_was():
    explainer = make_explainer(questions=2)
    before = document_from_explainer(explainer)
    document = {**before, "teaser": "Neu"}
    document["questions"] = [dict(q) for q in before["questions"]]
    document["questions"][0]["answer"] = MEGABYTE_ANSWER
    with pytest.raises(ImportRefused):
        import_document(document, replace=True)
    assert document_from_explainer(Explainer.objects.get(pk=explainer.pk)) == before


@pytest.mark.parametrize("field", ["headline", "teaser", "answer", "source_label"])
def test_nul_characters_are_refused_by_the_importer_on_every_database(field):
    document = make_document(questions=2, sources=1)
    if field == "answer":
        document["questions"][0]["answer"] += "\x00"
    elif field == "source_label":
        document["sources"][0]["label"] += "\x00"
    else:
        document[field] += "\x00"
    with pytest.raises(ImportRefused, match="Nullzeichen"):
        import_document(document)
    assert not Explainer.objects.exists()


def test_nul_characters_in_the_admin_form_are_a_form_error(client, reporter):
    explainer = make_explainer(questions=1)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = "Antwort mit \x00 darin."
    form["main"]["teaser"] = "Teaser \x00"
    response = client.post(
        reverse("admin:explainers_explainer_change", args=[explainer.pk]), encode(form)
    )
    assert response.status_code == 200
    assert "Nullzeichen sind nicht erlaubt" in response.text
    assert "\x00" not in Explainer.objects.get(pk=explainer.pk).teaser


def test_an_overlong_note_for_readers_is_refused_on_the_publish_page(client, desk):
    explainer = make_explainer()
    client.force_login(desk)
    response = client.post(
        reverse("admin:explainers_explainer_publish", args=[explainer.pk]),
        {"note": "x" * (NOTE_MAX + 1), "kind": "update"},
    )
    assert response.status_code == 200
    assert f"höchstens {NOTE_MAX} Zeichen" in response.text
    assert not explainer.publications.exists()


def test_the_importer_refuses_duplicate_keys_and_lone_surrogates_with_a_message():
    document = make_document(questions=2, sources=2)
    document["sources"][1]["key"] = document["sources"][0]["key"]
    with pytest.raises(ImportRefused, match="kommt mehrfach vor"):
        import_document(document)
    document = make_document(questions=2)
    document["questions"][1]["anchor"] = document["questions"][0]["anchor"]
    with pytest.raises(ImportRefused, match="kommt mehrfach vor"):
        import_document(document)
    document = make_document(questions=1, teaser="Kaputt: \ud800")
    with pytest.raises(ImportRefused, match="ungültiges Zeichen"):
        import_document(document)
    assert not Explainer.objects.exists()


def test_nul_in_any_address_is_a_400_in_the_readers_language(client, reporter):
    client.force_login(reporter)
    for path in ("/admin/auth/user/?username=%00", "/admin/flatpages/flatpage/?title=%00",
                 "/explainers/%00/", "/?page=%00"):  # fmt: skip
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 400, path
        assert "ungültiges Zeichen" in response.text

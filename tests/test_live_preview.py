"""The live preview of the unsaved change form: as readers would see it, what a save would
refuse named as the form names it, staff only, never cached, nothing saved, and its cost
does not grow with the number of questions."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.revisions import revisions_of
from explainers.domain.takedown import redact
from explainers.models import Question
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db


def preview_url(explainer):
    return reverse("admin:explainers_explainer_live_preview", args=[explainer.pk])


def test_the_preview_shows_what_was_typed_and_what_a_save_would_refuse(client, reporter):
    explainer = make_explainer(questions=2, sources=1)
    revisions = revisions_of(explainer).count()
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["main"]["headline"] = "Ungespeicherte Überschrift"
    form["questions"][1]["answer"] = "Neu [^fehlt] und [hier](javascript:alert(1))."
    response = client.post(preview_url(explainer), encode(form))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ungespeicherte Überschrift" in html  # in the frame's page, escaped
    assert "&lt;h1&gt;Ungespeicherte Überschrift&lt;/h1&gt;" in html
    assert "Keine Quelle mit dem Schlüssel fehlt." in html
    assert "nicht: javascript:alert(1)" in html
    assert "no-store" in response["Cache-Control"]
    assert explainer.headline != "Ungespeicherte Überschrift"
    explainer.refresh_from_db()
    assert explainer.headline != "Ungespeicherte Überschrift"
    assert "[^fehlt]" not in "".join(Question.objects.values_list("answer", flat=True))
    assert revisions_of(explainer).count() == revisions


def test_a_question_added_in_the_form_is_previewed_with_a_source_added_with_it(client, reporter):
    explainer = make_explainer(questions=1, sources=1)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["sources"].append({"key": "neu", "label": "Neue Quelle", "kind": "article", "position": 2})
    form["questions"].append({"question": "Und jetzt?", "answer": "Siehe [^neu].", "position": 2})
    html = client.post(preview_url(explainer), encode(form)).content.decode()
    assert "Und jetzt?" in html and "Neue Quelle" in html
    assert "So ließe es sich nicht speichern" not in html


def test_only_staff_who_may_edit_see_a_preview(client, reporter):
    explainer = make_explainer()
    data = encode(change_form_data(explainer))
    # not the login page (htmx would show it in the panel): a refusal the panel ignores
    assert client.post(preview_url(explainer), data).status_code == 403
    viewer = make_user("leser")
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_explainer"))
    client.force_login(viewer)
    assert client.post(preview_url(explainer), data).status_code == 403
    client.force_login(reporter)
    assert client.get(preview_url(explainer)).status_code == 405


def test_the_preview_costs_the_same_queries_for_3_and_12_questions(client, reporter):
    client.force_login(reporter)
    counts = []
    for questions in (3, 12):
        explainer = make_explainer(questions=questions, sources=2)
        data = encode(change_form_data(explainer))
        client.post(preview_url(explainer), data)  # sessions and caches settle
        with CaptureQueriesContext(connection) as queries:
            assert client.post(preview_url(explainer), data).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_add_page_has_a_preview_too(client, reporter):
    client.force_login(reporter)
    data = {
        "headline": "Ganz neu", "slug": "", "kicker": "", "teaser": "Kurz.", "intro": "",
        "language": "de", "byline": "",
        "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0",
        "questions-0-question": "Was ist neu?", "questions-0-answer": "Alles.",
        "questions-0-position": "1",
        "sources-TOTAL_FORMS": "0", "sources-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "0", "related_links-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(reverse("admin:explainers_explainer_live_preview_new"), data)
    assert response.status_code == 200
    assert "Was ist neu?" in response.content.decode()


def test_a_passage_redacted_meanwhile_is_named_in_the_preview(client, reporter, desk):
    explainer = make_explainer(questions=2, sources=1)
    form = change_form_data(explainer)  # loaded before the redaction
    form["questions"][0]["answer"] = "Der Informant heißt Max Mustermann."
    Question.objects.filter(pk=form["questions"][0]["id"]).update(
        answer="Der Informant heißt Max Mustermann."
    )
    redact(explainer, passage="Max Mustermann", reason="Persönlichkeitsrecht", user=desk)
    client.force_login(reporter)
    html = client.post(preview_url(explainer), encode(form)).content.decode()
    assert "aus rechtlichen Gründen geschwärzt" in html

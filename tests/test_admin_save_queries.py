"""The admin save is bounded: unchanged questions cost no query each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.models import Explainer, Question
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def save_with_new_teaser(client, explainer, teaser) -> int:
    form = change_form_data(Explainer.objects.get(pk=explainer.pk))
    form["main"]["teaser"] = teaser
    url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    data = encode(form)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    assert response.status_code == 302
    assert Explainer.objects.get(pk=explainer.pk).teaser == teaser
    return len(captured.captured_queries)


def test_saving_with_5_or_30_unchanged_questions_issues_the_same_number_of_queries(client, desk):
    client.force_login(desk)
    small, large = make_explainer(questions=5), make_explainer(questions=30)
    save_with_new_teaser(client, small, "Aufwärmen.")  # per-process caches
    assert save_with_new_teaser(client, small, "Kürzer.") == save_with_new_teaser(
        client, large, "Kürzer."
    )


def test_a_question_deleted_meanwhile_is_still_refused_with_a_message(client, desk):
    client.force_login(desk)
    explainer = make_explainer(questions=3)
    form = change_form_data(explainer)
    Question.objects.filter(pk=form["questions"][1]["id"]).delete()
    form["questions"][1]["answer"] = "Noch bearbeitet."
    url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    response = client.post(url, encode(form))
    assert response.status_code == 200
    assert "Bitte den unten aufgeführten Fehler korrigieren" in response.content.decode()
    assert Explainer.objects.get(pk=explainer.pk).questions.count() == 2
    assert not Question.objects.filter(answer="Noch bearbeitet.").exists()

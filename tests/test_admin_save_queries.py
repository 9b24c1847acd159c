"""The admin save is bounded: unchanged questions cost no query each, and the save costs
the queries counted here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.revisions import latest_revision
from explainers.models import Explainer, Question
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer
from tests.support.revisions import as_recorded_before_revision_rows

pytestmark = pytest.mark.django_db

# A desk editor's teaser save, counted inside the test's transaction: session and user,
# the explainer locked, its latest revision read with its rows, redactions, the savepoint
# of Django's change form, the formsets' questions and sources, the explainer written,
# its rows read once for tidying, comment and revision, the hash stamped, the draft
# discarded, the log entry, reversion's look at the explainer and the four rows of the
# revision (29 before the latest revision was read with its rows, in the revision's
# transaction, without a savepoint of the change page's own).
SAVE_QUERIES = 26


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


def test_a_teaser_save_takes_26_queries_with_5_or_30_unchanged_questions(client, desk):
    client.force_login(desk)
    small, large = make_explainer(questions=5), make_explainer(questions=30)
    save_with_new_teaser(client, small, "Aufwärmen.")  # per-process caches
    assert save_with_new_teaser(client, small, "Kürzer.") == SAVE_QUERIES
    assert save_with_new_teaser(client, large, "Kürzer.") == SAVE_QUERIES


def test_a_save_over_a_revision_recorded_before_revision_rows_names_what_it_changed(client, desk):
    client.force_login(desk)
    explainer = make_explainer(questions=3, sources=2)
    save_with_new_teaser(client, explainer, "Aufwärmen.")
    as_recorded_before_revision_rows(latest_revision(explainer))
    form = change_form_data(Explainer.objects.get(pk=explainer.pk))
    form["main"]["teaser"] = "Neu."
    form["questions"][1]["answer"] = "Eine neue Antwort."
    url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    assert client.post(url, encode(form)).status_code == 302
    question = Question.objects.get(explainer=explainer, position=2).question
    assert latest_revision(explainer).get_comment() == (
        f"Teaser geändert. Antwort auf „{question}“ geändert."
    )
    as_recorded_before_revision_rows(latest_revision(explainer))
    untouched = change_form_data(Explainer.objects.get(pk=explainer.pk))
    response = client.post(url, encode(untouched), follow=True)
    assert "Keine Änderungen – nichts gespeichert." in response.content.decode()
    assert latest_revision(explainer).get_comment().startswith("Teaser geändert.")


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

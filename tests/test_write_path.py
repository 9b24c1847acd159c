"""The editor's write path stays cheap: saving one changed answer of an 8-question
explainer in the admin, then publishing it, costs a fixed, small number of queries, and
what it stores is unchanged by the savings (the revision, its comment, the publication)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.builders import (
    document_from_explainer,
    document_from_revision,
    revision_rows,
)
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision, revisions_of
from explainers.models import Citation, Explainer, Question, Source
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer
from tests.support.revisions import stored_rows_of

pytestmark = pytest.mark.django_db

# Measured with this file's explainer (8 questions, 3 sources, one citation) and a desk
# editor (not a superuser: its permissions cost two queries). publish() is counted up to
# its commit: the test's transaction never commits, so the receivers that run after it
# (explainers/reader/receivers.py) do not run here. Before these savings the save took
# 69 queries and publish() 32; the save took 30 before its latest revision was read with
# its rows and the change page's transaction joined the revision's.
SAVE_QUERIES = 27
# On PostgreSQL one more: the advisory lock that orders reader-visible changes
# (explainers/domain/reader_changes.py).
PUBLISH_QUERIES = 29 + (connection.vendor == "postgresql")


def _post_answer(client, explainer, answer: str, **changes):
    """Post the change page as loaded in the browser (with the revision it was loaded
    from), with the fourth answer replaced; its SQL queries and the response."""
    form = change_form_data(Explainer.objects.get(pk=explainer.pk))
    form["questions"][3]["answer"] = answer
    for name, value in changes.items():
        form["main"][name] = value
    data = encode(form)
    data["loaded_revision"] = str(latest_revision(explainer).pk)
    url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    return len(captured.captured_queries), response


def _publish(explainer, desk, note: str):
    with CaptureQueriesContext(connection) as captured:
        publication = publish(explainer, kind="update", note=note, user=desk)
    return len(captured.captured_queries), publication


@pytest.fixture
def published(client, desk):
    client.force_login(desk)
    explainer = make_explainer(questions=8, sources=3)
    publish(explainer, user=desk)
    _post_answer(client, explainer, "Aufwärmen: die erste Fassung.")  # per-process caches
    _publish(explainer, desk, "Aufwärmen.")
    return explainer


def test_saving_one_changed_answer_of_eight_questions_takes_at_most_27_queries(client, published):
    queries, response = _post_answer(client, published, "Die neue Antwort auf Frage 4.")
    assert response.status_code == 302
    assert queries <= SAVE_QUERIES
    assert Question.objects.get(explainer=published, position=4).answer == (
        "Die neue Antwort auf Frage 4."
    )
    assert latest_revision(published).comment == "Antwort auf „Was ist Frage 4?“ geändert."


def test_publishing_an_eight_question_explainer_takes_at_most_29_queries_30_on_postgresql(
    client, desk, published
):
    _post_answer(client, published, "Die neue Antwort auf Frage 4.")
    queries, publication = _publish(published, desk, "Frage 4 ergänzt.")
    assert queries <= PUBLISH_QUERIES
    assert publication.number == 3
    assert publication.document["questions"][3]["answer"] == "Die neue Antwort auf Frage 4."
    assert publication.change_summary is not None
    answers = [q["key"] for q in publication.document["questions"]]
    assert set(publication.rendered_answers) == set(answers)


def test_the_revision_a_save_records_holds_every_row_once_as_it_was_saved(client, published):
    _post_answer(client, published, "Die neue Antwort auf Frage 4. [^quelle-2]")
    revision = latest_revision(published)
    stored = stored_rows_of(revision)
    rows = (
        1
        + Question.objects.filter(explainer=published).count()
        + Source.objects.filter(explainer=published).count()
        + Citation.objects.filter(explainer=published).count()
    )
    assert len(stored) == rows == 1 + 8 + 3 + 2  # the new marker cites quelle-2
    assert len({(row["model"], row["pk"]) for row in stored}) == rows
    by_row = {(row["model"], row["pk"]): row["fields"] for row in stored}
    answer = Question.objects.get(explainer=published, position=4)
    assert by_row["explainers.question", answer.pk]["answer"] == (
        "Die neue Antwort auf Frage 4. [^quelle-2]"
    )
    explainer_row = by_row["explainers.explainer", published.pk]
    assert explainer_row["content_hash"] == Explainer.objects.get(pk=published.pk).content_hash


def test_publishing_an_unchanged_working_copy_freezes_its_latest_revision(client, desk, published):
    _post_answer(client, published, "Die neue Antwort auf Frage 4.")
    before = revisions_of(published).count()
    _queries, publication = _publish(published, desk, "Frage 4 ergänzt.")
    assert publication.revision_id == latest_revision(published).pk
    assert revisions_of(published).count() == before


def test_publishing_a_working_copy_changed_past_its_revision_records_one_first(desk, published):
    Question.objects.filter(explainer=published, position=2).update(answer="Still geändert.")
    before = latest_revision(published)
    _queries, publication = _publish(published, desk, "Frage 2 geändert.")
    recorded = latest_revision(published)
    assert recorded.pk != before.pk
    assert recorded.comment == "Vor der Veröffentlichung gespeichert"
    assert publication.revision_id == recorded.pk
    assert publication.document["questions"][1]["answer"] == "Still geändert."


def test_checks_over_fields_the_save_changes_are_still_made(client, published):
    other = make_explainer()
    for slug in ("kein gültiger Kurzname", other.slug):
        _queries, response = _post_answer(client, published, "Egal.", slug=slug)
        assert response.status_code == 200
        assert Explainer.objects.get(pk=published.pk).slug == published.slug
    assert "Kurzname (URL) existiert bereits" in response.content.decode()
    # the refused form comes back with the page's links to what is stored
    assert response.context["preview_url"] == reverse("explainers:preview", args=[published.slug])
    assert response.context["public_url"] == reverse("explainers:detail", args=[published.slug])
    assert response.context["unpublished_changes"] is False
    form = change_form_data(Explainer.objects.get(pk=published.pk))
    form["sources"][0]["kind"] = "gerücht"
    url = reverse("admin:explainers_explainer_change", args=[published.pk])
    response = client.post(url, encode(form))
    assert response.status_code == 200
    assert Source.objects.get(explainer=published, position=1).kind == "article"


def test_a_save_that_moves_questions_and_cites_anew_records_the_rows_as_stored(client, published):
    form = change_form_data(Explainer.objects.get(pk=published.pk))
    form["questions"][0]["position"], form["questions"][7]["position"] = 8, 1
    form["questions"][0]["answer"] = "Nicht mehr belegt."  # its citation goes
    form["questions"][5]["answer"] = "Jetzt belegt. [^quelle-3]"
    data = encode(form)
    data["loaded_revision"] = str(latest_revision(published).pk)
    url = reverse("admin:explainers_explainer_change", args=[published.pk])
    assert client.post(url, data).status_code == 302
    revision = latest_revision(published)
    document = document_from_explainer(Explainer.objects.get(pk=published.pk))
    assert document_from_revision(revision) == document
    assert [q["question"] for q in document["questions"]][:2] == [
        "Was ist Frage 8?",
        "Was ist Frage 2?",
    ]
    assert [q["cites"] for q in document["questions"]][5] == ["quelle-3"]
    assert all(not q["cites"] for q in document["questions"] if q["key"] == "q-0001")
    rows = revision_rows(revision)
    stored = sorted((q["position"], q["key"]) for q in rows[Question])
    assert stored == sorted(
        Question.objects.filter(explainer=published).values_list("position", "key")
    )
    assert len(rows[Citation]) == Citation.objects.filter(explainer=published).count() == 1

"""Per-question history, and restoring one question from any revision."""

import pytest
import reversion
from django.urls import reverse

from explainers.desk.question_history import question_histories, restore_question
from explainers.domain.builders import document_from_explainer
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision, record_revision
from explainers.models import Question, Source
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def change(explainer, comment="Bearbeitet", **updates):
    with reversion.create_revision():
        for position, values in updates.items():
            if values is None:
                Question.objects.filter(explainer=explainer, position=int(position[1:])).delete()
            else:
                Question.objects.filter(explainer=explainer, position=int(position[1:])).update(
                    **values
                )
        record_revision(explainer, comment=comment)


def test_each_question_knows_when_it_was_added_and_changed():
    explainer = make_explainer(questions=2)
    publish(explainer)
    change(explainer, p2={"answer": "Neue Antwort."})
    publish(explainer, note="Frage 2 aktualisiert.")
    histories = {h.question: h for h in question_histories(explainer)}
    second = histories["Was ist Frage 2?"]
    assert [e.kind for e in second.events] == ["changed", "added"]
    assert [p["number"] for p in second.publications] == [1, 2]
    assert [e.kind for e in histories["Was ist Frage 1?"].events] == ["added"]


def test_restoring_a_question_brings_back_its_text_and_citations_only():
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    change(explainer, p1={"answer": "Ohne Beleg.", "question": "Umformuliert?"},
           p2={"answer": "Bleibt so."})  # fmt: skip
    key = Question.objects.get(explainer=explainer, position=1).key
    restore_question(explainer, first, key)
    questions = document_from_explainer(explainer)["questions"]
    assert questions[0]["question"] == "Was ist Frage 1?"
    assert questions[0]["cites"] == ["quelle-1"]
    assert questions[1]["answer"] == "Bleibt so."
    assert "zurückgesetzt" in latest_revision(explainer).get_comment()


def test_a_deleted_question_returns_at_its_old_place_with_its_deleted_source():
    explainer = make_explainer(questions=3)
    first = latest_revision(explainer)
    key = Question.objects.get(explainer=explainer, position=1).key
    with reversion.create_revision():
        Question.objects.filter(explainer=explainer, position=1).delete()
        Source.objects.filter(explainer=explainer, key="quelle-1").delete()
        record_revision(explainer)
    Question.objects.filter(explainer=explainer, position=2).update(anchor="frage-x")
    Question.objects.create(explainer=explainer, position=9, key="q-neu", anchor="frage-1",
                            question="Neue Frage?", answer="Ja.")  # fmt: skip
    restore_question(explainer, first, key)
    document = document_from_explainer(explainer)
    assert [q["question"] for q in document["questions"]][:2] == [
        "Was ist Frage 1?", "Was ist Frage 2?"
    ]  # fmt: skip
    assert document["questions"][0]["anchor"] == "frage-1-2"  # taken meanwhile
    assert document["questions"][0]["cites"] == ["quelle-1"]
    assert [s["key"] for s in document["sources"]][-1] == "quelle-1"
    comment = latest_revision(explainer).get_comment()
    assert "Gelöschte Frage" in comment and "Quelle „Titel der Quelle 1“" in comment


def test_the_admin_shows_question_histories_and_restores_by_post(client, reporter, desk):
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    key = Question.objects.get(explainer=explainer, position=2).key
    change(explainer, p2=None)
    client.force_login(reporter)
    page = client.get(reverse("admin:explainers_explainer_questions", args=[explainer.pk]))
    html = page.content.decode()
    assert "Was ist Frage 2?" in html and "[gelöscht]" in html
    url = reverse("admin:explainers_explainer_restore_question", args=[explainer.pk, key, first.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert Question.objects.filter(explainer=explainer, key=key).exists()


def test_restoring_a_question_of_a_published_explainer_needs_the_desk(client, reporter, desk):
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    publish(explainer)
    key = Question.objects.get(explainer=explainer, position=1).key
    change(explainer, p1={"answer": "Anders."})
    url = reverse("admin:explainers_explainer_restore_question", args=[explainer.pk, key, first.pk])
    client.force_login(reporter)
    assert client.post(url).status_code == 403
    client.force_login(desk)
    assert client.post(url).status_code == 302
    assert Question.objects.get(explainer=explainer, key=key).answer.startswith("Antwort auf")

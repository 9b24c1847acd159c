"""Per-question history, and restoring one question from any revision."""

import re

import pytest
import reversion
from django.urls import reverse

from explainers.desk.question_history import question_histories, restore_question
from explainers.domain.builders import document_from_explainer
from explainers.domain.publishing import publish
from explainers.domain.revisions import RevertRefused, latest_revision, record_revision
from explainers.domain.takedown import redact
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
    assert client.get(url).status_code == 200  # the confirmation page: nothing restored yet
    assert not Question.objects.filter(explainer=explainer, key=key).exists()
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


def questions_page(client, explainer) -> str:
    response = client.get(reverse("admin:explainers_explainer_questions", args=[explainer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def restore_url(explainer, key, revision) -> str:
    return reverse(
        "admin:explainers_explainer_restore_question", args=[explainer.pk, key, revision.pk]
    )


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="frage-[^"]+">([^<]+)', html)


def test_questions_stand_in_article_order_and_deleted_ones_after_them(client, reporter):
    explainer = make_explainer(questions=4)
    change(explainer, p2=None)
    change(explainer, p1={"position": 7})  # the first question moves to the end
    client.force_login(reporter)
    assert headings(questions_page(client, explainer)) == [
        "1. Was ist Frage 3?", "2. Was ist Frage 4?", "3. Was ist Frage 1?", "Was ist Frage 2? ",
    ]  # fmt: skip


def test_each_revision_shows_the_whole_answer_marked_against_the_one_before(client, reporter):
    explainer = make_explainer(questions=1, sources=0)
    change(explainer, p1={"answer": "Antwort auf Frage 1. Jetzt mit Zahlen."})
    change(explainer, p1={"answer": "Völlig neu formuliert. Jetzt mit Zahlen."})
    client.force_login(reporter)
    html = questions_page(client, explainer)
    newest = "<del>Antwort auf Frage 1</del><ins>Völlig neu formuliert</ins>. Jetzt mit Zahlen."
    middle = "Antwort auf Frage 1.<ins> Jetzt mit Zahlen.</ins>"
    oldest = "<ins>Antwort auf Frage 1.</ins>"  # added: all of it new
    assert html.index(newest) < html.index(middle) < html.index(oldest)


def test_no_restore_is_offered_for_the_text_the_working_copy_already_has(client, reporter):
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    change(explainer, p1={"answer": "Geändert."})
    client.force_login(reporter)
    html = questions_page(client, explainer)
    key_1 = Question.objects.get(explainer=explainer, position=1).key
    key_2 = Question.objects.get(explainer=explainer, position=2).key
    links = re.findall(r'href="[^"]*/questions/([^/]+)/restore/(\d+)/"', html)
    assert links == [(key_1, str(first.pk))]  # the old answer of question 1, nothing else
    assert key_2 not in {key for key, _revision in links}
    assert "entspricht dem Arbeitsstand" in html


def test_restoring_shows_what_changes_first_and_only_the_confirmation_restores(client, reporter):
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    change(explainer, p1={"answer": "Ganz anders."})
    key = Question.objects.get(explainer=explainer, position=1).key
    client.force_login(reporter)
    response = client.get(restore_url(explainer, key, first))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wiederherstellen bestätigen" in html
    assert "<del>Ganz anders</del><ins>Antwort auf Frage 1</ins>.<ins> [1]</ins>" in html
    assert "Fragen: 0 neu, 1 geändert, 0 entfernt, 0 verschoben." in html
    assert Question.objects.get(explainer=explainer, key=key).answer == "Ganz anders."
    assert latest_revision(explainer).pk != first.pk
    before = latest_revision(explainer).pk
    assert client.post(restore_url(explainer, key, first)).status_code == 302
    assert Question.objects.get(explainer=explainer, key=key).answer.startswith("Antwort auf")
    assert latest_revision(explainer).pk != before


def test_the_confirmation_of_a_deleted_question_shows_it_and_its_source_coming_back(client, desk):
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    key = Question.objects.get(explainer=explainer, position=1).key
    with reversion.create_revision():
        Question.objects.filter(explainer=explainer, position=1).delete()
        Source.objects.filter(explainer=explainer, key="quelle-1").delete()
        record_revision(explainer)
    client.force_login(desk)
    html = client.get(restore_url(explainer, key, first)).content.decode()
    assert "Fragen: 1 neu, 0 geändert, 0 entfernt, 0 verschoben." in html
    assert "Quellen: 1 neu, 0 entfernt, 0 geändert." in html
    assert "<ins>Was ist Frage 1?</ins>" in html


def test_restoring_what_the_working_copy_already_holds_is_refused_and_records_nothing(
    client, reporter
):
    explainer = make_explainer(questions=1)
    current = latest_revision(explainer)
    key = Question.objects.get(explainer=explainer).key
    with pytest.raises(RevertRefused, match="steht schon so im Arbeitsstand"):
        restore_question(explainer, current, key)
    client.force_login(reporter)
    html = client.get(restore_url(explainer, key, current)).content.decode()
    assert "Keine inhaltlichen Unterschiede." in html
    assert "Wiederherstellen bestätigen" not in html
    response = client.post(restore_url(explainer, key, current), follow=True)
    assert "steht schon so im Arbeitsstand – nichts wiederhergestellt" in response.content.decode()
    assert latest_revision(explainer).pk == current.pk


def test_a_reporter_may_not_even_preview_restoring_into_a_published_explainer(
    client, reporter, desk
):
    explainer = make_explainer(questions=1)
    first = latest_revision(explainer)
    publish(explainer)
    change(explainer, p1={"answer": "Anders."})
    key = Question.objects.get(explainer=explainer).key
    client.force_login(reporter)
    assert client.get(restore_url(explainer, key, first)).status_code == 403
    assert "/restore/" not in questions_page(client, explainer)
    client.force_login(desk)
    assert client.get(restore_url(explainer, key, first)).status_code == 200
    assert restore_url(explainer, key, first) in questions_page(client, explainer)


def test_a_question_missing_from_the_revision_is_explained_not_previewed(client, reporter):
    explainer = make_explainer(questions=1)
    first = latest_revision(explainer)
    client.force_login(reporter)
    response = client.get(restore_url(explainer, "q-gibtsnicht", first), follow=True)
    assert "Diese Frage gibt es in dieser Revision nicht." in response.content.decode()


def test_a_redacted_passage_shows_neither_in_the_history_nor_in_the_preview(client, desk):
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    change(explainer, p1={"answer": "Minister Xaver Huber soll gelogen haben."})
    with_passage = latest_revision(explainer)
    change(explainer, p1={"answer": "Eine ganz andere Antwort."})
    redact(explainer, passage="Xaver Huber", reason="Gerichtsbeschluss", user=desk)
    key = Question.objects.get(explainer=explainer, position=1).key
    client.force_login(desk)
    html = questions_page(client, explainer)
    assert "Minister" in html and "aus rechtlichen Gründen entfernt" in html
    assert "Xaver" not in html and "Huber" not in html
    preview = client.get(restore_url(explainer, key, with_passage)).content.decode()
    assert "Minister" in preview and "Wiederherstellen bestätigen" in preview
    assert "Xaver" not in preview and "Huber" not in preview
    assert first.pk != with_passage.pk


def test_the_history_reads_each_revision_with_one_query(django_assert_max_num_queries):
    from django.contrib.contenttypes.models import ContentType

    from explainers.models import Citation, Explainer, RelatedLink

    explainer = make_explainer(questions=3)
    for n in range(20):
        change(explainer, comment=f"Änderung {n}", q1={"answer": f"Antwort {n}."})
    ContentType.objects.get_for_models(Explainer, Question, Source, Citation, RelatedLink)
    revisions = 21
    with django_assert_max_num_queries(revisions + 3):  # the list, questions, publications
        histories = question_histories(explainer)
    assert histories

"""Two editors on the same explainer never silently overwrite each other."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from explainers.domain.builders import document_from_explainer
from explainers.domain.revisions import latest_revision, revisions_of
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna_and_ben(db):
    anna, ben = Client(), Client()
    anna.force_login(make_user("anna"))
    ben.force_login(make_user("ben", publish=True))
    return anna, ben


def open_form(client, explainer):
    """What the browser holds after opening the change page: the data and its revision."""
    html = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    loaded = re.search(r'name="loaded_revision" value="(\d+)"', html.content.decode())
    data = change_form_data(explainer)
    data["main"]["loaded_revision"] = loaded.group(1)
    return data


def save(client, explainer, form):
    return client.post(
        reverse("admin:explainers_explainer_change", args=[explainer.pk]), encode(form)
    )


def test_changes_to_different_questions_are_merged_and_the_editor_is_told(anna_and_ben):
    anna, ben = anna_and_ben
    explainer = make_explainer(questions=3)
    annas, bens = open_form(anna, explainer), open_form(ben, explainer)
    bens["questions"][1]["answer"] = "Bens neue Antwort."
    assert save(ben, explainer, bens).status_code == 302
    annas["questions"][0]["answer"] = "Annas neue Antwort."
    response = save(anna, explainer, annas)
    assert response.status_code == 302
    answers = [q["answer"] for q in document_from_explainer(explainer)["questions"]]
    assert answers[:2] == ["Annas neue Antwort.", "Bens neue Antwort."]
    page = anna.get(response["Location"]).content.decode()
    assert "ben hat um" in page.lower() and "zusammengeführt" in page
    assert "Zusammengeführt" in latest_revision(explainer).get_comment()


def _merged_comment(anna, ben, *, recorded_before_revision_rows: bool) -> str:
    """Ben saves while Anna has the form open; then Anna saves: her revision's comment."""
    from tests.support.revisions import as_recorded_before_revision_rows

    explainer = make_explainer(questions=3)
    annas, bens = open_form(anna, explainer), open_form(ben, explainer)
    bens["questions"][1]["answer"] = "Bens neue Antwort."
    assert save(ben, explainer, bens).status_code == 302
    if recorded_before_revision_rows:
        as_recorded_before_revision_rows(latest_revision(explainer))
    annas["questions"][0]["answer"] = "Annas neue Antwort."
    assert save(anna, explainer, annas).status_code == 302
    answers = [q["answer"] for q in document_from_explainer(explainer)["questions"]]
    assert answers[:2] == ["Annas neue Antwort.", "Bens neue Antwort."]
    return re.sub(r"\(\d\d:\d\d\)", "(…)", latest_revision(explainer).get_comment())


def test_a_merge_with_a_revision_recorded_before_revision_rows_says_the_same(anna_and_ben):
    anna, ben = anna_and_ben
    comment = _merged_comment(anna, ben, recorded_before_revision_rows=True)
    assert comment == _merged_comment(anna, ben, recorded_before_revision_rows=False)
    assert comment.startswith("Antwort auf „Was ist Frage 1?“ geändert.")
    assert comment.endswith("Zusammengeführt mit der Fassung von ben (…).")


def test_the_same_answer_changed_by_both_is_not_saved_and_comes_back_side_by_side(anna_and_ben):
    anna, ben = anna_and_ben
    explainer = make_explainer(questions=2)
    annas, bens = open_form(anna, explainer), open_form(ben, explainer)
    bens["questions"][0]["answer"] = "So sieht Ben das."
    save(ben, explainer, bens)
    revisions = revisions_of(explainer).count()
    annas["questions"][0]["answer"] = "So sieht Anna das."
    annas["main"]["teaser"] = "Annas Teaser."
    response = save(anna, explainer, annas)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nicht gespeichert" in html and "ben hat um" in html
    assert "So sieht Ben das." in html  # theirs, side by side
    assert html.count("So sieht Anna das.") >= 2  # in the table and still in the form
    assert "Annas Teaser." in html  # everything she typed is still in the form
    assert revisions_of(explainer).count() == revisions
    assert document_from_explainer(explainer)["questions"][0]["answer"] == "So sieht Ben das."
    # saving the form as it came back resolves the conflict with her text
    again = re.search(r'name="loaded_revision" value="(\d+)"', html).group(1)
    annas["main"]["loaded_revision"] = again
    assert save(anna, explainer, annas).status_code == 302
    assert document_from_explainer(explainer)["questions"][0]["answer"] == "So sieht Anna das."


def test_a_question_the_other_deleted_does_not_break_a_stale_form(anna_and_ben):
    anna, ben = anna_and_ben
    explainer = make_explainer(questions=3)
    annas, bens = open_form(anna, explainer), open_form(ben, explainer)
    bens["questions"][2]["DELETE"] = True
    save(ben, explainer, bens)
    annas["questions"][0]["answer"] = "Anna ändert Frage 1."
    response = save(anna, explainer, annas)
    assert response.status_code == 302, response.content.decode()[-2000:]
    questions = document_from_explainer(explainer)["questions"]
    assert [q["question"] for q in questions] == ["Was ist Frage 1?", "Was ist Frage 2?"]
    assert questions[0]["answer"] == "Anna ändert Frage 1."


def test_a_question_the_other_added_is_kept_after_its_old_neighbour(anna_and_ben):
    anna, ben = anna_and_ben
    explainer = make_explainer(questions=2)
    annas, bens = open_form(anna, explainer), open_form(ben, explainer)
    bens["questions"][1]["position"] = 3  # the new row goes between, by its position
    bens["questions"].append(
        {"question": "Bens Frage?", "anchor": "", "answer": "Ja.", "position": 2,
         "explainer": explainer.pk}
    )  # fmt: skip
    assert save(ben, explainer, bens).status_code == 302
    annas["questions"][1]["answer"] = "Anna war hier."
    assert save(anna, explainer, annas).status_code == 302
    questions = document_from_explainer(explainer)["questions"]
    assert [q["question"] for q in questions] == [
        "Was ist Frage 1?", "Bens Frage?", "Was ist Frage 2?",
    ]  # fmt: skip
    assert questions[2]["answer"] == "Anna war hier."


def test_an_unchanged_form_saved_late_does_not_undo_the_others_changes(anna_and_ben):
    anna, ben = anna_and_ben
    explainer = make_explainer()
    annas, bens = open_form(anna, explainer), open_form(ben, explainer)
    bens["main"]["headline"] = "Bens Überschrift"
    save(ben, explainer, bens)
    annas["main"]["kicker"] = "Annas Dachzeile"
    assert save(anna, explainer, annas).status_code == 302
    explainer.refresh_from_db()
    assert (explainer.headline, explainer.kicker) == ("Bens Überschrift", "Annas Dachzeile")


def test_others_see_who_has_the_change_page_open(anna_and_ben):
    anna, ben = anna_and_ben
    explainer = make_explainer()
    anna.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    page = ben.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    assert "anna bearbeitet seit" in page.content.decode()


def test_a_clash_names_the_field_as_the_form_labels_it(anna_and_ben):
    anna, ben = anna_and_ben
    explainer = make_explainer(questions=2)
    annas, bens = open_form(anna, explainer), open_form(ben, explainer)
    bens["main"]["kicker"] = "Bens Dachzeile"
    bens["questions"][1]["answer"] = "Bens Antwort."
    save(ben, explainer, bens)
    annas["main"]["kicker"] = "Annas Dachzeile"
    annas["questions"][1]["answer"] = "Annas Antwort."
    table = save(anna, explainer, annas).content.decode().split('class="merge-table"')[1]
    table = table.split("</table>")[0]
    assert '<th scope="row">Dachzeile</th>' in table
    assert "„Was ist Frage 2?“ – Antwort" in table
    assert "kicker" not in table and "(answer)" not in table


def test_a_conflict_names_its_place_as_the_editor_sees_it():
    from explainers.core.merging import Conflict
    from explainers.domain.conflict_places import conflict_place

    assert conflict_place(Conflict("order", "sources", "order")) == "Reihenfolge der Quellen"
    assert conflict_place(Conflict("order", "questions", "order")) == "Reihenfolge der Fragen"
    assert conflict_place(Conflict("questions", "Wer zahlt?", "answer")) == "„Wer zahlt?“ – Antwort"
    assert (
        conflict_place(Conflict("sources", "Bericht", "deleted_by_them"))
        == "„Bericht“ – seither gelöscht, hier geändert"
    )

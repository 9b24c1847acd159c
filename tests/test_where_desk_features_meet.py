"""Where issue 13's features meet each other and the older ones, as an unlucky or hostile
user meets them: autosave next to the per-question history and a failed save, typography
next to web addresses, citation numbers of publications made before, question matching
with questions worded alike."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from explainers.core.rendering import render_document_answers
from explainers.core.typography import PLAIN
from explainers.domain.builders import document_from_explainer
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision
from explainers.models import Explainer, Publication, Question
from tests.admin_forms import (
    autosave_url,
    change_url,
    encode,
    logged_in,
    opened_form,
)
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

UNSAVED = "Ungesichert: meine lange, noch nicht gesicherte Antwort auf Frage zwei."


def has_autosave(response) -> bool:
    """Whether the page carries the autosave status line that autosave.js starts from."""
    return 'id="autosave-status"' in response.content.decode()


# --- autosave next to the per-question history ------------------------------------------------


def test_restoring_one_question_from_its_history_keeps_the_unsaved_draft_of_another(desk):
    explainer = make_explainer(questions=2)
    first = latest_revision(explainer)
    editor = logged_in(desk)
    form = opened_form(editor, explainer)
    form["questions"][0]["answer"] = "Neue Antwort auf Frage eins."
    assert editor.post(change_url(explainer), encode(form)).status_code == 302
    # The change page stays open; the editor types into question 2 and autosave keeps it.
    form = opened_form(editor, explainer)
    form["questions"][1]["answer"] = UNSAVED
    assert editor.post(autosave_url(explainer), encode(form)).json()["saved"] is True
    # In the question history (another tab) the editor restores question 1's first answer.
    key = Question.objects.filter(explainer=explainer).order_by("position")[0].key
    restore = reverse(
        "admin:explainers_explainer_restore_question", args=[explainer.pk, key, first.pk]
    )
    assert editor.post(restore).status_code == 302

    # The open tab keeps autosaving what was typed into question 2 ...
    again = editor.post(autosave_url(explainer), encode(form))
    assert again.status_code == 200 and again.json()["saved"] is True
    # ... and reopening the page still offers it.
    restored = editor.get(change_url(explainer) + "?entwurf=wiederherstellen")
    assert UNSAVED in restored.content.decode()


# --- autosave on a change page shown again after a refused save ------------------------------


def test_the_change_page_shown_with_a_merge_conflict_keeps_autosaving(reporter, desk):
    explainer = make_explainer(questions=2)
    writer = logged_in(reporter)
    form = opened_form(writer, explainer)
    assert has_autosave(writer.get(change_url(explainer)))
    other = logged_in(desk)
    theirs = opened_form(other, explainer)
    theirs["questions"][0]["answer"] = "Die Redaktion schreibt es anders."
    assert other.post(change_url(explainer), encode(theirs)).status_code == 302
    form["questions"][0]["answer"] = "Ich schreibe es auch anders."

    conflict = writer.post(change_url(explainer), encode(form))

    assert conflict.status_code == 200 and "überschneidet" in conflict.content.decode()
    # Resolving the conflict is typing again: it must be kept like any other typing.
    assert has_autosave(conflict)


def test_the_change_page_shown_with_a_form_error_keeps_autosaving(reporter):
    explainer = make_explainer(questions=2)
    writer = logged_in(reporter)
    form = opened_form(writer, explainer)
    form["main"]["headline"] = ""
    form["questions"][1]["answer"] = UNSAVED

    refused = writer.post(change_url(explainer), encode(form))

    assert refused.status_code == 200 and UNSAVED in refused.content.decode()
    assert has_autosave(refused)


# --- typography next to web addresses ---------------------------------------------------------

ADDRESS = "https://de.wikipedia.org/wiki/Hanlon's_razor"


def test_a_web_address_in_an_answer_keeps_its_apostrophe_on_the_reader_page(desk):
    questions = [
        {
            "key": "q-adresse",
            "anchor": "adresse",
            "question": "Wo steht das?",
            "answer": f"Nachzulesen unter {ADDRESS} - dort ausführlich.",
            "cites": [],
        }
    ]
    explainer = make_explainer(questions=questions, sources=0)
    publish(explainer, user=desk)

    page = Client().get(reverse("explainers:detail", args=[explainer.slug]))

    text = html.unescape(page.content.decode())
    assert "dort ausführlich" in text and "\u2013 dort" in text  # typeset around it
    assert ADDRESS in text  # the address itself as typed: ’ would make another one


# --- citation numbers of a publication made before reading-order numbering --------------------


def test_the_publish_page_numbers_removed_citations_as_readers_saw_them(desk):
    questions = [
        {"key": "q-a", "anchor": "zeitung", "question": "Was sagt die Zeitung?",
         "answer": "Die Zeitung berichtet.[^quelle-2]", "cites": []},
        {"key": "q-b", "anchor": "sender", "question": "Was sagt der Sender?",
         "answer": "Der Sender meldet.[^quelle-1]", "cites": []},
    ]  # fmt: skip
    explainer = make_explainer(questions=questions, sources=2)
    made = publish(explainer, user=desk)
    # As a publication made before 2026-12 is stored: sources numbered in stored order.
    Publication.objects.filter(pk=made.pk).update(
        typesetting=PLAIN, rendered_answers=render_document_answers(made.document)
    )
    reader = Client().get(reverse("explainers:detail", args=[explainer.slug])).content.decode()
    assert re.search(r"Die Zeitung berichtet\.<sup[^>]*><a[^>]*>\[2\]</a>", reader)
    Question.objects.filter(explainer=explainer, key="q-a").delete()  # the working copy

    for page in ("publish", "compare_published"):
        url = reverse(f"admin:explainers_explainer_{page}", args=[explainer.pk])
        shown = logged_in(desk).get(url).content.decode()
        assert "Die Zeitung berichtet.[2]" in shown, page


# --- re-import of questions worded alike ------------------------------------------------------

HEAD = "Was die Preise machen.\nEinleitung zum Thema Kosten im Haushalt.\n"
RENT = "Die Miete kostet in Berlin im Schnitt 500 Euro im Monat, Tendenz steigend seit Jahren."
POWER = "Der Strom kostet einen Haushalt mit zwei Personen rund 80 Euro im Monat, je nach Anbieter."


def imported(tmp_path, name: str, text: str, *options: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_explainer", str(path), "--slug", "kosten", "--title", "Kosten",
        "--language", "de", *options, stdout=out, stderr=StringIO(),
    )  # fmt: skip
    return out.getvalue()


def test_reimporting_two_questions_worded_alike_in_swapped_order_keeps_each_answers_key(
    tmp_path,
):
    imported(tmp_path, "v1.txt", HEAD + f"Was kostet das?\n{RENT}\nWas kostet das?\n{POWER}\n")
    explainer = Explainer.objects.get(slug="kosten")
    keys = {q["answer"]: q["key"] for q in document_from_explainer(explainer)["questions"]}

    report = imported(
        tmp_path,
        "v2.txt",
        HEAD + f"Was kostet das?\n{POWER}\nWas kostet das?\n{RENT}\n",
        "--replace",
    )

    after = {q["answer"]: q["key"] for q in document_from_explainer(explainer)["questions"]}
    assert after == keys  # each answer keeps its question's key: moved, not rewritten
    assert "[-Die Miete-]" not in report


# --- odd data posted to the autosave endpoint -------------------------------------------------


def test_an_autosave_of_a_form_holding_a_nul_character_is_refused_in_words(reporter):
    # Pasted from a PDF, a NUL can hide in an answer. PostgreSQL stores no NUL in JSON
    # text, SQLite would: both refuse it alike, as the import and the change form do.
    explainer = make_explainer(questions=2)
    writer = logged_in(reporter)
    form = opened_form(writer, explainer)
    form["questions"][1]["answer"] = "Aus dem PDF kopiert:\x00 die Zahlen."

    response = writer.post(autosave_url(explainer), encode(form))

    assert response.status_code == 422 and response.json()["saved"] is False
    assert "Zeichen" in response.json()["reason"]


def posted_by_the_page(client, explainer) -> dict[str, str]:
    """Every field the change page's form posts (an unchecked "löschen" box posts nothing)."""
    page = client.get(change_url(explainer)).content.decode()
    names = re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', page)
    skipped = ("csrfmiddlewaretoken", "image")
    return {
        name: "x"
        for name in names
        if name not in skipped and "__prefix__" not in name and not name.endswith("-DELETE")
    }


def test_the_largest_explainer_an_import_admits_is_autosaved(reporter):
    # 300 questions and 300 sources: the most the import takes (MAX_QUESTIONS, MAX_SOURCES),
    # and a change form the save takes (DATA_UPLOAD_MAX_NUMBER_FIELDS = 10 000).
    explainer = make_explainer(questions=300, sources=300)
    writer = logged_in(reporter)

    response = writer.post(autosave_url(explainer), posted_by_the_page(writer, explainer))

    assert response.status_code == 200 and response.json()["saved"] is True


# --- the offer after a crash, and the first keystroke on the reopened page --------------------


def test_typing_on_a_reopened_page_does_not_overwrite_the_draft_it_offers(reporter):
    explainer = make_explainer(questions=2)
    writer = logged_in(reporter)
    crashed = opened_form(writer, explainer)
    crashed["questions"][1]["answer"] = UNSAVED  # forty minutes of work, then the tab died
    assert writer.post(autosave_url(explainer), encode(crashed)).json()["saved"] is True

    reopened = writer.get(change_url(explainer)).content.decode()
    assert 'id="draft-offer"' in reopened  # "Ungespeicherten Entwurf von … wiederherstellen"
    fresh = opened_form(writer, explainer)
    fresh["main"]["kicker"] = "Tippfehler korrigiert"  # typed before reading the offer
    writer.post(autosave_url(explainer), encode(fresh))

    restored = writer.get(change_url(explainer) + "?entwurf=wiederherstellen")
    assert UNSAVED in restored.content.decode()

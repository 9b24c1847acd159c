"""Markdown nested deeper than the renderer goes is refused where text comes in, instead of
disappearing from the reader page without a word (issue 10, item 10)."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given, settings

from explainers.core.rendering import MAX_NESTING, render_markdown, too_deeply_nested
from explainers.models import Explainer, Question
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer
from tests.support.strategies import nested_markdown_texts

QUOTES_SHOWN = "> " * (MAX_NESTING - 1) + "ganz innen"
QUOTES_DROPPED = "> " * MAX_NESTING + "ganz innen"
LISTS_DROPPED = "".join("  " * depth + f"- Ebene {depth}\n" for depth in range(MAX_NESTING))


def test_text_nested_too_deep_disappears_from_the_rendered_html():
    # What markdown-it does with it, and why it has to be refused before it is stored.
    assert "ganz innen" in render_markdown(QUOTES_SHOWN)
    assert "ganz innen" not in render_markdown(QUOTES_DROPPED)
    assert f"Ebene {MAX_NESTING - 1}" not in render_markdown(LISTS_DROPPED)


def test_too_deeply_nested_is_exactly_the_text_that_would_disappear():
    assert not too_deeply_nested(QUOTES_SHOWN)
    assert too_deeply_nested(QUOTES_DROPPED)
    assert too_deeply_nested(LISTS_DROPPED)
    assert too_deeply_nested("Davor.\n\n" + "- > " * 12 + "innen\n\nDanach.")
    assert too_deeply_nested("> " * 50_000 + "x")  # bounded work, no recursion error
    assert not too_deeply_nested("")
    assert not too_deeply_nested("**" * 40 + "fett" + "**" * 40)  # inline nesting keeps text


@settings(max_examples=300, deadline=None)
@given(nested_markdown_texts())
def test_a_text_is_too_deep_exactly_when_one_of_its_words_would_not_be_shown(text):
    shown = set(re.findall(r"wort\d+", str(render_markdown(text))))
    lost = set(re.findall(r"wort\d+", text)) - shown
    assert too_deeply_nested(text) == bool(lost)


# --- the admin form ------------------------------------------------------------------------


def change_url(explainer):
    return reverse("admin:explainers_explainer_change", args=[explainer.pk])


@pytest.mark.django_db
def test_an_answer_nested_too_deep_is_a_form_error_and_nothing_is_saved(client, reporter):
    explainer = make_explainer(questions=2, sources=1)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][1]["answer"] = QUOTES_DROPPED
    response = client.post(change_url(explainer), encode(form))
    assert response.status_code == 200
    assert "Zu tief verschachtelt" in response.content.decode()
    assert not Question.objects.filter(answer=QUOTES_DROPPED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["teaser", "intro"])
def test_a_teaser_or_intro_nested_too_deep_is_a_form_error(client, reporter, field):
    explainer = make_explainer(questions=1, sources=1)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["main"][field] = LISTS_DROPPED
    response = client.post(change_url(explainer), encode(form))
    assert response.status_code == 200
    assert "Zu tief verschachtelt" in response.content.decode()
    explainer.refresh_from_db()
    assert getattr(explainer, field) != LISTS_DROPPED


@pytest.mark.django_db
def test_a_deep_but_shown_answer_is_saved(client, reporter):
    explainer = make_explainer(questions=1, sources=1)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][0]["answer"] = QUOTES_SHOWN
    assert client.post(change_url(explainer), encode(form)).status_code == 302
    assert Question.objects.filter(answer=QUOTES_SHOWN).exists()


@pytest.mark.django_db
def test_a_stored_answer_nested_too_deep_stays_stored_and_is_shown_in_the_form(client, reporter):
    explainer = make_explainer(questions=1, sources=1)
    Question.objects.filter(explainer=explainer).update(answer=QUOTES_DROPPED)
    client.force_login(reporter)
    page = client.get(change_url(explainer)).content.decode()
    assert "ganz innen" in page
    response = client.post(change_url(explainer), encode(change_form_data(explainer)))
    assert "Zu tief verschachtelt" in response.content.decode()
    assert Question.objects.get(explainer=explainer).answer == QUOTES_DROPPED


# --- the importer --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_importer_refuses_an_answer_nested_too_deep_and_names_the_question(tmp_path):
    path = tmp_path / "tief.txt"
    path.write_text(
        "Teaser.\nWas ist das?\nEine Antwort.\nWie tief geht es?\n" + QUOTES_DROPPED + "\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Zu tief verschachtelt") as error:
        call_command("import_explainer", str(path), "--title", "Tief")
    assert "„Wie tief geht es?“" in str(error.value)
    assert not Explainer.objects.exists()


@pytest.mark.django_db
def test_the_importer_refuses_a_teaser_nested_too_deep(tmp_path):
    path = tmp_path / "tief.txt"
    path.write_text("- " * MAX_NESTING + "Teaser.\nWas ist das?\nAntwort.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Zu tief verschachtelt im Teaser"):
        call_command("import_explainer", str(path), "--title", "Tief")
    assert not Explainer.objects.exists()

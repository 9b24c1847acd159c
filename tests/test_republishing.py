"""An explainer published again and again: what publishing carries over from the versions
before (rendered answers, change-log lines) stays true for the version at hand."""

import pytest
from django.urls import reverse
from django.utils import translation

from explainers.domain.publishing import publish
from explainers.models import Publication, Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _german_after_each_test():
    yield
    translation.activate("de")


def edit_answer(explainer, position: int, answer: str) -> None:
    Question.objects.filter(explainer=explainer, position=position).update(answer=answer)


def rendered(publication: Publication, position: int) -> str:
    key = publication.document["questions"][position - 1]["key"]
    return publication.rendered_answers[key]


def test_an_unchanged_answer_gets_its_sources_new_number_when_the_reading_order_changes(desk):
    explainer = make_explainer(questions=3, sources=2)
    edit_answer(explainer, 1, "Erstens [^quelle-1].")
    edit_answer(explainer, 2, "Zweitens [^quelle-2].")
    first = publish(explainer, user=desk)
    assert 'aria-label="Quelle 2">[2]</a>' in rendered(first, 2)

    edit_answer(explainer, 1, "Erstens, ohne Verweis.")  # now quelle-2 is met first
    second = publish(explainer, kind="update", note="Verweis entfernt.", user=desk)

    assert 'aria-label="Quelle 1">[1]</a>' in rendered(second, 2)
    assert rendered(second, 1) == "<p>Erstens, ohne Verweis.</p>\n"
    assert 'aria-label="Quelle 2">[2]</a>' in rendered(first, 2)  # the old one as it was


def test_an_edited_answer_is_published_as_edited_and_the_others_as_before(desk):
    explainer = make_explainer(questions=3, sources=1)
    first = publish(explainer, user=desk)
    edit_answer(explainer, 3, "Eine neue dritte Antwort.")
    second = publish(explainer, kind="update", note="Antwort 3 neu.", user=desk)
    assert rendered(second, 3) == "<p>Eine neue dritte Antwort.</p>\n"
    assert rendered(second, 1) == rendered(first, 1)
    assert rendered(second, 2) == rendered(first, 2)


def published_often(desk):
    explainer = make_explainer(questions=2, sources=1)
    publish(explainer, user=desk)
    notes = [("update", "Erste Aktualisierung."), ("correction", "Zahl berichtigt."),
             ("clarification", "Genauer gesagt."), ("update", "Neue Lage.")]  # fmt: skip
    for step, (kind, note) in enumerate(notes, start=1):
        edit_answer(explainer, 1, f"Antwort, Stand {step}.")
        publish(explainer, kind=kind, note=note, user=desk)
    return explainer


def change_log_of(html: str) -> str:
    start = html.index('<section class="changes"')
    return html[start : html.index("</section>", start)]


def test_every_change_note_is_listed_newest_first_in_the_readers_language(client, desk):
    explainer = published_often(desk)
    url = reverse("explainers:detail", args=[explainer.slug])

    german = change_log_of(client.get(url).content.decode())
    english = change_log_of(client.get(url, **EN).content.decode())
    german_again = change_log_of(client.get(url).content.decode())

    assert german == german_again
    order = [german.index(f"(v{n}): ") for n in (5, 4, 3, 2)]
    assert order == sorted(order)
    assert "Neue Lage." in german and "Zahl berichtigt." in german
    assert german.count('class="change--correction"') == 1
    assert "Korrektur" in german and " Uhr</time>" in german
    assert "Correction" in english and "Korrektur" not in english
    assert " Uhr</time>" not in english
    assert english.count('class="change--correction"') == 1

"""Citations numbered in the order readers meet them, and German typography, for
publications made from now on (`Publication.typesetting`); older ones render as before."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import html as lxml_html

from explainers.core.rendering import citation_numbers, render_document_answers
from explainers.core.typography import CURRENT, PLAIN
from explainers.domain.publishing import publish
from explainers.domain.takedown import redact
from explainers.models import Publication
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

SOURCES = [
    {"key": key, "label": label, "publisher": "", "url": None, "date": None, "kind": "article"}
    for key, label in [
        ("amt", "Bericht des Amts 2014-2016"),
        ("bund", "Antwort der Bundesregierung"),
        ("cdu", 'Papier "Zukunft" der Fraktion'),
        ("dpa", "Meldung, nie zitiert"),
    ]
]
QUESTIONS = [
    {
        "key": "q-1",
        "anchor": "worum-geht-es",
        "question": 'Was heißt "Schuldenbremse"?',
        "answer": 'Sie sagte "Nein" - wie 2014-2016 [^cdu]. Dazu das Amt [^amt] und [^cdu].',
        "cites": ["cdu", "amt"],
    },
    {
        "key": "q-2",
        "anchor": "was-nun",
        "question": "Und was nun?",
        "answer": "Die Regierung [^bund] widerspricht [^cdu].",
        "cites": ["bund", "cdu"],
    },
]


def explainer_with_out_of_order_citations(**overrides):
    return make_explainer(questions=QUESTIONS, sources=SOURCES, **overrides)


def tree_of(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml_html.fromstring(response.content.decode())


def citations(tree) -> list[tuple[str, str]]:
    """(shown number, link target) of every citation in the answers, in page order."""
    return [(a.text_content(), a.get("href")) for a in tree.xpath("//sup[@class='cite']/a")]


def source_list(tree) -> list[tuple[str, str, list[str]]]:
    """(id, label, questions citing it) of every entry of "Verwendete Quellen", in order."""
    return [
        (
            li.get("id"),
            " ".join(li.text_content().split()).split(" (")[0],
            [a.get("href") for a in li.xpath(".//span[@class='cited-by']/a")],
        )
        for li in tree.xpath("//section[@class='sources']//li")
    ]


def test_the_first_citation_a_reader_meets_is_number_one(client):
    explainer = explainer_with_out_of_order_citations()
    publication = publish(explainer)
    assert publication.typesetting == CURRENT
    tree = tree_of(client, reverse("explainers:detail", args=[explainer.slug]))
    assert citations(tree) == [
        ("[1]", "#quelle-1"),  # cdu, cited first
        ("[2]", "#quelle-2"),  # amt
        ("[1]", "#quelle-1"),
        ("[3]", "#quelle-3"),  # bund, first cited in the second question
        ("[1]", "#quelle-1"),
    ]
    assert source_list(tree) == [
        ("quelle-1", "Papier „Zukunft“ der Fraktion", ["#worum-geht-es", "#was-nun"]),
        ("quelle-2", "Bericht des Amts 2014–2016", ["#worum-geht-es"]),
        ("quelle-3", "Antwort der Bundesregierung", ["#was-nun"]),
        ("quelle-4", "Meldung, nie zitiert", []),  # never cited: last, in stored order
    ]
    # every citation's own id is unique and named after the number it shows
    ids = tree.xpath("//sup[@class='cite']/a/@id")
    assert ids == [
        "worum-geht-es-zitat-1",
        "worum-geht-es-zitat-2",
        "worum-geht-es-zitat-1-2",
        "was-nun-zitat-3",
        "was-nun-zitat-1",
    ]


def test_sources_cited_without_a_marker_follow_the_marked_ones_in_article_order():
    def question(answer: str, cites: list[str]) -> dict:
        return {"key": answer, "anchor": "a", "answer": answer, "cites": cites}

    document = {
        "sources": [{"key": key} for key in ("nie", "ohne", "zweite", "erste", "link")],
        "questions": [
            question("Erst [^erste], im Linktext nicht: [siehe [^link]](https://e.org)", []),
            question("Dann [^zweite] und [^erste].", ["ohne", "zweite", "erste"]),
        ],
    }
    assert citation_numbers(document, typesetting=CURRENT) == {
        "erste": 1,
        "zweite": 2,
        "ohne": 3,  # cited by the second question, without a marker
        "nie": 4,  # never cited: stored order
        "link": 5,  # its only marker stands in a link's text, where it is no citation
    }
    assert citation_numbers(document, typesetting=PLAIN) == {
        "nie": 1, "ohne": 2, "zweite": 3, "erste": 4, "link": 5
    }  # fmt: skip


def test_the_page_is_typeset_but_what_is_stored_stays_as_typed(client):
    explainer = explainer_with_out_of_order_citations(
        headline='Was die "Schuldenbremse" 2024-2025 bedeutet', teaser='Ein "Streit" - erklärt.'
    )
    publication = publish(explainer, note='Zahlen für 2024-2025 "ergänzt"')
    tree = tree_of(client, reverse("explainers:detail", args=[explainer.slug]))
    assert tree.findtext(".//h1") == "Was die „Schuldenbremse“ 2024–2025 bedeutet"
    assert tree.find_class("teaser")[0].text_content().strip() == "Ein „Streit“ – erklärt."
    answer = tree.xpath("//section[@id='worum-geht-es']//div[@class='answer']")[0]
    assert answer.text_content().startswith("Sie sagte „Nein“ – wie 2014–2016 [1].")
    question = tree.xpath("//h2[@id='worum-geht-es-titel']")[0]
    assert question.text_content().split("#")[0].strip() == "Was heißt „Schuldenbremse“?"
    assert tree.xpath("//nav[@class='toc']//a")[0].text_content() == "Was heißt „Schuldenbremse“?"
    # "Zitiert in" puts it in a <q>, which adds „…“: its own quotes become the inner ones
    assert tree.xpath("//span[@class='cited-by']//q")[0].text == "Was heißt ‚Schuldenbremse‘?"
    # an attribute keeps the question as typed
    assert tree.xpath("//h2[@id='worum-geht-es-titel']/a/@aria-label") == [
        'Link zu dieser Frage: Was heißt "Schuldenbremse"?'
    ]
    publication.refresh_from_db()
    assert publication.document["headline"] == 'Was die "Schuldenbremse" 2024-2025 bedeutet'
    assert publication.document["questions"][0]["answer"] == QUESTIONS[0]["answer"]
    found = client.get(reverse("explainers:search") + "?q=Schuldenbremse").content.decode()
    assert "Was die &quot;Schuldenbremse&quot; 2024-2025 bedeutet" in found


def test_the_latest_note_and_the_change_log_are_typeset(client):
    explainer = explainer_with_out_of_order_citations()
    publish(explainer)
    explainer.headline = "Neu"
    explainer.save()
    publish(explainer, kind="correction", note='Die Zahl für "2014-2016" war falsch.')
    tree = tree_of(client, reverse("explainers:detail", args=[explainer.slug]))
    expected = "Die Zahl für „2014–2016“ war falsch."
    assert expected in tree.find_class("latest-change")[0].text_content()
    assert expected in tree.find_class("changes")[0].text_content()


def make_old(publication: Publication) -> None:
    """As a publication made before typesetting existed was stored."""
    Publication.objects.filter(pk=publication.pk).update(
        typesetting=PLAIN,
        rendered_answers=render_document_answers(publication.document),
        article_bodies={},
    )


def test_an_older_publication_renders_exactly_as_before(client):
    explainer = explainer_with_out_of_order_citations()
    make_old(publish(explainer))
    tree = tree_of(client, reverse("explainers:detail", args=[explainer.slug]))
    # numbered in stored order, typed quotes and hyphens
    assert [number for number, _target in citations(tree)] == ["[3]", "[1]", "[3]", "[2]", "[3]"]
    assert [entry[:2] for entry in source_list(tree)] == [
        ("quelle-1", "Bericht des Amts 2014-2016"),
        ("quelle-2", "Antwort der Bundesregierung"),
        ("quelle-3", 'Papier "Zukunft" der Fraktion'),
        ("quelle-4", "Meldung, nie zitiert"),
    ]
    answer = tree.xpath("//section[@id='worum-geht-es']//div[@class='answer']")[0]
    assert answer.text_content().startswith('Sie sagte "Nein" - wie 2014-2016 [3].')


def test_a_redaction_and_a_rerender_keep_each_publications_typesetting(client, desk):
    explainer = explainer_with_out_of_order_citations()
    old = publish(explainer)
    make_old(old)
    explainer.headline = "Zweite Fassung"
    explainer.save()
    new = publish(explainer, note="Neue Überschrift.")
    redact(explainer, passage="widerspricht", reason="LG", user=desk)
    call_command("rerender", "--all", stdout=open("/dev/null", "w"))  # noqa: SIM115
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.typesetting, new.typesetting) == (PLAIN, CURRENT)
    assert "widerspricht" not in str(new.rendered_answers)
    current = tree_of(client, reverse("explainers:detail", args=[explainer.slug]))
    assert [n for n, _ in citations(current)] == ["[1]", "[2]", "[1]", "[3]", "[1]"]
    assert "„Nein“ – wie 2014–2016" in current.find_class("answer")[0].text_content()
    first = tree_of(client, reverse("explainers:version", args=[explainer.slug, 1]))
    assert [n for n, _ in citations(first)] == ["[3]", "[1]", "[3]", "[2]", "[3]"]
    assert '"Nein" - wie 2014-2016' in first.find_class("answer")[0].text_content()


def test_the_preview_shows_the_working_copy_as_it_would_be_published(client, desk):
    explainer = explainer_with_out_of_order_citations()
    make_old(publish(explainer))
    client.force_login(desk)
    preview = tree_of(client, reverse("explainers:preview", args=[explainer.slug]))
    assert [n for n, _ in citations(preview)] == ["[1]", "[2]", "[1]", "[3]", "[1]"]
    assert source_list(preview)[0][1] == "Papier „Zukunft“ der Fraktion"
    never_published = explainer_with_out_of_order_citations()
    publish_page = tree_of(
        client, reverse("admin:explainers_explainer_publish", args=[never_published.pk])
    )
    assert [n for n, _ in citations(publish_page)] == ["[1]", "[2]", "[1]", "[3]", "[1]"]


def test_the_diff_shows_each_versions_own_citation_numbers(client):
    explainer = explainer_with_out_of_order_citations()
    publish(explainer)
    question = explainer.questions.get(position=2)
    question.answer = "Die Regierung [^bund] widerspricht nicht [^cdu]."
    question.save()
    publish(explainer, note="Korrigiert.", kind="correction")
    diff = tree_of(client, reverse("explainers:diff", args=[explainer.slug, "1..2"]))
    changed = diff.find_class("diff-entry--changed")[0].text_content()
    # as on the page of v2: bund is [3], cdu [1]; the texts as typed
    assert "Die Regierung [3] widerspricht" in changed and "[1]." in changed

"""The data the "Seit Ihrem letzten Besuch" box is filled from: in the current page, the same
for every reader, outside the stored article; absent from older versions. What a reader
read stays in their browser (tests/e2e/test_since_last_visit.py shows the box itself)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.models import Explainer, Publication
from explainers.reader import views
from tests.factories import make_document

pytestmark = pytest.mark.django_db

DATA_RE = re.compile(
    r'<script id="_seit-letztem-besuch-daten" type="application/json">(.*?)</script>', re.S
)


@pytest.fixture(autouse=True)
def _german_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def republish(document: dict, **changes) -> Publication:
    """The explainer of `document` with `changes` applied, published as the next version."""
    explainer = import_document(document, replace=True)
    return publish(explainer, **changes)


def five_versions() -> tuple[dict, list[Publication]]:
    """v1–v3 as the reader first read it (v2, v3: teaser and intro); v4 adds a question, v5
    rewrites the answers of questions 1 and 3."""
    document = make_document(questions=3)
    explainer = import_document(document)
    publications = [publish(explainer, kind="first")]
    for teaser in ("Zweiter Vorspann.", "Dritter Vorspann."):
        document["teaser"] = teaser
        publications.append(republish(document, note="Vorspann neu."))
    document["questions"].append(
        {
            "key": "q-neu",
            "anchor": "neue-frage",
            "question": "Was ist neu?",
            "answer": "Eine neue Antwort.",
            "cites": [],
        }
    )
    publications.append(republish(document, note="Eine Frage neu."))
    document["questions"][0]["answer"] = "Neue Antwort auf Frage 1. [^quelle-1]"
    document["questions"][2]["answer"] = "Neue Antwort auf Frage 3."
    publications.append(republish(document, note="Zwei Antworten aktualisiert."))
    return document, publications


def data_in(html: str) -> dict | None:
    found = DATA_RE.findall(html)
    assert len(found) <= 1
    return json.loads(found[0]) if found else None


def page(client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_current_page_carries_the_versions_of_each_announced_change(client):
    """Question 2 (unchanged since v1) is left out: no visit is older than v1."""
    document, _publications = five_versions()
    slug = document["slug"]
    html = page(client, reverse("explainers:detail", args=[slug]))
    data = data_in(html)
    assert data == {
        "explainer": str(Explainer.objects.get(slug=slug).pk),  # survives a new slug
        "version": 5,
        "diff": f"/explainers/{slug}/diff/",
        "announced": [2, 3, 4, 5],
        "questions": [
            {"anchor": "frage-1", "question": "Was ist Frage 1?", "number": 5, "added": False},
            {"anchor": "frage-3", "question": "Was ist Frage 3?", "number": 5, "added": False},
            {"anchor": "neue-frage", "question": "Was ist neu?", "number": 4, "added": True},
        ],
    }
    # what the browser builds from it for a reader of v3: the diff page and the questions
    assert client.get(f"{data['diff']}3..5/").status_code == 200
    for question in data["questions"]:
        assert f'id="{question["anchor"]}"' in html


def test_a_minor_fix_is_not_announced_to_returning_readers(client):
    document = make_document(questions=2)
    publish(import_document(document), kind="first")
    document["questions"][1]["answer"] = "Tippfehler behoben."
    republish(document, kind="minor")
    data = data_in(page(client, reverse("explainers:detail", args=[document["slug"]])))
    assert data["version"] == 2
    assert data["announced"] == []
    assert data["questions"] == []  # the box stays away for a reader of v1


def test_an_older_version_has_neither_box_nor_data_nor_script(client):
    document, _publications = five_versions()
    old = page(client, reverse("explainers:version", args=[document["slug"], 3]))
    assert "Sie lesen eine ältere Fassung (v3)" in old
    assert data_in(old) is None
    assert "_seit-letztem-besuch" not in old and "_aenderungen-merken" not in old
    assert "since_last_visit.js" not in old
    # the current version under its number is the current page: the box is there
    current = page(client, reverse("explainers:version", args=[document["slug"], 5]))
    assert data_in(current)["version"] == 5


def test_the_box_and_the_control_are_hidden_until_the_script_fills_them(client):
    document, _publications = five_versions()
    html = page(client, reverse("explainers:detail", args=[document["slug"]]))
    box = re.search(r'<div class="since-visit" id="_seit-letztem-besuch"[^>]*>', html).group(0)
    control = re.search(r'<div class="remember" id="_aenderungen-merken"[^>]*>', html).group(0)
    assert " hidden" in box and " hidden" in control
    assert 'role="status"' in box
    assert 'data-lead="Seit Ihrem letzten Besuch (Fassung v{version}) geändert:"' in box
    assert 'data-new-one="{count} neue Frage"' in box
    assert 'data-new-other="{count} neue Fragen"' in box
    assert 'data-changed-one="{count} aktualisierte Antwort"' in box
    assert 'data-changed-other="{count} aktualisierte Antworten"' in box
    assert 'aria-pressed="false"' in html and "Änderungen für mich merken" in html
    assert re.search(r'<script src="[^"]*since_last_visit\.js" defer></script>', html)
    # no script runs from the page itself (the policy forbids it): only JSON data blocks
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag or "ld+json" in tag, tag
    assert "style=" not in html


def test_the_box_stays_outside_the_stored_article(client):
    document, publications = five_versions()
    page(client, reverse("explainers:detail", args=[document["slug"]]))
    stored = Publication.objects.get(pk=publications[-1].pk).article_bodies["de"]["html"]
    assert "Was ist neu?" in stored
    assert "_seit-letztem-besuch" not in stored and "_aenderungen-merken" not in stored


def test_every_reader_gets_the_same_page(client):
    document, _publications = five_versions()
    path = reverse("explainers:detail", args=[document["slug"]])
    first = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
    client.cookies.clear()
    second = client.get(path, HTTP_ACCEPT_LANGUAGE="de", HTTP_COOKIE="tracking=1")
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert "Set-Cookie" not in first and "Cookie" not in first.get("Vary", "")
    assert "public" in first["Cache-Control"]


def test_the_data_costs_the_page_no_query(client, settings, monkeypatch):
    settings.READER_HOLD_SECONDS = 0  # every request renders the page
    document, _publications = five_versions()
    path = reverse("explainers:detail", args=[document["slug"]])
    client.get(path)  # the article is stored now

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    with_box = queries()
    monkeypatch.setattr(views, "since_last_visit", lambda current, publication: None)
    without_box = queries()
    assert "_seit-letztem-besuch-daten" not in client.get(path).content.decode()
    assert with_box == without_box


def test_the_privacy_page_says_what_is_stored_and_how_to_remove_it(client):
    from tests.e2e.conftest import ensure_legal_pages

    ensure_legal_pages()
    html = page(client, reverse("datenschutz"))
    section = html[html.index('id="_zuletzt-gelesen"') :]
    assert "localStorage" in section and "newsroom:zuletzt-gelesen" in section
    assert "die Nummer der Fassung, die Sie zuletzt gelesen haben" in section
    assert "kein Cookie" in section
    assert "So entfernen Sie die Angaben" in section
    assert "Website-Daten" in section
    # the desk's own text is still there, before it
    assert html.index("Ihre Rechte") < html.index('id="_zuletzt-gelesen"')
    assert 'id="_zuletzt-gelesen"' not in page(client, reverse("impressum"))


def test_an_english_page_gets_english_strings_for_the_box(client):
    document, _publications = five_versions()
    html = page(
        client, reverse("explainers:detail", args=[document["slug"]]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert '<html lang="en"' in html
    assert 'data-lead="Changed since your last visit (version {version}):"' in html
    assert 'data-new-one="{count} new question"' in html
    assert 'data-new-other="{count} new questions"' in html
    assert 'data-changed-one="{count} updated answer"' in html
    assert 'data-changed-other="{count} updated answers"' in html
    assert "Remember changes for me" in html
    assert "Seit Ihrem letzten Besuch" not in html

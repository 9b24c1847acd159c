"""An English translation of the demo explainer, published from its v1 while the original is
at v3 (a correction since): Chromium shows the outdated note and the links between the
language versions under the production CSP at 375 and 1280 px; both pages pass axe and the
Nu checker."""

from __future__ import annotations

import json
import subprocess

import pytest
from playwright.sync_api import expect

from explainers.domain.publishing import publish
from explainers.models import Publication, Translation
from tests.e2e.desk import watched_page
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "key": f"q-{n}",
        "anchor": f"question-{n}",
        "question": question,
        "answer": answer,
        "cites": [],
    }
    for n, (question, answer) in enumerate(
        [
            ("What is Ukraine asking for?", "Binding guarantees from its partners."),
            ("Who would give them?", "The talks name several states; none has signed yet."),
        ],
        start=1,
    )
]


@pytest.fixture
def translation(demo_content):
    """The demo's English translation, published from the original's first version."""
    first = demo_content.publications.get(number=1)
    explainer = make_explainer(
        questions=QUESTIONS,
        sources=0,
        slug="security-guarantees",
        language="en",
        kicker="War in Ukraine",
        headline="Security guarantees: what Kyiv is asking for",
        teaser="What the guarantees would mean, in one sentence.",
        intro="The first paragraph of the introduction.",
    )
    Translation.objects.create(explainer=explainer, source=demo_content, source_publication=first)
    publication = publish(explainer)
    Publication.objects.filter(pk=publication.pk).update(source_publication=first)
    return explainer


def pages(demo_content, translation) -> dict[str, str]:
    return {
        "translation": f"/explainers/{translation.slug}/",
        "original": f"/explainers/{demo_content.current.slug}/",
    }


@pytest.mark.parametrize("width", [375, 1280])
def test_the_outdated_translation_says_so_and_links_its_original_under_the_csp(
    browser, demo_site, demo_content, translation, artifacts, width
):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = watched_page(context)
    paths = pages(demo_content, translation)
    page.goto(demo_site + paths["translation"])
    note = page.locator(".notice--translation")
    expect(note).to_be_visible()
    expect(note).to_have_attribute("lang", "en")
    expect(note).to_contain_text("version 1 of the original")  # in the translation's English
    diff = note.get_by_role("link")
    expect(diff).to_have_attribute("href", f"/explainers/{demo_content.current.slug}/diff/1..3/")
    page.screenshot(path=str(artifacts / f"translation-note-{width}.png"))
    german = page.locator(".language-versions").get_by_role("link", name="Deutsch")
    expect(german).to_have_attribute("hreflang", "de")
    german.click()
    expect(page).to_have_url(demo_site + paths["original"])
    expect(page.locator(".notice--translation")).to_have_count(0)
    english = page.locator(".language-versions").get_by_role("link", name="English")
    expect(english).to_have_attribute("lang", "en")
    page.screenshot(path=str(artifacts / f"translation-original-{width}.png"))
    diff_page = page.goto(demo_site + paths["original"] + "diff/1..3/")
    assert diff_page is not None and diff_page.status == 200
    assert page.csp_refusals == []
    context.close()


def test_both_language_versions_pass_axe(page, demo_site, demo_content, translation, axe_js):
    for path in pages(demo_content, translation).values():
        response = page.goto(demo_site + path)
        assert response is not None and response.status == 200
        violations = axe_violations(page, axe_js)
        assert not violations, f"{path}:\n{describe(violations)}"


def test_both_language_versions_are_valid_html(
    client, demo_content, translation, vnu_command, tmp_path
):
    files = []
    for name, path in pages(demo_content, translation).items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'hreflang="x-default"' in response.content
        (tmp_path / f"{name}.html").write_bytes(response.content)
        files.append(str(tmp_path / f"{name}.html"))
    proc = subprocess.run([*vnu_command, *files], capture_output=True, timeout=120)
    report = json.loads(proc.stderr)  # vnu writes its report on stderr
    assert report["messages"] == [], report

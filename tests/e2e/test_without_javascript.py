"""A reader with JavaScript off (and a keyboard) still gets everywhere: the pages use none."""

import re

import pytest
from playwright.sync_api import expect

from explainers.domain.demo import SLUG, TITLE


@pytest.fixture
def no_js_page(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_reading_searching_and_comparing_without_javascript(no_js_page, demo_site):
    page = no_js_page
    page.goto(demo_site + "/")
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/explainers/{SLUG}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    toc = page.get_by_role("navigation", name="Die Fragen")
    toc.get_by_role("link", name="Wird die Ukraine Mitglied der Nato?").click()
    expect(page).to_have_url(re.compile(r"#[\w-]+$"))
    question = page.locator(page.url[page.url.index("#") :])
    expect(question.get_by_role("heading", level=2)).to_contain_text("Mitglied der Nato")

    page.get_by_role("link", name="Fassung v3 – alle Fassungen").click()
    page.get_by_role("link", name="v2 → v3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Was sich geändert hat: v2 → v3")
    expect(page.locator(".diff ins").first).to_be_visible()

    search = page.get_by_role("search", name="Erklärstücke durchsuchen")
    search.get_by_role("searchbox").fill("Nato")
    search.get_by_role("button", name="Suchen").click()
    expect(page).to_have_url(re.compile(r"/suche/\?q=Nato$"))
    expect(page.get_by_role("link", name="Wird die Ukraine Mitglied der Nato?")).to_be_visible()


def test_the_skip_link_is_the_first_stop_and_shows_itself(page, demo_site):
    page.goto(demo_site + f"/explainers/{SLUG}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, box  # on screen, not off-left
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

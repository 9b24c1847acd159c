"""The "Seit Ihrem letzten Besuch" box in Chromium with the production Content-Security-Policy
enforced: a reader opts in at v3, the desk publishes v4 (a new question) and v5 (two answers
rewritten), and the reader's next visit says what changed, linked to the diff and to each
question. Nothing is kept without opting in, an older version moves nothing forward, opting
out deletes what was kept, and without JavaScript nothing shows. Screenshots in
test-artifacts/since-last-visit-*.png; axe-core in a separate context."""

import json

import pytest
from playwright.sync_api import Browser, expect

from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.models import Explainer
from tests.e2e.conftest import ensure_legal_pages
from tests.e2e.desk import watched_page
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_document
from tests.test_since_last_visit import republish

KEY = "newsroom:zuletzt-gelesen"
REMEMBER = "Änderungen für mich merken"


def at_v3() -> dict:
    ensure_legal_pages()
    document = make_document(questions=3, headline="Was die Garantien bedeuten")
    publish(import_document(document), kind="first")
    for teaser in ("Zweiter Vorspann.", "Dritter Vorspann."):
        document["teaser"] = teaser
        republish(document, note="Vorspann neu.")
    return document


def v4_and_v5(document: dict) -> None:
    document["questions"].append(
        {
            "key": "q-neu",
            "anchor": "neue-frage",
            "question": "Was ist neu?",
            "answer": "Eine neue Antwort.",
            "cites": [],
        }
    )
    republish(document, note="Eine Frage neu.")
    document["questions"][0]["answer"] = "Neue Antwort auf Frage 1. [^quelle-1]"
    document["questions"][2]["answer"] = "Neue Antwort auf Frage 3."
    republish(document, note="Zwei Antworten aktualisiert.")


def reader_page(context):
    """A page that asks the server each time, as a visit does once the page's short public
    caching (READER_CACHE_SECONDS) ran out; `csp_refusals` as tests/e2e/desk.py notes them."""
    page = watched_page(context)
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return page


def kept(page) -> dict | None:
    raw = page.evaluate(f"localStorage.getItem({json.dumps(KEY)})")
    return None if raw is None else json.loads(raw)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_returning_reader_sees_what_changed_since_v3(
    width, browser: Browser, live_server, artifacts, axe_js
):
    document = at_v3()
    slug = document["slug"]
    kept_as = str(Explainer.objects.get(slug=slug).pk)  # the explainer, not its slug
    base = live_server.url
    current = f"{base}/explainers/{slug}/"
    viewport = {"width": width, "height": 900}

    context = browser.new_context(locale="de-DE", viewport=viewport)
    reader = reader_page(context)
    reader.goto(current)
    box = reader.locator("#_seit-letztem-besuch")
    button = reader.get_by_role("button", name=REMEMBER)
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(box).to_be_hidden()
    assert reader.evaluate("localStorage.length") == 0  # nothing before the reader opts in

    button.focus()
    reader.keyboard.press("Enter")  # a keyboard opts in as a click does
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(reader.locator(".remember__status")).to_have_text(
        "Gemerkt: Fassung v3. Ein zweiter Klick löscht die Angabe wieder."
    )
    assert kept(reader) == {kept_as: 3}

    v4_and_v5(document)

    reader.goto(f"{base}/explainers/{slug}/v4/")  # now an older version
    expect(reader.get_by_text("Sie lesen eine ältere Fassung (v4)")).to_be_visible()
    expect(reader.locator("#_seit-letztem-besuch")).to_have_count(0)
    assert kept(reader) == {kept_as: 3}  # reading v4 later did not move v3 forward

    reader.goto(current)
    expect(box).to_be_visible()
    expect(box.locator("p")).to_have_text(
        "Seit Ihrem letzten Besuch (Fassung v3) geändert: 1 neue Frage, "
        "2 aktualisierte Antworten. Was sich geändert hat"
    )
    diff = box.get_by_role("link", name="Was sich geändert hat")
    expect(diff).to_have_attribute("href", f"/explainers/{slug}/diff/3..5/")
    items = box.locator("li")
    expect(items).to_have_text(
        ["Neu: Was ist neu?", "Aktualisiert: Was ist Frage 1?", "Aktualisiert: Was ist Frage 3?"]
    )
    hrefs = [items.nth(i).locator("a").get_attribute("href") for i in range(3)]
    assert hrefs == ["#neue-frage", "#frage-1", "#frage-3"]
    assert kept(reader) == {kept_as: 5}
    expect(button).to_have_attribute("aria-pressed", "true")
    reader.screenshot(path=artifacts / f"since-last-visit-box-{width}.png", full_page=False)

    box.get_by_role("link", name="Was ist neu?").click()
    expect(reader.locator("#neue-frage")).to_be_in_viewport()
    diff.click()
    expect(reader.get_by_role("heading", level=1)).to_contain_text("v3")
    expect(reader.get_by_role("heading", level=1)).to_contain_text("v5")

    reader.goto(current)  # v5 read: nothing new to say
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(box).to_be_hidden()

    button.click()  # opting out deletes what was kept
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(reader.locator(".remember__status")).to_contain_text("ist gelöscht")
    assert reader.evaluate("localStorage.length") == 0
    reader.locator(".remember").screenshot(path=artifacts / f"since-last-visit-off-{width}.png")
    reader.get_by_role("link", name="Mehr im Datenschutzhinweis").click()
    privacy = reader.get_by_role("region", name="„Änderungen für mich merken“")
    expect(privacy).to_be_in_viewport()
    expect(privacy).to_contain_text("newsroom:zuletzt-gelesen")
    reader.screenshot(path=artifacts / f"since-last-visit-privacy-{width}.png", full_page=False)
    assert not reader.csp_refusals, reader.csp_refusals  # type: ignore[attr-defined]
    context.close()

    # another reader, who never opted in: no box and nothing kept, whatever is published
    stranger_context = browser.new_context(locale="de-DE", viewport=viewport)
    stranger = reader_page(stranger_context)
    stranger.goto(current)
    expect(stranger.get_by_role("button", name=REMEMBER)).to_be_visible()
    document["teaser"] = "Sechster Vorspann."
    republish(document, note="Vorspann neu.")
    stranger.reload()
    expect(stranger.get_by_role("button", name=REMEMBER)).to_have_attribute("aria-pressed", "false")
    expect(stranger.locator("#_seit-letztem-besuch")).to_be_hidden()
    assert stranger.evaluate("localStorage.length") == 0
    assert stranger.context.cookies() == []
    assert not stranger.csp_refusals, stranger.csp_refusals  # type: ignore[attr-defined]
    stranger_context.close()

    # without JavaScript: neither the box nor the control, the page reads as before
    plain = browser.new_context(locale="de-DE", viewport=viewport, java_script_enabled=False)
    page = plain.new_page()
    page.goto(current)
    expect(page.get_by_role("heading", level=1)).to_have_text("Was die Garantien bedeuten")
    expect(page.locator("#_seit-letztem-besuch")).to_be_hidden()
    expect(page.locator("#_aenderungen-merken")).to_be_hidden()
    plain.close()

    # axe over the page with the box shown (axe needs the policy bypassed)
    checking = browser.new_context(locale="de-DE", viewport=viewport, bypass_csp=True)
    page = checking.new_page()
    page.goto(current)
    page.get_by_role("button", name=REMEMBER).click()
    remembered = json.dumps(json.dumps({kept_as: 3}))
    page.evaluate(f"localStorage.setItem({json.dumps(KEY)}, {remembered})")
    page.reload()
    expect(page.locator("#_seit-letztem-besuch")).to_be_visible()
    violations = axe_violations(page, axe_js)
    assert not violations, describe(violations)
    page.screenshot(path=artifacts / f"since-last-visit-page-{width}.png", full_page=True)
    checking.close()

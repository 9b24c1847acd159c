"""The desk's pages fit the window at 1280 and 375 px, in Chromium with the production
Content-Security-Policy enforced: no sideways page scrolling (a wide table may scroll only
inside its own region), every list column on screen at 1280, a 120-character headline whole
in its field, one primary action per page, destructive actions marked as such, tap targets
of at least 24 px. Screenshots in test-artifacts/layout-*.png."""

import datetime
import io

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from explainers.domain.publishing import publish
from explainers.models import Explainer
from tests.e2e.desk import log_in
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user

HEADLINE = (
    "Wer garantiert der Ukraine Sicherheit, wenn die Waffen schweigen, und was heißen "
    "die Zusagen der Koalition der Willigen?"
)
LONG_URL = (
    "https://www.example-zeitung.de/politik/ausland/ukraine-sicherheitsgarantien-koalition-"
    "der-willigen-analyse-2025-08-17-9f8e7d6c5b4a?utm_source=newsletter&utm_medium=email&n="
)
NOTE = (
    "Aktualisiert: Die Zusagen Frankreichs und Großbritanniens sind jetzt schriftlich "
    "festgehalten; Details unter https://www.example-zeitung.de/politik/zusagen-im-wortlaut-2025"
)

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PRIMARY = "() => [...document.querySelectorAll('.default')].map(e => e.value || e.innerText)"
# What a finger has to hit: the page's buttons, its tool links and the revision pickers.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    '#content .object-tools a, #content .submit-row input, #content .submit-row a, '
    + '#content a.button, #content button, #content input[type=radio]')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.textContent.trim() || e.value || e.name, e.getBoundingClientRect()])
  .filter(([, r]) => r.width < 24 || r.height < 24)
  .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`)"""


@pytest.fixture
def desk_pages(live_server):
    """A published explainer with a 120-character headline, sources with long URLs and
    unsaved-since-publication changes, and a draft that is overdue and handed in."""
    assert len(HEADLINE) == 120
    make_user("anna")
    chef = make_user("chef", publish=True)
    sources = [
        {
            "key": f"quelle-{i}",
            "label": f"Analyse der Sicherheitsgarantien, Teil {i} mit einem langen Titel",
            "publisher": "Example-Zeitung Politik und Ausland",
            "url": f"{LONG_URL}{i}",
            "date": "2025-08-17",
            "kind": "article",
        }
        for i in range(1, 4)
    ]
    explainer = make_explainer(headline=HEADLINE, questions=3, sources=sources)
    publish(explainer, user=chef)
    draft = make_explainer(headline="Ein Entwurf, der zur Abnahme liegt und überfällig ist")
    Explainer.objects.filter(pk=draft.pk).update(
        review_by=datetime.date(2020, 1, 1), ready_for_review=True
    )
    return live_server.url, explainer


def _sees_whole(page: Page, selector: str) -> dict:
    return page.locator(selector).evaluate(
        "e => ({sw: e.scrollWidth, cw: e.clientWidth, sh: e.scrollHeight, ch: e.clientHeight})"
    )


def _check(page: Page, name: str, width: int, artifacts) -> list[str]:
    """What does not fit on this page; the screenshot is kept either way."""
    page.screenshot(path=artifacts / f"layout-{name}-{width}.png", full_page=True)
    problems = []
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems.append(f"{name} at {width} px scrolls sideways by {overflow} px")
    primary = page.evaluate(PRIMARY)
    if len(primary) != 1:
        problems.append(f"{name} at {width} px: primary actions {primary}")
    small = page.evaluate(SMALL_TARGETS)
    if small:
        problems.append(f"{name} at {width} px: tap targets under 24 px: {small}")
    return problems


@pytest.mark.parametrize("width", [1280, 375])
def test_the_desk_pages_fit_the_window(width, browser: Browser, desk_pages, artifacts):
    base, explainer = desk_pages
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = log_in(context, base, "chef")
    admin = f"{base}/admin/explainers/explainer/"
    problems: list[str] = []

    page.goto(admin)
    expect(page.locator("#result_list")).to_contain_text("überfällig")
    problems += _check(page, "list", width, artifacts)
    results = _sees_whole(page, "#changelist .results")
    if width == 1280 and results["sw"] > results["cw"]:
        problems.append(f"list at 1280 px: the columns need {results['sw']} of {results['cw']} px")

    page.goto(f"{admin}{explainer.pk}/change/")
    page.locator('[name="teaser"]').fill("Der Teaser ist seit der Veröffentlichung geändert.")
    page.locator('[name="sources-0-url"]').fill(f"{LONG_URL}neu-und-noch-etwas-laenger")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.locator('[name="headline"]')).to_have_value(HEADLINE)
    headline = _sees_whole(page, '[name="headline"]')
    if headline["sw"] > headline["cw"] or headline["sh"] > headline["ch"]:
        problems.append(f"headline at {width} px is cut: {headline}")
    tools = page.locator(".object-tools")
    for name in ("Zurückziehen …", "Schwärzen …"):
        link = tools.get_by_role("link", name=name)
        expect(link).to_have_class("danger-action")
        expect(link).to_have_accessible_name(f"Achtung: {name}")
    expect(tools.locator("li.object-tool--danger").first).to_have_css("border-left-style", "solid")
    # the danger links come last, after every other tool
    classes = tools.locator("li").evaluate_all("items => items.map(i => i.className)")
    first_danger = classes.index("object-tool--danger")
    assert set(classes[first_danger:]) == {"object-tool--danger"}, classes
    problems += _check(page, "change", width, artifacts)
    sources = page.locator("#sources-group")
    sources.scroll_into_view_if_needed()
    sources.screenshot(path=artifacts / f"layout-change-sources-{width}.png")

    page.goto(f"{admin}{explainer.pk}/history/")
    problems += _check(page, "history", width, artifacts)
    page.get_by_role("button", name="Ausgewählte Revisionen vergleichen").click()
    expect(page.locator(".explainer-diff")).to_be_visible()
    problems += _check(page, "compare", width, artifacts)

    page.goto(f"{admin}{explainer.pk}/compare-published/")
    problems += _check(page, "compare_published", width, artifacts)

    page.goto(f"{admin}{explainer.pk}/publish/")
    expect(page.locator(".default")).to_have_value("Jetzt veröffentlichen")
    problems += _check(page, "publish", width, artifacts)

    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    context.close()
    assert not problems, "\n".join(problems)


def test_the_delete_link_under_the_form_is_marked_dangerous(browser: Browser, live_server):
    make_user("root", superuser=True)
    explainer = make_explainer()
    context = browser.new_context(locale="de-DE", viewport={"width": 375, "height": 900})
    page = log_in(context, live_server.url, "root")
    page.goto(f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/")
    row = page.locator(".submit-row")
    delete = row.get_by_role("link", name="Achtung: Löschen")
    expect(delete).to_have_class("deletelink danger-action")
    expect(row.locator(".default")).to_have_value("Sichern")
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_reader_index_and_versions_fit_the_text_column(
    width, browser: Browser, live_server, settings, tmp_path, artifacts
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), "steelblue").save(buffer, "PNG")
    name = default_storage.save("explainers/2026/12/karte.png", ContentFile(buffer.getvalue()))
    with_image = make_explainer(headline=HEADLINE, image={"src": name, "alt": "Karte"})
    for number, note in enumerate(["", NOTE, NOTE + " Und noch eine Korrektur."]):
        Explainer.objects.filter(pk=with_image.pk).update(teaser=f"Fassung {number + 1}.")
        publish(with_image, note=note, kind="first" if not number else "update")
    publish(make_explainer(headline="Ein Erklärstück ohne Bild"))

    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    refusals: list[str] = []
    page.on("console", lambda m: refusals.append(m.text) if "Content Security" in m.text else None)
    # DEBUG is off: the live server serves no media, so the browser gets the files from here
    page.route("**/media/**", lambda route: route.fulfill(
        path=tmp_path / route.request.url.split("/media/", 1)[1]
    ))  # fmt: skip
    problems: list[str] = []

    page.goto(live_server.url + "/")
    thumbnail = page.locator(".teaser-card img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_attribute("width", "480")
    expect(thumbnail).to_have_attribute("alt", "")
    box_before = thumbnail.bounding_box()
    thumbnail.evaluate("img => img.decode()")
    assert thumbnail.evaluate("img => img.naturalWidth") == 480
    assert thumbnail.bounding_box() == box_before  # room was kept before it loaded
    page.screenshot(path=artifacts / f"layout-reader-index-{width}.png", full_page=True)
    if page.evaluate(OVERFLOW) > 0:
        problems.append(f"index at {width} px scrolls sideways")

    page.goto(f"{live_server.url}/explainers/{with_image.slug}/versions/")
    page.screenshot(path=artifacts / f"layout-reader-versions-{width}.png", full_page=True)
    if page.evaluate(OVERFLOW) > 0:
        problems.append(f"versions at {width} px scrolls sideways")
    column = page.locator("main h1").bounding_box()
    table = page.locator("table.versions").bounding_box()
    if (
        table["x"] < column["x"] - 0.5
        or table["x"] + table["width"] > column["x"] + column["width"] + 0.5
    ):
        problems.append(f"versions table at {width} px leaves the text column: {table} {column}")
    context.close()
    assert not refusals, refusals
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_rearranged_desk_pages_have_no_axe_violations(
    width, browser: Browser, desk_pages, axe_js
):
    base, explainer = desk_pages
    context = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = log_in(context, base, "chef")
    admin = f"{base}/admin/explainers/explainer/"
    found = {}
    for path in ("", f"{explainer.pk}/change/", f"{explainer.pk}/history/"):
        page.goto(admin + path)
        found[path or "list"] = describe(axe_violations(page, axe_js))
    context.close()
    assert not any(found.values()), found

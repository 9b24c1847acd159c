"""Linked translations at the desk in Chromium with the production Content-Security-Policy
enforced: "Übersetzung anlegen …" on a published original, its confirmation page, the
change list flagging the translation "Übersetzung veraltet" once the original publishes an
update, the translation's panel with the original's changes question by question, and
"Als aktuell markieren". Screenshots in test-artifacts/translation-*.png; axe-core over the
three pages in a separate context."""

import pytest
from playwright.sync_api import Browser, expect

from explainers.domain.builders import document_from_explainer
from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.models import Explainer
from tests.e2e.desk import log_in
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user


def publish_an_update(original, desk_user, answer: str) -> None:
    document = document_from_explainer(Explainer.objects.get(pk=original.pk))
    document["questions"][1]["answer"] = answer
    import_document(document, replace=True)
    publish(original, kind="update", note="Neue Lage.", user=desk_user)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_desk_translates_sees_it_fall_behind_and_catches_up(
    width, browser: Browser, live_server, artifacts, axe_js
):
    desk_user = make_user("chef", publish=True)
    original = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    publish(original, user=desk_user)
    base = live_server.url
    viewport = {"width": width, "height": 900}
    page = log_in(browser.new_context(locale="de-DE", viewport=viewport), base, "chef")

    page.goto(f"{base}/admin/explainers/explainer/{original.pk}/change/")
    page.get_by_role("link", name="Übersetzung anlegen …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Übersetzung anlegen")
    expect(page.get_by_role("radio")).to_have_count(1)  # German is the original's own
    page.screenshot(path=artifacts / f"translation-01-confirm-{width}.png", full_page=True)
    confirm_url = page.url
    page.get_by_label("English").check()
    page.get_by_role("button", name="Übersetzung anlegen").click()
    expect(page.locator(".messagelist")).to_contain_text("Übersetzung auf English angelegt")
    translation = Explainer.objects.get(translation__source=original)
    assert page.url.endswith(f"/explainer/{translation.pk}/change/")
    panel = page.locator(".translation-panel")
    expect(panel).to_contain_text("entspricht Fassung v1")
    expect(panel).not_to_contain_text("Übersetzung veraltet")

    publish_an_update(original, desk_user, "Seit Montag gilt eine neue Regel.")
    page.goto(f"{base}/admin/explainers/explainer/?translation=outdated")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Übersetzung veraltet")
    page.screenshot(path=artifacts / f"translation-02-list-{width}.png", full_page=True)
    list_url = page.url

    change_url = f"{base}/admin/explainers/explainer/{translation.pk}/change/"
    page.goto(change_url)
    expect(panel).to_contain_text("Übersetzung veraltet")
    expect(panel).to_contain_text("das Original ist seitdem bei v2")
    changed = panel.locator(".translation-panel__question")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("In der Übersetzung: „Was ist Frage 2?“")
    expect(changed.locator("ins")).to_have_text("Seit Montag gilt eine neue Regel")
    expect(changed.locator("del")).to_have_text("Antwort auf Frage 2")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=artifacts / f"translation-03-panel-{width}.png")

    checking = browser.new_context(locale="de-DE", viewport=viewport, bypass_csp=True)
    checker = log_in(checking, base, "chef")
    for url in (confirm_url, list_url, change_url):
        checker.goto(url)
        violations = axe_violations(checker, axe_js)
        assert not violations, f"{url}:\n{describe(violations)}"
    checking.close()

    panel.get_by_role("button", name="Als aktuell markieren (entspricht v2)").click()
    expect(page.locator(".messagelist")).to_contain_text("entspricht Fassung v2")
    expect(panel).not_to_contain_text("Übersetzung veraltet")
    page.goto(f"{base}/admin/explainers/explainer/?translation=outdated")
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    refusals = page.csp_refusals  # type: ignore[attr-defined]
    assert not refusals, refusals
    page.context.close()

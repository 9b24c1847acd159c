"""The hand-off in Chromium, with the production Content-Security-Policy enforced: a reporter
hands the piece in with a message, the desk reads it on the admin index and sends it back with
a comment, the reporter reads that on the change page. Screenshots at 1280 and 375 px in
test-artifacts/hand-off-*.png; axe-core over the new page in a separate context (axe is
injected as a script, which the policy rightly blocks)."""

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.desk import log_in, reporter_and_desk
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user

MESSAGE = "Neue Zahlen aus Brüssel – bitte die Frage zu den Kosten prüfen."
COMMENT = "Bei „Wer garantiert was?“ fehlt die Quelle für die Truppenzahl."


@pytest.mark.parametrize("width", [1280, 375])
def test_hand_in_and_send_back_reach_the_other_role(
    width, browser: Browser, live_server, artifacts, axe_js
):
    make_user("anna")
    make_user("chef", publish=True)
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    base = live_server.url
    change = f"{base}/admin/explainers/explainer/{explainer.pk}/change/"
    reporter, desk = reporter_and_desk(browser, base, width)

    reporter.goto(change)
    reporter.get_by_role("link", name="Zur Abnahme vorlegen …").click()
    reporter.get_by_label("Nachricht an den Chef vom Dienst").fill(MESSAGE)
    reporter.screenshot(path=artifacts / f"hand-off-01-hand-in-{width}.png", full_page=True)
    reporter.get_by_role("button", name="Zur Abnahme vorlegen").click()
    expect(reporter.locator("ul.messagelist")).to_contain_text("Zur Abnahme vorgelegt.")
    expect(reporter.get_by_role("link", name="Zur Abnahme vorlegen …")).to_have_count(0)

    desk.goto(base + "/admin/")
    lists = desk.locator("#desk-lists")
    expect(lists).to_contain_text("Zur Abnahme (1)")
    expect(lists).to_contain_text(MESSAGE)
    expect(lists).to_contain_text("anna")
    desk.screenshot(path=artifacts / f"hand-off-02-desk-index-{width}.png", full_page=True)
    lists.get_by_role("link", name="Wer garantiert was?").click()
    expect(desk.locator(".hand-off-note")).to_contain_text(MESSAGE)
    desk.get_by_role("link", name="Zurück an die Redaktion …").click()
    comment = desk.get_by_label("Kommentar an die Redaktion")
    expect(comment).to_have_attribute("required", "")  # the browser asks before sending
    comment.fill(COMMENT)
    desk.screenshot(path=artifacts / f"hand-off-03-send-back-{width}.png", full_page=True)
    desk.get_by_role("button", name="Zurück an die Redaktion schicken").click()
    expect(desk.locator("ul.messagelist")).to_contain_text("Zurück an die Redaktion geschickt.")

    reporter.goto(change)
    note = reporter.locator(".hand-off-note")
    expect(note).to_contain_text("Zurück an die Redaktion von chef")
    expect(note).to_contain_text(COMMENT)
    expect(reporter.get_by_role("link", name="Zur Abnahme vorlegen …")).to_be_visible()
    reporter.screenshot(path=artifacts / f"hand-off-04-change-page-{width}.png", full_page=True)
    assert not reporter.csp_refusals and not desk.csp_refusals, (
        reporter.csp_refusals + desk.csp_refusals
    )  # type: ignore[attr-defined]
    reporter.context.close()
    desk.context.close()

    # axe needs its script injected: a separate context that bypasses the policy.
    checking = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = log_in(checking, base, "chef")
    for path in (
        f"/admin/explainers/explainer/{explainer.pk}/abnahme/",
        f"/admin/explainers/explainer/{explainer.pk}/zurueck/",
        "/admin/",
    ):
        page.goto(base + path)
        violations = axe_violations(page, axe_js)
        assert not violations, f"{path}:\n{describe(violations)}"
    checking.close()

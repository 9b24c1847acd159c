"""Autosave in Chromium with the production Content-Security-Policy enforced: text typed and
not saved comes back after the tab was killed (from the server's draft), and after the
session timed out (from the browser's own copy, handed to the server once logged in again).
Screenshots in test-artifacts/autosave-*.png; axe-core over the page with the offer."""

import pytest
from playwright.sync_api import Browser, expect

from explainers.models import Draft, Question
from tests.e2e.desk import log_in, watched_page
from tests.e2e.test_accessibility import describe
from tests.factories import make_explainer, make_user

TYPED = "Getippt, nicht gesichert: die Garantien gelten erst nach der Ratifizierung."


@pytest.mark.parametrize("width", [1280, 375])
def test_a_killed_tabs_text_comes_back_from_autosave(
    width, browser: Browser, live_server, artifacts, axe_js
):
    anna = make_user("anna")
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    change = f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/"
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = log_in(context, live_server.url, "anna")
    page.goto(change)
    page.locator('[name="questions-1-answer"]').fill(TYPED)
    expect(page.locator("#autosave-status")).to_contain_text("Entwurf um")
    refusals = list(page.csp_refusals)  # type: ignore[attr-defined]
    page.close()  # the tab dies: nothing was saved

    again = watched_page(context)
    again.goto(change)
    offer = again.locator("#draft-offer")
    expect(offer).to_contain_text("Ungespeicherten Entwurf von")
    again.screenshot(path=artifacts / f"autosave-01-offer-{width}.png", full_page=False)
    # Typing before deciding keeps nothing, so the waiting draft is not overwritten.
    again.locator('[name="kicker"]').fill("Vor dem Wiederherstellen getippt")
    expect(again.locator("#autosave-status")).to_contain_text("Erst den ungespeicherten Entwurf")
    again.wait_for_timeout(3500)  # longer than autosave waits after the last keystroke
    assert [v for n, v in Draft.objects.get().fields if n == "questions-1-answer"] == [TYPED]
    offer.get_by_role("link", name="wiederherstellen").click()
    expect(again.locator('[name="questions-1-answer"]')).to_have_value(TYPED)
    expect(again.locator(".draft-restored")).to_contain_text("wiederhergestellt")
    again.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(again.locator(".messagelist")).to_be_visible()
    assert Question.objects.filter(explainer=explainer, answer=TYPED).count() == 1
    assert not Draft.objects.exists()
    expect(again.locator("#draft-offer")).to_have_count(0)
    refusals += again.csp_refusals  # type: ignore[attr-defined]
    assert not refusals, refusals
    context.close()

    Draft.objects.create(explainer=explainer, user=anna, fields=[["teaser", TYPED]])
    checking = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = log_in(checking, live_server.url, "anna")
    page.goto(change)
    expect(page.locator("#draft-offer")).to_be_visible()
    page.add_script_tag(path=str(axe_js))
    violations = page.evaluate("axe.run('#draft-offer').then(result => result.violations)")
    assert not violations, describe(violations)
    checking.close()


def test_after_the_session_timed_out_the_browser_keeps_the_text(
    browser: Browser, live_server, artifacts
):
    make_user("anna")
    explainer = make_explainer(headline="Wer garantiert was?", questions=2, sources=1)
    change = f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/"
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = log_in(context, live_server.url, "anna")
    page.goto(change)
    context.clear_cookies(name="sessionid")  # the session ends while the page is open
    page.locator('[name="teaser"]').fill(TYPED)
    expect(page.locator("#autosave-status")).to_contain_text("nur in diesem Browser")
    assert not Draft.objects.exists()
    page.close()

    again = log_in(context, live_server.url, "anna")
    again.goto(change)
    offer = again.locator(".draft-offer--local")
    expect(offer).to_contain_text("(in diesem Browser)")
    again.screenshot(path=artifacts / "autosave-02-local-offer-1280.png", full_page=False)
    offer.get_by_role("button", name="wiederherstellen").click()
    expect(again.locator('[name="teaser"]')).to_have_value(TYPED)
    expect(again).to_have_url(change + "?entwurf=wiederherstellen")
    assert not again.csp_refusals, again.csp_refusals  # type: ignore[attr-defined]
    context.close()

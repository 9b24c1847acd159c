"""Comments in Chromium with the production Content-Security-Policy enforced: a reporter
comments on a question from the change page without leaving it (what is typed in the form
stays), the desk reads and resolves it there, readers never see it. Screenshots in
test-artifacts/comments-*.png; axe-core over the comments page in a separate context."""

import pytest
from playwright.sync_api import Browser, expect

from explainers.domain.publishing import publish
from tests.e2e.desk import log_in, reporter_and_desk
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user

COMMENT = "Die Zahl in der Antwort stimmt nicht mehr – bitte mit der Quelle abgleichen."


@pytest.mark.parametrize("width", [1280, 375])
def test_a_comment_on_a_question_reaches_the_desk_and_no_reader(
    width, browser: Browser, live_server, artifacts, axe_js
):
    make_user("anna")
    desk_user = make_user("chef", publish=True)
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    publish(explainer, user=desk_user)
    base = live_server.url
    change = f"{base}/admin/explainers/explainer/{explainer.pk}/change/"
    reporter, desk = reporter_and_desk(browser, base, width)

    reporter.goto(change)
    reporter.locator('[name="teaser"]').fill("Noch nicht gespeichert.")
    panel = reporter.locator("#comments")
    panel.get_by_label("Kommentar zu").select_option(label="Was ist Frage 2?")
    panel.get_by_placeholder("Kommentar schreiben …").fill(COMMENT)
    panel.get_by_role("button", name="Kommentieren").click()
    expect(panel.locator(".comment")).to_contain_text(COMMENT)
    expect(panel.locator(".comment q")).to_have_text("Was ist Frage 2?")
    expect(reporter.locator('[name="teaser"]')).to_have_value("Noch nicht gespeichert.")
    reporter.screenshot(path=artifacts / f"comments-01-reporter-{width}.png", full_page=False)

    desk.goto(change)
    comment = desk.locator("#comments .comment")
    expect(comment).to_contain_text(COMMENT)
    expect(comment).to_contain_text("anna")
    desk.screenshot(path=artifacts / f"comments-02-desk-{width}.png", full_page=False)
    comment.get_by_role("button", name="Erledigt").click()
    expect(desk.locator("#comments")).to_contain_text("Keine offenen Kommentare.")

    reader = desk.context.new_page()
    reader.goto(f"{base}/explainers/{explainer.slug}/")
    expect(reader.get_by_role("heading", level=1)).to_have_text("Wer garantiert was?")
    expect(reader.get_by_text("bitte mit der Quelle abgleichen")).to_have_count(0)
    refusals = reporter.csp_refusals + desk.csp_refusals  # type: ignore[attr-defined]
    assert not refusals, refusals
    reporter.context.close()
    desk.context.close()

    checking = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = log_in(checking, base, "chef")
    page.goto(f"{base}/admin/explainers/explainer/{explainer.pk}/kommentare/")
    violations = axe_violations(page, axe_js)
    assert not violations, describe(violations)
    checking.close()

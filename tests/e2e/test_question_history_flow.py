"""Per-question history in Chromium with the production Content-Security-Policy enforced:
a reporter reads each question's answers through time (article order, deleted ones last,
each answer whole and marked against the revision before), restores an old answer after
a confirmation page shows what it changes, then brings a deleted question back.
Screenshots in test-artifacts/questions-*.png; axe-core over both pages in a separate
context."""

import pytest
import reversion
from playwright.sync_api import Browser, expect

from explainers.domain.revisions import latest_revision, record_revision, revision_label
from explainers.models import Question
from tests.e2e.desk import log_in
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user

NEW_ANSWER = "Inzwischen sind 32 Staaten dabei."


def edit(explainer, **changes):
    with reversion.create_revision():
        for position, values in changes.items():
            rows = Question.objects.filter(explainer=explainer, position=int(position[1:]))
            rows.delete() if values is None else rows.update(**values)
        record_revision(explainer, comment="Bearbeitet")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_reporter_reads_a_questions_past_and_restores_it_after_seeing_the_change(
    width, browser: Browser, live_server, artifacts, axe_js
):
    make_user("anna")
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=0)
    first = latest_revision(explainer)
    edit(explainer, p2={"answer": NEW_ANSWER})
    edit(explainer, p3=None)
    key_2 = Question.objects.get(explainer=explainer, position=2).key
    base = live_server.url
    questions = f"{base}/admin/explainers/explainer/{explainer.pk}/history/questions/"
    page = log_in(
        browser.new_context(locale="de-DE", viewport={"width": width, "height": 900}),
        base,
        "anna",
    )

    page.goto(questions)
    headings = page.locator(".question-history h2")
    expect(headings).to_have_text(
        ["1. Was ist Frage 1?", "2. Was ist Frage 2?", "Was ist Frage 3? [gelöscht]"]
    )
    second = page.locator(".question-history").nth(1)
    newest = second.locator(".question-event").first
    expect(newest.locator("ins")).to_have_text("Inzwischen sind 32 Staaten dabei")
    expect(newest.locator("del")).to_have_text("Antwort auf Frage 2")
    expect(newest).to_contain_text("entspricht dem Arbeitsstand")
    expect(newest.get_by_role("link", name="Wiederherstellen …")).to_have_count(0)
    page.screenshot(path=artifacts / f"questions-01-history-{width}.png", full_page=True)

    second.locator(".question-event").nth(1).get_by_role("link", name="Wiederherstellen …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Frage aus Revision {revision_label(first)} wiederherstellen?"
    )
    expect(page.locator(".explainer-diff")).to_contain_text("1 geändert")
    expect(page.locator(".explainer-diff del").last).to_contain_text(
        "Inzwischen sind 32 Staaten dabei"
    )
    page.screenshot(path=artifacts / f"questions-02-confirm-{width}.png", full_page=True)
    assert Question.objects.get(explainer=explainer, key=key_2).answer == NEW_ANSWER
    page.get_by_role("button", name="Wiederherstellen bestätigen").click()

    expect(page.locator(".messagelist")).to_contain_text("wiederhergestellt")
    assert Question.objects.get(explainer=explainer, key=key_2).answer == "Antwort auf Frage 2."
    deleted = page.locator(".question-history").nth(2)
    deleted.get_by_role("link", name="Wiederherstellen …").first.click()
    expect(page.locator(".explainer-diff")).to_contain_text("1 neu")
    page.get_by_role("button", name="Wiederherstellen bestätigen").click()
    expect(page.locator(".question-history h2")).to_have_text(
        ["1. Was ist Frage 1?", "2. Was ist Frage 2?", "3. Was ist Frage 3?"]
    )
    page.screenshot(path=artifacts / f"questions-03-restored-{width}.png", full_page=True)
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    page.context.close()

    checking = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = log_in(checking, base, "anna")
    for address in (questions, f"{questions}{key_2}/restore/{first.pk}/"):
        page.goto(address)
        violations = axe_violations(page, axe_js)
        assert not violations, f"{address}:\n{describe(violations)}"
    checking.close()

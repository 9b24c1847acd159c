"""The live preview in Chromium with the production Content-Security-Policy enforced: text
typed into the change form, not saved, appears in the panel as readers would see it, and an
unknown citation marker is named there as the save would name it. Nothing is stored.
Screenshots in test-artifacts/live-preview-*.png."""

import pytest
from playwright.sync_api import Browser, expect

from explainers.models import Question
from tests.e2e.desk import log_in
from tests.factories import make_explainer, make_user

TYPED = "Frisch getippt und noch nicht gespeichert [^unbekannt]."


@pytest.mark.parametrize("width", [1280, 375, 1600])
def test_the_panel_shows_unsaved_text_and_an_unknown_marker(
    width, browser: Browser, live_server, artifacts
):
    make_user("anna")
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    stored = list(Question.objects.filter(explainer=explainer).values_list("answer", flat=True))
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = log_in(context, live_server.url, "anna")
    page.goto(live_server.url + f"/admin/explainers/explainer/{explainer.pk}/change/")

    frame = page.frame_locator(".live-preview__frame")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Wer garantiert was?")
    page.locator('[name="questions-1-answer"]').fill(TYPED)
    page.locator('[name="headline"]').fill("Wer garantiert was – und wem?")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Wer garantiert was – und wem?")
    expect(frame.get_by_text("Frisch getippt und noch nicht gespeichert")).to_be_visible()
    problems = page.locator(".live-preview__problems")
    expect(problems).to_contain_text("Keine Quelle mit dem Schlüssel unbekannt.")
    page.screenshot(path=artifacts / f"live-preview-{width}.png", full_page=False)

    page.locator('[name="questions-1-answer"]').fill("Wieder ohne Verweis.")
    expect(problems).to_have_count(0)
    assert not page.csp_refusals, page.csp_refusals
    context.close()
    assert (
        list(Question.objects.filter(explainer=explainer).values_list("answer", flat=True))
        == stored
    )

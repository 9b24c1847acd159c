"""The toolbar above each answer, in Chromium with the production Content-Security-Policy
enforced: formatting marks go around the selection, "Quelle zitieren" offers the sources in the
form – one added a moment ago and not yet saved, too – and puts [^key] at the cursor, all from
the keyboard; the answer grows with its text. Without JavaScript the plain textarea is there
and saves. Screenshots in test-artifacts/answer-toolbar-*.png."""

import pytest
from playwright.sync_api import Browser, Page, expect

from explainers.models import Question, Source
from tests.e2e.desk import log_in
from tests.factories import make_explainer, make_user


def _answer(page: Page, index: int):
    return page.locator("#questions-group .block:not(.empty-form)").nth(index).locator("textarea")


def _toolbar(page: Page, index: int):
    block = page.locator("#questions-group .block:not(.empty-form)").nth(index)
    return block.get_by_role("group", name="Antwort formatieren")


def _select(page: Page, index: int, start: int, end: int) -> None:
    _answer(page, index).evaluate(
        f"(field) => {{ field.focus(); field.setSelectionRange({start}, {end}); }}"
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_cite_a_source_added_in_the_same_form_from_the_keyboard(
    width, browser: Browser, live_server, artifacts
):
    make_user("anna")
    explainer = make_explainer(questions=2, sources=2)
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = log_in(context, live_server.url, "anna")
    page.goto(f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/")

    sources = page.locator("#sources-group")
    sources.get_by_role("button", name="Quelle hier einfügen").last.click()
    page.keyboard.type("neu-quelle")
    sources.locator(".block").nth(2).locator('[name$="-label"]').fill("Gerade erst angelegt")

    answer = _answer(page, 1)
    expect(answer).to_have_value("Antwort auf Frage 2.")
    _select(page, 1, 20, 20)  # the cursor after the full stop
    toolbar = _toolbar(page, 1)
    toolbar.get_by_role("button", name="Zitat").focus()
    page.keyboard.press("Tab")
    picker = toolbar.get_by_label("Quelle zum Zitieren")
    expect(picker).to_be_focused()
    expect(picker.locator("option")).to_have_text(
        [
            "Quelle wählen …",
            "quelle-1 – Titel der Quelle 1",
            "quelle-2 – Titel der Quelle 2",
            "neu-quelle – Gerade erst angelegt",
        ]
    )
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(picker).to_have_value("neu-quelle")
    page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="Quelle zitieren")).to_be_focused()
    page.keyboard.press("Enter")
    expect(answer).to_have_value("Antwort auf Frage 2.[^neu-quelle]")
    expect(answer).to_be_focused()
    page.keyboard.type(" Weiter im Text.")
    expect(answer).to_have_value("Antwort auf Frage 2.[^neu-quelle] Weiter im Text.")
    page.screenshot(path=artifacts / f"answer-toolbar-01-cited-{width}.png", full_page=False)

    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(page.locator("ul.messagelist")).to_contain_text("wurde erfolgreich geändert")
    stored = Question.objects.get(explainer=explainer, position=2)
    assert stored.answer == "Antwort auf Frage 2.[^neu-quelle] Weiter im Text."
    assert Source.objects.filter(explainer=explainer, key="neu-quelle").exists()
    page.reload()
    expect(_answer(page, 1)).to_have_value("Antwort auf Frage 2.[^neu-quelle] Weiter im Text.")
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    context.close()


def test_formatting_buttons_mark_up_the_selection_and_the_answer_grows(
    browser: Browser, live_server, artifacts
):
    make_user("anna")
    explainer = make_explainer(questions=1, sources=1)
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = log_in(context, live_server.url, "anna")
    page.goto(f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/")
    answer, toolbar = _answer(page, 0), _toolbar(page, 0)
    answer.fill("Erste Zeile\nzweite Zeile")

    _select(page, 0, 0, 5)
    toolbar.get_by_role("button", name="Fett").click()
    expect(answer).to_have_value("**Erste** Zeile\nzweite Zeile")
    _select(page, 0, 10, 15)
    toolbar.get_by_role("button", name="Kursiv").click()
    expect(answer).to_have_value("**Erste** *Zeile*\nzweite Zeile")
    _select(page, 0, 18, 24)
    toolbar.get_by_role("button", name="Link").click()
    expect(answer).to_have_value("**Erste** *Zeile*\n[zweite](https://) Zeile")
    # the address is selected, to be typed over
    page.keyboard.type("https://example.org/")
    expect(answer).to_have_value("**Erste** *Zeile*\n[zweite](https://example.org/) Zeile")

    answer.fill("Eins\nZwei")
    _select(page, 0, 0, 6)  # into the second line: both lines
    toolbar.get_by_role("button", name="Liste").click()
    expect(answer).to_have_value("- Eins\n- Zwei")
    answer.fill("Davor.\n\nGesagt ist gesagt.")
    _select(page, 0, 10, 10)
    toolbar.get_by_role("button", name="Zitat").click()
    expect(answer).to_have_value("Davor.\n\n> Gesagt ist gesagt.")

    low = answer.bounding_box()["height"]
    answer.fill("\n\n".join(f"Absatz {n}." for n in range(12)))
    assert answer.bounding_box()["height"] > 2 * low
    # The live preview reads the new text: typing through the toolbar is typing.
    frame = page.frame_locator(".live-preview__frame")
    expect(frame.get_by_text("Absatz 11.")).to_be_visible()
    page.screenshot(path=artifacts / "answer-toolbar-02-grown-1280.png", full_page=False)
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    context.close()


def test_without_javascript_the_plain_answer_field_saves(browser: Browser, live_server):
    make_user("anna")
    explainer = make_explainer(questions=1, sources=1)
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = log_in(context, live_server.url, "anna")
    page.goto(f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/")
    expect(page.locator(".answer-toolbar")).to_have_count(0)
    expect(page.get_by_role("button", name="Frage hier einfügen")).to_have_count(0)
    page.locator('[name="questions-0-answer"]').fill("Ohne Skript geschrieben [^quelle-1].")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(page.locator("ul.messagelist")).to_contain_text("wurde erfolgreich geändert")
    assert (
        Question.objects.get(explainer=explainer).answer == "Ohne Skript geschrieben [^quelle-1]."
    )
    context.close()

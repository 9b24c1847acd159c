"""Questions and sources as blocks on the change page, in Chromium with the production
Content-Security-Policy enforced: a question inserted between two others stays there after
saving, a block moved with the keyboard keeps the focus and is announced, a collapsed block
still saves what was typed in it; sources work the same. axe-core (in a context of its own,
CSP bypassed) and the Nu Html Checker find nothing on the change page. Screenshots in
test-artifacts/question-blocks-*.png."""

import json
import subprocess

import pytest
from playwright.sync_api import Browser, Page, expect

from explainers.models import Question, Source
from tests.e2e.desk import log_in
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user

NEW_QUESTION = "Was kommt neu an Stelle zwei?"
NEW_ANSWER = "Eine Antwort, die es vorher nicht gab."
EDITED_ANSWER = "Geändert, dann eingeklappt, trotzdem gespeichert."


def _questions(page: Page):
    return page.locator('#questions-group .block:not(.empty-form) input[name$="-question"]')


def _expect_questions(page: Page, questions: list[str]) -> None:
    """The question blocks of the change page, top to bottom."""
    expect(_questions(page)).to_have_count(len(questions))
    for index, question in enumerate(questions):
        expect(_questions(page).nth(index)).to_have_value(question)


def _open(browser: Browser, base: str, pk: int, width: int, **context) -> Page:
    page = log_in(
        browser.new_context(locale="de-DE", viewport={"width": width, "height": 900}, **context),
        base,
        "anna",
    )
    page.goto(f"{base}/admin/explainers/explainer/{pk}/change/")
    return page


def _save(page: Page) -> None:
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(page.locator("ul.messagelist")).to_contain_text("wurde erfolgreich geändert")


@pytest.mark.parametrize("width", [1280, 375])
def test_insert_move_and_collapse_questions_and_the_order_is_saved(
    width, browser: Browser, live_server, artifacts
):
    make_user("anna")
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    page = _open(browser, live_server.url, explainer.pk, width)
    group = page.locator("#questions-group")

    # Between question 1 and 2: a new, empty block, its question field focused.
    group.get_by_role("button", name="Frage hier einfügen").nth(1).click()
    expect(_questions(page)).to_have_count(4)
    expect(_questions(page).nth(1)).to_be_focused()
    expect(group.get_by_role("status")).to_have_text("Neue Frage an Stelle 2 eingefügt.")
    page.keyboard.type(NEW_QUESTION)
    group.locator(".block").nth(1).locator('textarea[name$="-answer"]').fill(NEW_ANSWER)

    # Question 3 (now the fourth block) one step up, from the keyboard.
    up = group.get_by_role("button", name="Frage 4 nach oben")
    up.focus()
    page.keyboard.press("Enter")
    _expect_questions(
        page, ["Was ist Frage 1?", NEW_QUESTION, "Was ist Frage 3?", "Was ist Frage 2?"]
    )
    moved = group.get_by_role("group", name="Frage 3").get_by_role("button", name="nach oben")
    expect(moved).to_be_focused()
    expect(group.get_by_role("status")).to_have_text(
        "Frage 4 nach oben verschoben, jetzt an Stelle 3."
    )
    page.keyboard.press("Enter")  # the focus stayed: a second step
    expect(_questions(page).nth(1)).to_have_value("Was ist Frage 3?")
    page.keyboard.press("Enter")
    expect(_questions(page).nth(0)).to_have_value("Was ist Frage 3?")
    page.keyboard.press("Enter")  # at the top: nothing moves, and it says so
    expect(group.get_by_role("status")).to_have_text("Frage 1 steht schon ganz oben.")
    expect(_questions(page).nth(0)).to_have_value("Was ist Frage 3?")
    group.get_by_role("button", name="Frage 1 nach unten").press("Enter")
    group.get_by_role("button", name="Frage 2 nach unten").press("Enter")
    _expect_questions(
        page, ["Was ist Frage 1?", NEW_QUESTION, "Was ist Frage 3?", "Was ist Frage 2?"]
    )

    # Question 1 edited, then collapsed to its question line.
    first = group.locator(".block").nth(0)
    first.locator('textarea[name$="-answer"]').fill(EDITED_ANSWER)
    toggle = first.get_by_role("button", name="alle Felder")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(first.locator('textarea[name$="-answer"]')).to_be_hidden()
    expect(first.locator('input[name$="-question"]')).to_be_visible()
    page.screenshot(path=artifacts / f"question-blocks-01-edited-{width}.png", full_page=False)

    _save(page)
    order = ["Was ist Frage 1?", NEW_QUESTION, "Was ist Frage 3?", "Was ist Frage 2?"]
    page.reload()
    _expect_questions(page, order)
    page.screenshot(path=artifacts / f"question-blocks-02-saved-{width}.png", full_page=False)
    stored = Question.objects.filter(explainer=explainer).order_by("position")
    assert [(q.position, q.question) for q in stored] == list(enumerate(order, start=1))
    assert stored[0].answer == EDITED_ANSWER
    assert stored[1].answer == NEW_ANSWER
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    page.context.close()


def test_removing_a_new_question_keeps_the_other_new_one_in_its_place(
    browser: Browser, live_server
):
    """Django renumbers the forms by page order after a new one is removed; a new question
    between saved ones must still be saved as new, and the saved ones as themselves."""
    make_user("anna")
    explainer = make_explainer(questions=3, sources=1)
    page = _open(browser, live_server.url, explainer.pk, 1280)
    group = page.locator("#questions-group")
    group.get_by_role("button", name="Frage hier einfügen").nth(1).click()
    page.keyboard.type("Kommt wieder weg?")
    group.get_by_role("button", name="Frage hier einfügen").nth(3).click()
    page.keyboard.type("Bleibt vor Frage 3?")
    group.locator(".block").nth(3).locator('textarea[name$="-answer"]').fill("Ja.")
    group.locator(".block").nth(1).get_by_role("button", name="Entfernen").click()
    order = ["Was ist Frage 1?", "Was ist Frage 2?", "Bleibt vor Frage 3?", "Was ist Frage 3?"]
    _expect_questions(page, order)
    _save(page)
    assert (
        list(
            Question.objects.filter(explainer=explainer)
            .order_by("position")
            .values_list("question", flat=True)
        )
        == order
    )
    page.reload()
    _expect_questions(page, order)
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    page.context.close()


def test_a_refused_save_shows_the_blocks_in_the_order_the_editor_left_them(
    browser: Browser, live_server
):
    make_user("anna")
    explainer = make_explainer(questions=3, sources=1)
    page = _open(browser, live_server.url, explainer.pk, 1280)
    group = page.locator("#questions-group")
    group.get_by_role("button", name="Frage hier einfügen").nth(1).click()
    page.keyboard.type("Noch ohne Antwort?")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(page.locator(".errornote")).to_be_visible()
    order = ["Was ist Frage 1?", "Noch ohne Antwort?", "Was ist Frage 2?", "Was ist Frage 3?"]
    _expect_questions(page, order)
    group.locator(".block").nth(1).locator('textarea[name$="-answer"]').fill("Jetzt mit.")
    _save(page)
    assert (
        list(
            Question.objects.filter(explainer=explainer)
            .order_by("position")
            .values_list("question", flat=True)
        )
        == order
    )
    page.context.close()


def test_dragging_a_saved_question_past_a_new_one_saves_the_order_on_screen(
    browser: Browser, live_server
):
    """adminsortable2 numbers only saved blocks after a drag; every block, new ones too, must
    get its place on the screen."""
    make_user("anna")
    explainer = make_explainer(questions=3, sources=1)
    page = _open(browser, live_server.url, explainer.pk, 1280)
    page.locator("#live-preview summary").click()  # the panel stays put over the form
    group = page.locator("#questions-group")
    group.get_by_role("button", name="Frage hier einfügen").nth(1).click()
    page.keyboard.type("Neu zwischen eins und zwei?")
    new = group.locator(".block").nth(1)
    new.locator('textarea[name$="-answer"]').fill("Ja.")
    for toggle in group.get_by_role("button", name="alle Felder").all():
        toggle.click()  # folded, every block fits on the screen

    handle = page.locator("#questions-2 > h3 .inline_label")  # "Was ist Frage 3?"
    onto = page.locator("#questions-0 > h3")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 10, steps=5)
    box = onto.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 3, steps=20)
    page.mouse.up()
    order = [
        "Was ist Frage 3?",
        "Was ist Frage 1?",
        "Neu zwischen eins und zwei?",
        "Was ist Frage 2?",
    ]
    _expect_questions(page, order)
    positions = group.locator(".block:not(.empty-form) input._reorder_")
    for index in range(4):
        expect(positions.nth(index)).to_have_value(str(index + 1))
    # The live preview follows the new order without a keystroke.
    preview = page.frame_locator(".live-preview__frame").locator("section.question h2")
    expect(preview.first).to_contain_text("Was ist Frage 3?")
    _save(page)
    assert (
        list(
            Question.objects.filter(explainer=explainer)
            .order_by("position")
            .values_list("question", flat=True)
        )
        == order
    )
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    page.context.close()


def test_sources_insert_move_and_collapse_like_questions(browser: Browser, live_server, artifacts):
    make_user("anna")
    explainer = make_explainer(questions=1, sources=2)
    page = _open(browser, live_server.url, explainer.pk, 375)
    group = page.locator("#sources-group")
    group.get_by_role("button", name="Quelle hier einfügen").first.click()
    page.keyboard.type("neu")
    group.locator(".block").nth(0).locator('[name$="-label"]').fill("Eine neue Quelle")
    group.get_by_role("button", name="Quelle 1 nach unten").press("Enter")
    expect(group.get_by_role("status")).to_have_text(
        "Quelle 1 nach unten verschoben, jetzt an Stelle 2."
    )
    first = group.locator(".block").nth(0)
    first.get_by_role("button", name="alle Felder").click()
    expect(first.locator('[name$="-publisher"]')).to_be_hidden()
    expect(first.locator('[name$="-key"]')).to_be_visible()
    page.screenshot(path=artifacts / "question-blocks-03-sources-375.png", full_page=False)
    _save(page)
    assert list(
        Source.objects.filter(explainer=explainer)
        .order_by("position")
        .values_list("key", flat=True)
    ) == ["quelle-1", "neu", "quelle-2"]
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    page.context.close()


def test_the_change_page_has_no_axe_violations(browser: Browser, live_server, axe_js):
    make_user("anna")
    explainer = make_explainer(questions=3, sources=2)
    page = _open(browser, live_server.url, explainer.pk, 1280, bypass_csp=True)
    group = page.locator("#questions-group")
    group.get_by_role("button", name="Frage hier einfügen").nth(1).click()
    group.locator(".block").nth(0).get_by_role("button", name="alle Felder").click()
    page.locator("#sources-group").get_by_role("button", name="Quelle hier einfügen").last.click()
    violations = axe_violations(page, axe_js)
    assert not violations, describe(violations)
    page.context.close()


@pytest.mark.django_db
def test_the_change_page_is_valid_html(client, vnu_command, tmp_path):
    user = make_user("anna")
    explainer = make_explainer(questions=3, sources=2)
    client.force_login(user)
    response = client.get(f"/admin/explainers/explainer/{explainer.pk}/change/")
    assert response.status_code == 200
    assert response.content.count(b'class="inline-related block') == 3 + 1 + 2 + 1  # + templates
    page = tmp_path / "change.html"
    page.write_bytes(response.content)
    proc = subprocess.run([*vnu_command, str(page)], capture_output=True, timeout=120)
    messages = json.loads(proc.stderr)["messages"]  # vnu writes its report on stderr
    assert not messages, "\n".join(
        f"{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
    )

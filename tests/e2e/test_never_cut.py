"""Nothing an editor pastes is cut: a counter under the field, a form error, the text kept.

Runs with the production Content-Security-Policy enforced (no bypass): the counter's script
must work under it.
"""

from playwright.sync_api import Browser, expect

from explainers.core.documents import ANSWER_MAX
from explainers.models import Question
from tests.factories import make_explainer, make_user

PASSWORD = "pw-long-enough"


def test_a_pasted_answer_over_the_limit_is_counted_refused_and_kept(
    browser: Browser, live_server, artifacts
):
    make_user("anna")
    explainer = make_explainer(questions=2)
    stored = Question.objects.filter(explainer=explainer).order_by("position").first().answer
    pasted = ("Ein sehr langer Absatz über Sicherheitsgarantien. " * 500)[: ANSWER_MAX + 50]
    for width in (1280, 375):
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
        page = context.new_page()
        blocked: list[str] = []

        def note_csp_violation(message, blocked=blocked):
            if "Content Security" in message.text:
                blocked.append(message.text)

        page.on("console", note_csp_violation)
        page.goto(live_server.url + "/admin/login/")
        page.get_by_label("Benutzername").fill("anna")
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.goto(live_server.url + f"/admin/explainers/explainer/{explainer.pk}/change/")
        answer = page.locator('[name="questions-0-answer"]')
        assert answer.get_attribute("maxlength") is None
        answer.fill(pasted)
        counter = page.locator("#id_questions-0-answer_count")
        expect(counter).to_contain_text("50 zu viel")
        page.screenshot(path=artifacts / f"never-cut-counter-{width}.png", full_page=False)
        page.get_by_role("button", name="Sichern", exact=True).click()
        expect(page.locator(".errornote").first).to_be_visible()
        expect(page.locator("ul.errorlist").first).to_contain_text("20000")
        assert len(page.locator('[name="questions-0-answer"]').input_value()) == len(pasted)
        assert not blocked, blocked
        context.close()
    assert Question.objects.filter(explainer=explainer).order_by("position").first().answer == (
        stored
    )

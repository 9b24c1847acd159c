"""The change form is sent as plain form data when no file is chosen and as multipart when
the lead image is (explainers/static/explainers/plain_post.js), in Chromium with the
production Content-Security-Policy enforced; both saves store what was typed."""

import io

from PIL import Image
from playwright.sync_api import Browser, expect

from explainers.models import Explainer
from tests.e2e.desk import log_in
from tests.factories import make_explainer, make_user


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_save_without_a_file_is_plain_form_data_and_with_one_multipart(
    browser: Browser, live_server, media
):
    make_user("chef", publish=True)
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    change = f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/"
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = log_in(context, live_server.url, "chef")
    page.goto(change)

    page.locator('[name="teaser"]').fill("Ohne Bild gesichert.")
    with page.expect_request(lambda r: r.method == "POST" and r.url == change) as sent:
        page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    assert sent.value.headers["content-type"] == "application/x-www-form-urlencoded"
    expect(page.locator(".messagelist")).to_be_visible()
    assert Explainer.objects.get(pk=explainer.pk).teaser == "Ohne Bild gesichert."

    page.locator('[name="teaser"]').fill("Mit Bild gesichert.")
    page.locator('[name="image"]').set_input_files(
        {"name": "kyjiw.png", "mimeType": "image/png", "buffer": picture()}
    )
    page.locator('[name="image_alt"]').fill("Eine Straße in Kyjiw")
    with page.expect_request(lambda r: r.method == "POST" and r.url == change) as sent:
        page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    assert sent.value.headers["content-type"].startswith("multipart/form-data; boundary=")
    expect(page.locator(".messagelist")).to_be_visible()
    saved = Explainer.objects.get(pk=explainer.pk)
    assert (saved.teaser, saved.image_alt) == ("Mit Bild gesichert.", "Eine Straße in Kyjiw")
    assert saved.image and saved.image.storage.exists(saved.image.name)

    page.locator('[name="teaser"]').fill("Wieder ohne neues Bild.")
    with page.expect_request(lambda r: r.method == "POST" and r.url == change) as sent:
        page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    assert sent.value.headers["content-type"] == "application/x-www-form-urlencoded"
    expect(page.locator(".messagelist")).to_be_visible()
    again = Explainer.objects.get(pk=explainer.pk)
    assert (again.teaser, again.image.name) == ("Wieder ohne neues Bild.", saved.image.name)
    assert not page.csp_refusals  # type: ignore[attr-defined]
    context.close()


PASTED = "Уряд ухвалив рішення про перехідні правила для орендарів до кінця 2027 року.\n\n" * 7_300


def test_a_pasted_megabyte_is_sent_multipart_and_refused_with_a_form_error(
    browser: Browser, live_server
):
    """Percent-encoded, a megabyte of Cyrillic is almost three: Django would refuse that
    plain body whole (400). Sent multipart it reaches the form, which names the limit and
    keeps the text."""
    assert 1_000_000 <= len(PASTED.encode()) < 1_100_000
    make_user("chef", publish=True)
    explainer = make_explainer(headline="Wer garantiert was?", questions=2, sources=1)
    stored = explainer.questions.order_by("position").first().answer
    change = f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/"
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = log_in(context, live_server.url, "chef")
    page.goto(change)
    answer = page.locator('[name="questions-0-answer"]')
    # pasted: one input event (typing a megabyte key by key would take minutes)
    answer.evaluate(
        "(field, text) => { field.value = text;"
        " field.dispatchEvent(new Event('input', {bubbles: true})); }",
        PASTED,
    )
    with page.expect_request(lambda r: r.method == "POST" and r.url == change) as sent:
        page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    assert sent.value.headers["content-type"].startswith("multipart/form-data; boundary=")
    expect(page.locator("ul.errorlist").first).to_contain_text("20000")
    assert page.locator('[name="questions-0-answer"]').input_value() == PASTED
    assert explainer.questions.order_by("position").first().answer == stored
    assert not page.csp_refusals  # type: ignore[attr-defined]
    context.close()

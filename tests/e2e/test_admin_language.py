"""The admin's language switch in Chromium with the production Content-Security-Policy
enforced: the desk switches the admin to English in the header, reader pages stay German
(they follow Accept-Language, never the cookie), and the next login in a fresh browser is
English again (the preference). Both sides show the icon; /favicon.ico leads to it.
Screenshots in test-artifacts/admin-language-*.png; axe-core over the admin index with
the switch in a separate context."""

import pytest
from playwright.sync_api import Browser, expect

from explainers.domain.publishing import publish
from explainers.models import AdminPreference
from tests.e2e.desk import PASSWORD, log_in
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user


@pytest.mark.parametrize("width", [1280, 375])
def test_the_desk_switches_the_admin_to_english_and_keeps_it_at_the_next_login(
    width, browser: Browser, live_server, artifacts, axe_js
):
    desk_user = make_user("chef", publish=True)
    explainer = make_explainer(headline="Wer garantiert was?")
    publish(explainer, user=desk_user)
    base = live_server.url
    viewport = {"width": width, "height": 900}
    page = log_in(browser.new_context(locale="de-DE", viewport=viewport), base, "chef")

    page.goto(f"{base}/admin/explainers/explainer/")
    expect(page.get_by_role("button", name="Deutsch")).to_have_attribute("aria-current", "true")
    page.screenshot(path=artifacts / f"admin-language-01-german-{width}.png", full_page=False)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.url == f"{base}/admin/explainers/explainer/"  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    page.screenshot(path=artifacts / f"admin-language-02-english-{width}.png", full_page=False)
    assert AdminPreference.objects.get(user=desk_user).language == "en"

    icon = page.locator('link[rel="icon"][type="image/svg+xml"]').get_attribute("href")
    assert page.request.get(base + icon).headers["content-type"].startswith("image/svg+xml")
    favicon = page.request.get(f"{base}/favicon.ico")
    assert favicon.ok and favicon.headers["content-type"] in (
        "image/x-icon",
        "image/vnd.microsoft.icon",
    )

    reader = page.context.new_page()
    reader.goto(f"{base}/explainers/{explainer.slug}/")
    expect(reader.locator("html")).to_have_attribute("lang", "de")
    expect(reader.get_by_role("heading", name="Verwendete Quellen")).to_be_visible()
    assert reader.locator('link[rel="icon"]').count() == 2
    reader.screenshot(path=artifacts / f"admin-language-03-reader-{width}.png", full_page=False)
    refusals = page.csp_refusals  # type: ignore[attr-defined]
    assert not refusals, refusals
    page.context.close()

    fresh = browser.new_context(locale="de-DE", viewport=viewport)
    again = fresh.new_page()
    again.goto(f"{base}/admin/login/")
    again.get_by_label("Benutzername").fill("chef")  # the login page follows the browser
    again.get_by_label("Passwort").fill(PASSWORD)
    again.get_by_role("button", name="Anmelden").click()
    expect(again.get_by_role("button", name="Log out")).to_be_visible()
    again.get_by_role("button", name="Deutsch").click()
    expect(again.get_by_role("button", name="Abmelden")).to_be_visible()
    fresh.close()

    checking = browser.new_context(locale="de-DE", viewport=viewport, bypass_csp=True)
    page = log_in(checking, base, "chef")
    page.goto(f"{base}/admin/")
    violations = axe_violations(page, axe_js)
    assert not violations, describe(violations)
    checking.close()

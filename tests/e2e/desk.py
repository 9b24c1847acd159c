"""Logging in to the admin in a browser test, through its own login form, and noting every
request the Content-Security-Policy refuses on that page."""

from playwright.sync_api import BrowserContext, Page, expect

PASSWORD = "pw-long-enough"  # tests.factories.make_user's


def log_in(context: BrowserContext, base: str, username: str) -> Page:
    """A page of `context`, logged in as `username`; `page.csp_refusals` collects what the
    policy blocked (console messages), for the test to assert empty."""
    page = watched_page(context)
    page.goto(base + "/admin/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    return page


def watched_page(context: BrowserContext) -> Page:
    """A new page of `context` whose `csp_refusals` collects what the policy blocked."""
    page = context.new_page()
    refusals: list[str] = []

    def note(message) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refusals.append(f"{page.url}: {message.text}")

    page.on("console", note)
    page.csp_refusals = refusals  # type: ignore[attr-defined]
    return page


def reporter_and_desk(browser, base: str, width: int) -> tuple[Page, Page]:
    """ "anna" (Redaktion) and "chef" (Chef vom Dienst), each logged in in a browser context
    of its own at `width` px, production CSP enforced; close with `page.context.close()`."""
    viewport = {"width": width, "height": 900}
    return tuple(
        log_in(browser.new_context(locale="de-DE", viewport=viewport), base, name)
        for name in ("anna", "chef")
    )  # type: ignore[return-value]

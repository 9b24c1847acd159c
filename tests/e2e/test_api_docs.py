"""/api/docs/ under the production CSP: Swagger UI from our own static files lists every
operation, and the browser refuses nothing."""

import pytest
from playwright.sync_api import expect

from tests.e2e.desk import watched_page

OPERATIONS = [
    "/api/v1/explainers/",
    "/api/v1/explainers/{slug}/",
    "/api/v1/explainers/{slug}/questions/{key}/",
    "/api/v1/explainers/{slug}/versions/",
    "/api/v1/explainers/{slug}/versions/{number}/",
    "/api/v1/explainers/{slug}/diff/{span}/",
    "/api/v1/search/",
]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_api_docs_list_every_operation_without_csp_refusals(
    browser, demo_site, artifacts, width
):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = watched_page(context)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(demo_site + "/api/docs/")
    for path in OPERATIONS:
        shown = page.locator(f".opblock-get .opblock-summary-path[data-path='{path}']")
        expect(shown).to_be_visible()  # the read API's GET (the ingest API POSTs, too)
    page.screenshot(path=str(artifacts / f"api-docs-{width}.png"), full_page=True)
    # an operation opens and tries out against the API itself
    page.locator(".opblock-get .opblock-summary-path[data-path='/api/v1/explainers/']").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200"
    )
    page.screenshot(path=str(artifacts / f"api-docs-tried-{width}.png"))
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    outside = [url for url in requests if not url.startswith(demo_site)]
    assert outside == []
    context.close()

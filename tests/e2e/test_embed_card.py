"""A question card framed by a page of another origin, as a partner site would embed it
through oEmbed: Chromium shows it under the production CSP at 320 and 600 px, refuses to
frame any other page of the site, and the card passes axe and the Nu checker."""

from __future__ import annotations

import functools
import json
import subprocess
import threading
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.e2e.desk import watched_page
from tests.e2e.test_accessibility import axe_violations, describe

PARTNER_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Partnerseite</title></head>
<body><h1>Eine Partnerseite</h1>
{embed}
<p>Text nach dem Einbetten.</p></body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def partner(tmp_path):
    """Another origin: a tiny static site on 127.0.0.1 (the app answers on localhost)."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def cited_question(explainer) -> dict:
    """The demo's question with the most citation markers."""
    questions = explainer.current.publication.document["questions"]
    return max(questions, key=lambda q: q["answer"].count("[^"))


def card_path(explainer, question) -> str:
    return f"/explainers/{explainer.current.slug}/frage/{question['key']}/"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test's own server
        return response.read()


@pytest.mark.parametrize(("viewport", "card_width"), [(375, 320), (1280, 600)])
def test_a_partner_page_shows_the_card_under_the_production_csp(
    browser, demo_site, demo_content, partner, artifacts, viewport, card_width
):
    folder, partner_url = partner
    question = cited_question(demo_content)
    card = demo_site + card_path(demo_content, question)
    query = urllib.parse.urlencode({"url": card, "format": "json", "maxwidth": card_width})
    embed = json.loads(fetch(f"{demo_site}/oembed/?{query}"))
    assert embed["width"] == card_width
    (folder / "einbettung.html").write_text(PARTNER_PAGE.format(embed=embed["html"]))

    context = browser.new_context(locale="de-DE", viewport={"width": viewport, "height": 900})
    page = watched_page(context)
    page.goto(f"{partner_url}/einbettung.html")
    frame = page.frame_locator("iframe")
    heading = frame.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    assert question["question"][:20] in heading.inner_text().replace("„", '"').replace("“", '"')
    expect(frame.locator(".card__sources li").first).to_be_visible()
    link = frame.get_by_role("link", name="Im ganzen Erklärstück lesen")
    assert link.get_attribute("target") == "_top"
    assert link.get_attribute("href").endswith(f"/#{question['anchor']}")
    # its own stylesheet applied, and nothing wider than the frame
    card_box = frame.locator(".card")
    assert card_box.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    assert card_box.evaluate("e => e.ownerDocument.documentElement.scrollWidth") <= card_width
    page.screenshot(path=str(artifacts / f"embed-card-{card_width}.png"), full_page=True)
    assert not page.csp_refusals, page.csp_refusals  # type: ignore[attr-defined]
    # following the link leaves the partner's page for the full piece
    link.click()
    page.wait_for_url(f"{demo_site}/explainers/{demo_content.current.slug}/*")
    context.close()


def test_the_full_page_refuses_to_be_framed_by_a_partner(browser, demo_site, demo_content, partner):
    folder, partner_url = partner
    piece = f"{demo_site}/explainers/{demo_content.current.slug}/"
    embed = f'<iframe src="{piece}" width="600" height="400" title="Erklärstück"></iframe>'
    (folder / "seite.html").write_text(PARTNER_PAGE.format(embed=embed))
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = watched_page(context)
    page.goto(f"{partner_url}/seite.html")
    page.wait_for_load_state("load")
    expect(page.frame_locator("iframe").get_by_role("heading", level=1)).to_have_count(0)
    refusals = page.csp_refusals  # type: ignore[attr-defined]
    assert any("frame-ancestors 'none'" in refusal for refusal in refusals), refusals
    context.close()


def test_the_card_has_no_axe_violations(page, demo_site, demo_content, axe_js):
    # the fixture's context bypasses the CSP so that axe can be injected
    response = page.goto(demo_site + card_path(demo_content, cited_question(demo_content)))
    assert response is not None and response.status == 200
    violations = axe_violations(page, axe_js)
    assert not violations, describe(violations)


def test_the_card_is_valid_html(demo_site, demo_content, vnu_command, tmp_path):
    card = tmp_path / "card.html"
    card.write_bytes(fetch(demo_site + card_path(demo_content, cited_question(demo_content))))
    proc = subprocess.run([*vnu_command, str(card)], capture_output=True, timeout=120)
    report = json.loads(proc.stderr)  # vnu writes its report on stderr
    assert report["messages"] == [], report

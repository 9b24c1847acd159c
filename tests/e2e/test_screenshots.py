"""Full-page screenshots at a phone and a desktop width, kept in test-artifacts/ for review.

Besides the pictures, the phone width must not scroll sideways.
"""

import pytest

from tests.e2e.pages import PAGES

WIDTHS = (375, 1280)
SHOTS = {
    "explainer": "explainer",
    "versions": "versions",
    "diff": "diff-1-3",
    "version-1": "version-1",
    "search": "search",
    "index": "index",
}


@pytest.mark.parametrize("shot", list(SHOTS))
def test_screenshots(shot, page, demo_site, artifacts):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(demo_site + PAGES[SHOTS[shot]])
        assert response is not None and response.status == 200
        page.screenshot(path=artifacts / f"{shot}-{width}.png", full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{shot} at {width} px scrolls sideways by {overflow} px"

"""The diff of an update that adds, removes and rewords questions and edits sources and the
image: valid HTML, no axe violations, and screenshots of the reader diff and the desk's
compare at a phone and a desktop width (test-artifacts/whole-update-*.png)."""

import json
import subprocess

import pytest
from django.urls import reverse

from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import revisions_of
from tests.e2e.conftest import ensure_legal_pages
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_user
from tests.test_diffs_show_whole_update import versions

WIDTHS = (375, 1280)


@pytest.fixture
def update():
    old, new = versions()
    explainer = import_document(old)
    publish(explainer)
    import_document(new, replace=True)
    publish(explainer, kind="update", note="Eine Frage neu, eine entfernt.")
    ensure_legal_pages()
    return explainer


def diff_path(explainer) -> str:
    return reverse("explainers:diff", args=[explainer.slug, "1..2"])


@pytest.mark.django_db
def test_the_diff_of_a_whole_update_is_valid_html(client, update, vnu_command, tmp_path):
    (tmp_path / "diff.html").write_bytes(client.get(diff_path(update)).content)
    proc = subprocess.run(
        [*vnu_command, str(tmp_path / "diff.html")], capture_output=True, timeout=120
    )
    messages = json.loads(proc.stderr)["messages"]
    assert not messages, "\n".join(f"{m.get('lastLine')}: {m['message']}" for m in messages)


def test_the_diff_of_a_whole_update_has_no_axe_violations_and_is_shot(
    page, live_server, update, axe_js, artifacts
):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(live_server.url + diff_path(update))
        assert response is not None and response.status == 200
        page.screenshot(path=artifacts / f"whole-update-diff-{width}.png", full_page=True)
        violations = axe_violations(page, axe_js)
        assert not violations, describe(violations)
        # Nothing sticks out sideways on a phone (long URLs wrap).
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_desk_compare_of_a_whole_update_is_shot(page, live_server, update, artifacts):
    make_user("desk", publish=True)
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Benutzername").fill("desk")
    page.get_by_label("Passwort").fill("pw-long-enough")
    page.get_by_role("button", name="Anmelden").click()
    older, newer = sorted(revisions_of(update).values_list("pk", flat=True))[:2]
    url = reverse("admin:explainers_explainer_compare", args=[update.pk])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}{url}?a={older}&b={newer}")
        assert page.locator("ins.diff-block").count() == 1
        page.screenshot(path=artifacts / f"whole-update-compare-{width}.png", full_page=True)

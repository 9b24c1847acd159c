"""axe-core over every reader page in Chromium: WCAG 2.0/2.1 A and AA plus best practices."""

import pytest

from tests.e2e.pages import ERROR_PAGES, PAGES

AXE_RUN = """() => axe.run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
})"""


def axe_violations(page, axe_js) -> list[dict]:
    page.add_script_tag(path=str(axe_js))
    return page.evaluate(AXE_RUN)["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(PAGES))
def test_reader_page_has_no_axe_violations(name, page, demo_site, axe_js):
    response = page.goto(demo_site + PAGES[name])
    assert response is not None and response.status == 200
    violations = axe_violations(page, axe_js)
    assert not violations, f"{PAGES[name]}:\n{describe(violations)}"


@pytest.mark.parametrize("name", list(ERROR_PAGES))
def test_error_page_has_no_axe_violations(name, page, demo_site, axe_js):
    path, status = ERROR_PAGES[name]
    response = page.goto(demo_site + path)
    assert response is not None and response.status == status
    violations = axe_violations(page, axe_js)
    assert not violations, f"{path}:\n{describe(violations)}"

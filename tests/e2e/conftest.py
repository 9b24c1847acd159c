"""Real-browser tests of the reader pages: Chromium through Playwright, axe-core, Nu Html Checker.

Tools: Debian's Chromium at /usr/bin/chromium (`playwright install` cannot download browsers
here), axe-core and vnu-jar from `npm ci` (package.json), and Java for vnu.jar. A test whose
tool is missing is skipped with the command that installs it; with CI=true it fails instead,
so CI can never pass without running these tests.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in the main thread for the rest of the
# session; without this, Django refuses ORM calls beside `page` (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _missing_tools(fixturenames) -> list[str]:
    """One line per tool the test needs (judged by its fixtures) that this machine lacks."""
    missing = []
    if "browser" in fixturenames and not os.access(CHROMIUM, os.X_OK):
        missing.append("Chromium missing: run `apt-get update && apt-get install -y chromium`")
    if "axe_js" in fixturenames and not AXE_JS.is_file():
        missing.append("axe-core missing: run `npm ci` (or `make e2e-deps`)")
    if "vnu_command" in fixturenames:
        if not VNU_JAR.is_file():
            missing.append("vnu-jar missing: run `npm ci` (or `make e2e-deps`)")
        if shutil.which("java") is None:
            missing.append("Java missing: run `apt-get install -y default-jre-headless`")
    return missing


def pytest_configure(config):
    # pytest-playwright 0.10.0's own `base_url` fixture; nothing to change on this side.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance:pytest.PytestRemovedIn10Warning",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Mark the tests here `e2e`, and run the live-server ones last.

    pytest-django runs transactional tests (live_server) after the others because each one
    flushes the database, taking the data migrations' rows (the legal pages) with it. pytest's
    own grouping by session-scoped parameters, such as pytest-playwright's `browser_name`, can
    undo that (it did when another module named a parameter `page`), so this hook runs after
    both and moves them to the end again.
    """
    ours = [item for item in items if E2E_DIR in item.path.parents]
    for item in ours:
        item.add_marker(pytest.mark.e2e)
    live = [item for item in ours if "live_server" in item.fixturenames]
    moved = {id(item) for item in live}
    items[:] = [item for item in items if id(item) not in moved] + live


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture starts (a missing Chromium would fail inside Playwright)."""
    missing = _missing_tools(item.fixturenames)
    if not missing:
        return
    message = "; ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: e2e tools must be installed)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: axe is injected as a script tag, which a strict Content-Security-Policy blocks.
    return {**browser_context_args, "bypass_csp": True, "locale": "de-DE"}


@pytest.fixture
def axe_js() -> Path:
    return AXE_JS


@pytest.fixture
def vnu_command() -> list[str]:
    return ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def ensure_legal_pages() -> None:
    """Impressum and Datenschutz as their data migration creates them: a transactional test
    (live_server) flushes the database after each test, taking them away."""
    from django.apps import apps

    importlib.import_module("explainers.migrations.0002_legal_pages").create_pages(apps, None)


@pytest.fixture
def demo_content():
    """The demo explainer at v3 plus the legal pages (the test brings its own database)."""
    from explainers.domain.demo import load_demo

    explainer, _login = load_demo()
    ensure_legal_pages()
    return explainer


@pytest.fixture
def demo_site(live_server, demo_content) -> str:
    """The live server's base URL, with the demo content in its database."""
    return live_server.url

"""The layers of docs/architecture.md hold, and `make lint` (lint-imports) notices when an
import breaks one: the domain reaching for the reader side, say."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
        cwd=project, env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def copy_of_the_project(tmp_path: Path) -> Path:
    for name in ("explainers", "newsroom"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_every_layer_contract_is_kept():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_domain_importing_the_reader_side_breaks_the_lint(tmp_path):
    project = copy_of_the_project(tmp_path)
    with (project / "explainers" / "domain" / "publishing.py").open("a") as module:
        module.write("\nfrom explainers.reader import views  # noqa: E402, F401\n")
    done = lint_imports(project)
    assert done.returncode != 0
    assert "the domain imports neither the desk nor the reader side nor the bake BROKEN" in (
        done.stdout
    )


def test_the_core_importing_a_model_breaks_the_lint(tmp_path):
    project = copy_of_the_project(tmp_path)
    with (project / "explainers" / "core" / "diffing.py").open("a") as module:
        module.write("\nfrom explainers.models import Explainer  # noqa: E402, F401\n")
    done = lint_imports(project)
    assert done.returncode != 0
    assert "core is pure: no Django, nothing of the app above it BROKEN" in done.stdout


def test_the_core_runs_without_django():
    code = (
        "import sys\n"
        "from explainers.core import documents, rendering, textformat, diffing, merging\n"
        "print(rendering.render_markdown('*kursiv*'), end='')\n"
        "assert not any(name == 'django' or name.startswith('django.') for name in sys.modules)\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env={"PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "<p><em>kursiv</em></p>\n"


def test_the_reader_side_and_the_bake_subscribe_from_their_own_apps():
    from django.apps import apps

    from explainers.domain.signals import explainer_published

    assert apps.get_app_config("explainers_reader").name == "explainers.reader"
    assert apps.get_app_config("explainers_bake").name == "explainers.bake"
    modules = {entry[1]().__module__ for entry in explainer_published.receivers}
    assert {"explainers.reader.receivers", "explainers.bake.receivers"} <= modules

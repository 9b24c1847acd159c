"""The Nu Html Checker (vnu.jar) over the reader pages' HTML, in one JVM start."""

import json
import subprocess

import pytest

from tests.e2e.pages import ERROR_PAGES, PAGES

pytestmark = pytest.mark.django_db

# Checked along with the pages, to prove the check can fail: vnu must report this one.
BROKEN = '<!doctype html><html lang="de"><title>x</title><p id="a">1</p><p id="a">2</p>'


def test_reader_pages_are_valid_html(client, demo_content, vnu_command, tmp_path):
    expected = {name: (path, 200) for name, path in PAGES.items()} | ERROR_PAGES
    files = {}
    for name, (path, status) in expected.items():
        response = client.get(path)
        assert response.status_code == status, path
        files[f"{name}.html"] = path
        (tmp_path / f"{name}.html").write_bytes(response.content)
    (tmp_path / "broken.html").write_text(BROKEN, encoding="utf-8")

    proc = subprocess.run(
        [*vnu_command, *(str(tmp_path / name) for name in [*files, "broken.html"])],
        capture_output=True,
        timeout=120,
    )
    report = json.loads(proc.stderr)  # vnu writes its report on stderr
    by_file = {}
    for message in report["messages"]:
        name = message.get("url", "").rpartition("/")[2]  # "file:/tmp/…/explainer.html"
        by_file.setdefault(name, []).append(message)

    assert any("Duplicate ID" in m["message"] for m in by_file.pop("broken.html", [])), report
    assert not by_file, "\n".join(
        f"{files.get(name, name)}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for name, messages in by_file.items()
        for m in messages
    )

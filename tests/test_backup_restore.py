"""Backup and restore with Django's own commands: dumpdata with natural keys, a fresh
database, loaddata; every publication's page and every revision's document come back
identical, and so do the hand-offs with their messages and who wrote them (content types and
permissions are left out: their ids differ on a fresh database, and migrate creates them)."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils.dateparse import parse_datetime

from explainers.domain.comments import add_comment
from explainers.domain.hand_off import hand_in, send_back
from explainers.domain.revisions import latest_revision
from explainers.models import Comment, Draft, Explainer, HandOff, Publication
from tests.factories import make_user
from tests.support.live_servers import suite_database_url

pytestmark = pytest.mark.django_db(transaction=True)

BACKUP_EXCLUDES = ["contenttypes", "auth.permission", "sessions", "axes"]


def manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1",
           "RELEASE": settings.RELEASE}  # fmt: skip
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=settings.BASE_DIR, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same kind as the suite's, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = suite_database_url().rsplit("/", 1)[0] + f"/{name}"
    yield url
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_dumpdata_into_a_fresh_database_restores_every_page_and_revision(tmp_path, fresh_database):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Publication.objects.count() == 3
    explainer = Explainer.objects.get()
    reporter, desk = make_user("reporter"), make_user("desk", publish=True)
    hand_in(explainer, user=reporter, message="Neue Zahlen drin.\nBitte Frage 2 ansehen.")
    send_back(explainer, user=desk, message="Quelle für Frage 2 fehlt.")
    hand_in(explainer, user=reporter, message="Quelle ergänzt.")
    question = explainer.questions.order_by("position").first()
    add_comment(explainer, user=desk, text="Zahl prüfen.", question_key=question.key)
    Draft.objects.create(
        explainer=explainer,
        user=reporter,
        base_revision=latest_revision(explainer),
        fields=[
            ["headline", "Ungesichert: neue Überschrift"],
            ["questions-0-answer", "Neu.\nZweite Zeile."],
        ],
    )
    original = suite_database_url()
    backup = tmp_path / "backup.json"
    excludes = [arg for app in BACKUP_EXCLUDES for arg in ("-e", app)]
    manage(original, "manage.py", "dumpdata", "--natural-foreign", "--natural-primary",
           *excludes, "-o", str(backup))  # fmt: skip
    manage(fresh_database, "manage.py", "migrate", "--noinput", "-v0")
    manage(fresh_database, "manage.py", "loaddata", str(backup), "-v0")
    manage(fresh_database, "manage.py", "rerender")  # as docs/operations.md says

    manage(original, "-m", "tests.snapshot", str(tmp_path / "before.json"))
    manage(fresh_database, "-m", "tests.snapshot", str(tmp_path / "after.json"))
    before = json.loads((tmp_path / "before.json").read_text())
    after = json.loads((tmp_path / "after.json").read_text())
    assert len(before["pages"]) == 4 and len(before["documents"]) >= 3
    assert all(status == 200 for status, _ in before["pages"].values()), before["pages"]
    assert after == before
    assert Explainer.objects.count() == 1  # the original is untouched

    manage(fresh_database, "manage.py", "dumpdata", "explainers.handoff", "explainers.explainer",
           "explainers.comment", "explainers.draft", "--natural-foreign",
           "-o", str(tmp_path / "restored.json"))  # fmt: skip
    restored = json.loads((tmp_path / "restored.json").read_text())
    steps = sorted(
        (s["kind"], s["by"], s["message"], parse_datetime(s["at"]))
        for s in (row["fields"] for row in restored if row["model"] == "explainers.handoff")
    )
    assert [step[:3] for step in steps] == [
        ("handed_in", ["reporter"], "Neue Zahlen drin.\nBitte Frage 2 ansehen."),
        ("handed_in", ["reporter"], "Quelle ergänzt."),
        ("sent_back", ["desk"], "Quelle für Frage 2 fehlt."),
    ]
    assert steps == sorted(  # stamped to the millisecond, as dumpdata keeps them
        (h.kind, [h.by.username], h.message, h.at) for h in HandOff.objects.select_related("by")
    )
    [restored_explainer] = [row for row in restored if row["model"] == "explainers.explainer"]
    assert restored_explainer["fields"]["ready_for_review"] is True
    [comment] = [row["fields"] for row in restored if row["model"] == "explainers.comment"]
    stored = Comment.objects.get()
    assert (comment["text"], comment["author"], comment["question_key"]) == (
        "Zahl prüfen.",
        ["desk"],
        question.key,
    )
    assert parse_datetime(comment["created_at"]) == stored.created_at
    [draft] = [row["fields"] for row in restored if row["model"] == "explainers.draft"]
    kept = Draft.objects.get()
    assert (draft["fields"], draft["user"], draft["base_revision"]) == (
        kept.fields,
        ["reporter"],
        kept.base_revision_id,
    )
    assert parse_datetime(draft["saved_at"]) == kept.saved_at

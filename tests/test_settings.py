"""Settings a fresh machine and a multi-worker server rely on."""

import pytest
from django.conf import settings
from django.db import connection


def test_german_first_in_berlin_time():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == (
        "de",
        "Europe/Berlin",
        True,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_waits_for_the_write_lock_instead_of_failing():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]


def test_production_refuses_to_start_without_a_secret_key_and_hosts(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr

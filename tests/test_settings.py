"""Settings a fresh machine and a multi-worker server rely on."""

from django.conf import settings


def test_german_first_in_berlin_time():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == (
        "de",
        "Europe/Berlin",
        True,
    )


def test_sqlite_waits_for_the_write_lock_instead_of_failing():
    """The default (no DATABASE_URL) is SQLite set up for several workers."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        capture_output=True, text=True, cwd=settings.BASE_DIR, check=True,
    )  # fmt: skip
    options = json.loads(result.stdout)
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

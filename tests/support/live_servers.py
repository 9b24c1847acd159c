"""gunicorn serving the test database from another process, for tests of what readers
see across processes (and hosts). Uses the benchmark's server wrapper."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tests.support.servers import Server, fetch

__all__ = ["fetch", "gunicorn", "suite_database_url", "wait_for"]


def suite_database_url() -> str:
    """The database this test runs on, as DATABASE_URL for another process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = f"{quote(database['USER'])}:{quote(database['PASSWORD'])}"
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@contextmanager
def gunicorn(log_path: Path, workers: int = 2, **extra_env: str):
    """A server on a free loopback port; DEBUG on so static files need no collectstatic."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": suite_database_url(),
        "NEWSROOM_BENCH_FLOOR": "1",  # the wrapper waits for the floor view to answer
        "DJANGO_CONN_MAX_AGE": "60",
        "RELEASE": settings.RELEASE,  # one deployment: the same cache keys as this process
        **extra_env,
    }
    with Server(env, workers, log_path) as server:
        yield server


def wait_for(check, *, within: float, step: float = 0.05) -> float:
    """Seconds until `check()` is true; fails the test after `within` seconds."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > within:
            raise AssertionError(f"not true within {within} s")
        time.sleep(step)

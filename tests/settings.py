"""The test suite's settings: production's (newsroom/settings.py), with one test database
per test process, so two suites (or two xdist workers) never share one."""

import os
import tempfile
from pathlib import Path

from newsroom.settings import *  # noqa: F403
from newsroom.settings import DATABASES

_database = DATABASES["default"]
if _database["ENGINE"] == "django.db.backends.postgresql":
    _database["TEST"] = {"NAME": f"test_{_database['NAME']}_{os.getpid()}"}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's in-memory database, which locks whole tables when threads share
    # it (the concurrency tests publish from several threads at once).
    _database["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"newsroom-test-{os.getpid()}.sqlite3")
    }

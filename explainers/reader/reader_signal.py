"""One mark that moves whenever what readers may see changes: a publication, a
withdrawal, a redaction. Every worker compares it on each reader request, so what it
holds (explainers/reader/held_responses.py) is dropped at once, in every process.

On one host the mark is a small file that grows by one byte per change: appends are
atomic and `stat()` costs about a microsecond, far less than a database round trip.
With a shared cache (REDIS_URL), several hosts see one counter in the cache instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction

logger = logging.getLogger(__name__)

CACHE_KEY = "explainers:reader-signal"
_paths: dict[str, Path] = {}


def signal_path() -> Path:
    """READER_SIGNAL_FILE, or a file in the temp folder named after the database, so the
    processes serving one database share it without being told."""
    if settings.READER_SIGNAL_FILE:
        return Path(settings.READER_SIGNAL_FILE)
    database = connections["default"].settings_dict
    name = str(database["NAME"])
    path = _paths.get(name)
    if path is None:
        where = "|".join(
            str(database.get(part) or "") for part in ("ENGINE", "HOST", "PORT", "NAME")
        )
        digest = hashlib.sha256(where.encode()).hexdigest()[:16]
        path = _paths[name] = Path(tempfile.gettempdir()) / f"newsroom-readers-{digest}"
    return path


def current_mark() -> object:
    if settings.READER_SIGNAL_SHARED:
        try:
            return cache.get(CACHE_KEY, 0)
        except Exception:  # the cache is down: hold nothing rather than something stale
            logger.warning("reader signal: cache unreachable", exc_info=True)
            return object()
    try:
        status = os.lstat(signal_path())  # never through a link someone planted
    except FileNotFoundError:
        return (0, 0)
    return (status.st_ino, status.st_size)


def _move() -> None:
    try:
        # O_NOFOLLOW: the temp folder is shared, and a link planted under the signal's
        # name must not make the app append to the file it points at.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW
        descriptor = os.open(signal_path(), flags, 0o664)
        try:
            os.write(descriptor, b".")
        finally:
            os.close(descriptor)
    except OSError:
        # The change itself is stored; readers then see it within READER_HOLD_SECONDS, but
        # other workers' last good copies (held_responses.stale) do not learn of it: loud,
        # and this worker drops what it holds.
        logger.error("reader signal %s could not be written", signal_path(), exc_info=True)
        _drop_own_pages()
    if settings.READER_SIGNAL_SHARED:
        try:
            cache.add(CACHE_KEY, 0, timeout=None)
            cache.incr(CACHE_KEY)
        except Exception:  # readers on other hosts then catch up within the hold time
            logger.error("reader signal: cache unreachable", exc_info=True)
            _drop_own_pages()


def _drop_own_pages() -> None:
    from explainers.reader import held_responses  # which reads this module's mark

    held_responses.clear()


def announce_change() -> None:
    """Call inside the transaction that changes the reader side: the mark moves now and
    again after the commit, so no worker keeps a page it rendered in between."""
    _move()
    transaction.on_commit(_move, robust=True)

"""Commands that write say so plainly when the database is away, instead of a traceback:
the transaction has rolled back, nothing was half-written, and the desk can try again."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _


@contextmanager
def database_outage_reported(what_was_not_done: str):
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise CommandError(
            _(
                "Die Datenbank ist nicht erreichbar oder hat die Verbindung verloren: "
                "%(what)s Bitte erneut versuchen, sobald sie wieder läuft. (%(detail)s)"
            )
            % {"what": what_was_not_done, "detail": detail}
        ) from error

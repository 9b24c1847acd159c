"""How the core says things in the reader's or editor's language without importing Django.

Core messages are German source text marked with `_()` (so `makemessages` finds them). Until
the app installs Django's translation at start (`ExplainersConfig.ready()`), they stay
German and numbers are formatted plainly: the core's own tests need no settings.
"""

from __future__ import annotations

from collections.abc import Callable


def _plain_number(value: float, decimal_pos: int | None = None, grouping: bool = False) -> str:
    return f"{value:.{decimal_pos}f}" if decimal_pos is not None else str(value)


_gettext: Callable[[str], str] = str
_format_number: Callable[..., str] = _plain_number


def gettext(message: str) -> str:
    return _gettext(message)


def format_number(value: float, decimal_pos: int | None = None, *, grouping: bool = False) -> str:
    """`value` as the active language writes numbers (3.001 in German, 3,001 in English)."""
    return _format_number(value, decimal_pos, grouping)


def install(*, gettext: Callable[[str], str], format_number: Callable[..., str]) -> None:
    global _gettext, _format_number
    _gettext, _format_number = gettext, format_number

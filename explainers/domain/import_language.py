"""The language of an imported explainer: ``--language``, else the file's ``Sprache:`` line
(or JSON ``language``), else detected from the text (explainers/core/language_detection.py).

``--language`` wins over the file, as ``--title`` and ``--slug`` do, and the editor is told.
Only the languages the site offers for content (``settings.CONTENT_LANGUAGES``, not the
interface's ``LANGUAGES``) are taken. A detected language
the site does not offer is refused with a request for ``--language``; one that is not the
site's own (``settings.LANGUAGE_CODE``) is named on the output. A text too short to tell
keeps the site's language, and the output says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from explainers.core.language_detection import detect_language


class LanguageRefused(Exception):
    """The language cannot be taken; the message is for the editor."""


@dataclass
class ChosenLanguage:
    code: str
    notes: list[str] = field(default_factory=list)  # for the editor, on the output


def choose_language(document: dict[str, Any], *, option: str | None, given: bool) -> ChosenLanguage:
    """The language to store; `given`: the file names one (in `document["language"]`)."""
    if option:
        _check_offered(option)
        notes = []
        if given and document["language"] != option:
            notes.append(
                _("--language %(option)s gilt; die Datei nennt „%(file)s“.")
                % {"option": option, "file": document["language"]}
            )
        return ChosenLanguage(option, notes)
    if given:
        _check_offered(document["language"])
        return ChosenLanguage(document["language"])
    detected = detect_language(document)
    site = settings.LANGUAGE_CODE
    if detected is None:
        return ChosenLanguage(
            site,
            [
                _(
                    "Die Sprache ließ sich nicht sicher erkennen (zu wenig Text): "
                    "%(language)s angenommen. Sonst bitte --language angeben."
                )
                % {"language": language_name(site)}
            ],
        )
    name = language_name(detected.code, detected.english_name.title())
    if detected.code not in _offered():
        raise LanguageRefused(
            _(
                "Der Text scheint %(language)s zu sein (%(code)s); diese Sprache bietet die "
                "Seite nicht an. Bitte die Sprache mit --language angeben (möglich: %(offered)s)."
            )
            % {"language": name, "code": detected.code, "offered": _offered_list()}
        )
    notes = []
    if detected.code != site:
        notes.append(
            _(
                "Erkannte Sprache: %(language)s (%(code)s), nicht %(site)s. Bitte prüfen; "
                "sonst --language angeben."
            )
            % {"language": name, "code": detected.code, "site": language_name(site)}
        )
    return ChosenLanguage(detected.code, notes)


def language_name(code: str, fallback: str | None = None) -> str:
    """The language's name in the active language ("Englisch")."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return fallback or code


def _offered() -> dict[str, str]:
    return dict(settings.CONTENT_LANGUAGES)


def _offered_list() -> str:
    return ", ".join(f"{code} ({language_name(code)})" for code in _offered())


def _check_offered(code: str) -> None:
    if code not in _offered():
        raise LanguageRefused(
            _("Die Sprache „%(code)s“ bietet die Seite nicht an; möglich sind: %(offered)s.")
            % {"code": code, "offered": _offered_list()}
        )

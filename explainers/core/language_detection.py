"""The language an explainer is written in, for the importer when neither ``--language``
nor a ``Sprache:`` line says it (explainers/domain/import_language.py decides what to do
with the answer).

Detection is lingua (the ``lingua-language-detector`` package): every language it knows, in
its low-accuracy mode (trigrams only: about 1 s and 60 MB to load, where the high-accuracy
models of all languages take half a minute and 900 MB), which is deterministic and reliable
from about 120 characters on; an explainer has thousands. It reads the headline, teaser, intro,
questions and answers, not the sources (their titles are often in another language), with
citation markers and link targets left out. Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

# A shorter text, or one whose best language has a lower confidence (0–1, lingua's share),
# is not trusted: "Teaser. Was ist das? Das." scores 0.37 for Romanian.
MIN_LETTERS = 120
MIN_CONFIDENCE = 0.8

_NOT_PROSE_RE = re.compile(
    r"\[\^[^\]\s]*\]|\]\([^)\s]*\)|<[a-z][a-z0-9+.-]*:[^<>\s]*>|https?://\S+"
)


@dataclass(frozen=True)
class DetectedLanguage:
    code: str  # ISO 639-1, lower case ("de")
    english_name: str  # lingua's name ("GERMAN"), for a language Django has no name for
    confidence: float


def detect_language(document: dict[str, Any]) -> DetectedLanguage | None:
    """The document's language, or None if there is too little text to be sure."""
    text = document_prose(document)
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    language = values[0].language
    return DetectedLanguage(
        code=language.iso_code_639_1.name.lower(),
        english_name=language.name,
        confidence=values[0].value,
    )


def document_prose(document: dict[str, Any]) -> str:
    parts = [document.get(name) or "" for name in ("headline", "teaser", "intro")]
    for question in document.get("questions") or []:
        parts += [question.get("question") or "", question.get("answer") or ""]
    return _NOT_PROSE_RE.sub(" ", "\n".join(parts))


@cache
def _detector():
    # Imported here: the library loads its language models, and only the importer needs it.
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

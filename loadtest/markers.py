"""The text the publisher writes into the hot explainer, and how a page shows which version
it is: the teaser and one answer both carry the step number N, and the page names its
publication number ("Fassung vK"). A page mixing two versions shows two different numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

TEASER = "Lastprobe: Vorspann der Fassung {n}."
ANSWER = "Lastprobe: Antwort der Fassung {n}."
_TEASER_RE = re.compile(r"Vorspann der Fassung (\d+)\.")
_ANSWER_RE = re.compile(r"Antwort der Fassung (\d+)\.")
_NUMBER_RE = re.compile(r"Fassung v(\d+) – alle Fassungen")
_ANSWER_PREFIX_RE = re.compile(r"\ALastprobe: Antwort der Fassung \d+\.\n\n")


def teaser(n: int) -> str:
    return TEASER.format(n=n)


def answer(n: int, original: str) -> str:
    """The original answer with the step's sentence in front (citations stay intact)."""
    return ANSWER.format(n=n) + "\n\n" + _ANSWER_PREFIX_RE.sub("", original)


@dataclass(frozen=True)
class Seen:
    """Every step number and publication number found in one page."""

    teasers: frozenset[int]
    answers: frozenset[int]
    numbers: frozenset[int]

    @property
    def step(self) -> int | None:
        """The one step the page shows, or None if it shows none or several."""
        steps = self.teasers | self.answers
        if len(steps) == 1 and self.teasers and self.answers:
            return next(iter(steps))
        return None

    @property
    def number(self) -> int | None:
        return next(iter(self.numbers)) if len(self.numbers) == 1 else None


def read(body: str) -> Seen:
    def numbers(pattern: re.Pattern) -> frozenset[int]:
        return frozenset(int(n) for n in pattern.findall(body))

    return Seen(numbers(_TEASER_RE), numbers(_ANSWER_RE), numbers(_NUMBER_RE))

"""The bench's text: deterministic German-ish words (seeded random over a small word list)
and explainer documents made of them. Pure Python, no Django, so bench/wagtail/ can give
Wagtail the same texts."""

from __future__ import annotations

import random

SEED = 20250817

_NOUN_TEXT = (
    "Regierung Bundestag Sicherheit Garantie Ukraine Europa Verhandlung Waffenstillstand "
    "Abkommen Truppen Bündnis Nato Kanzler Ministerium Haushalt Milliarden Energie Preise "
    "Inflation Wirtschaft Gesetz Reform Gericht Urteil Wahl Koalition Opposition Bürger "
    "Kommunen Länder Verwaltung Schulen Klima Emissionen Strom Netz Bahn Verkehr Gesundheit "
    "Kliniken Pflege Rente Steuern Fachkräfte Migration Grenze Polizei Daten Digitalisierung "
    "Sicherheitsgarantien Präsident Außenminister Gipfel Sanktionen Wiederaufbau Lieferungen"
)
_FILLER_TEXT = (
    "der die das und nicht mit für auf auch wird ist sind hat haben nach bei über noch schon "
    "laut sagte wie wenn weil dass ein eine vor seit bis gegen ohne sollen können müssen "
    "bisher derzeit künftig allerdings jedoch zunächst vor allem deutlich mehr weniger"
)
NOUNS = tuple(_NOUN_TEXT.split())
FILLERS = tuple(_FILLER_TEXT.split())
PUBLISHERS = (
    ("tagesschau", "tagesschau.de", "https://www.tagesschau.de/inland/artikel"),
    ("dlf", "Deutschlandfunk", "https://www.deutschlandfunk.de/beitrag"),
    ("spiegel", "Der Spiegel", "https://www.spiegel.de/politik/artikel"),
)


class Words:
    """Deterministic German-ish text."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def sentence(self, low: int = 8, high: int = 14) -> str:
        n = self.random.randint(low, high)
        words = [
            self.random.choice(NOUNS if self.random.random() < 0.4 else FILLERS) for _ in range(n)
        ]
        return " ".join(words).capitalize() + "."

    def paragraph(self, words: int) -> str:
        sentences, count = [], 0
        while count < words:
            sentence = self.sentence()
            sentences.append(sentence)
            count += len(sentence.split())
        return " ".join(sentences)

    def answer(self, words: int = 150, cite: str = "") -> str:
        paragraphs = [self.paragraph(words // 3) for _ in range(3)]
        if cite:
            paragraphs[0] += f" [^{cite}]"
        return "\n\n".join(paragraphs)

    def question(self) -> str:
        a, b = self.random.choice(NOUNS), self.random.choice(NOUNS)
        return f"Was bedeutet {a} für {b}?"


def make_document(words: Words, slug: str, questions: int, related: list[str]) -> dict:
    sources = [
        {
            "key": key,
            "label": words.sentence(4, 7).rstrip("."),
            "publisher": publisher,
            "url": url,
            "date": "2025-08-17",
            "kind": "article",
        }
        for key, publisher, url in PUBLISHERS
    ]
    return {
        "headline": words.sentence(5, 9).rstrip(".") + "?",
        "slug": slug,
        "kicker": words.random.choice(NOUNS),
        "teaser": words.sentence(),
        "intro": words.paragraph(40) + "\n\n" + words.paragraph(30),
        "language": "de",
        "image": None,
        "questions": [
            {
                "key": f"q-{n:04x}",
                "anchor": f"frage-{n}",
                "question": words.question(),
                "answer": words.answer(cite=PUBLISHERS[n % 3][0] if n % 2 else ""),
                "cites": [],
            }
            for n in range(1, questions + 1)
        ],
        "sources": sources,
        "related": related,
    }

"""The bench data set, built in-process through the domain API (import, publish, revisions).

Text is generated deterministically (seeded random over a small German word list), so two
runs build the same pages.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import reversion
from django.db import transaction

from explainers.domain.demo import load_demo
from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import record_revision
from explainers.models import Explainer, Question

SEED = 20250817
GENERATED = 200  # explainers with 12 questions each
QUESTIONS = 12
HEAVY = 3  # of them: 30 publications and 300 revisions each
HEAVY_REVISIONS = 300
HEAVY_PUBLICATIONS = 30
LARGE_QUESTIONS = 50
SMALL_QUESTIONS = 5

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


@dataclass
class Dataset:
    """What the measurements need to find again: slugs and timings."""

    demo_slug: str = ""
    generated_slugs: list[str] = field(default_factory=list)
    heavy_slugs: list[str] = field(default_factory=list)
    large_slug: str = ""
    small_slug: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


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


def create(words: Words, slug: str, questions: int, related: list[str] = ()) -> Explainer:
    return import_document(
        make_document(words, slug, questions, list(related)), comment="Bench: importiert"
    )


def small_edit(explainer: Explainer, words: Words, comment: str) -> None:
    """One revision: one word of one answer replaced by another."""
    with transaction.atomic(), reversion.create_revision():
        questions = list(Question.objects.filter(explainer=explainer).only("pk", "answer"))
        question = words.random.choice(questions)
        parts = question.answer.split(" ")
        parts[words.random.randrange(len(parts) - 2)] = words.random.choice(NOUNS)
        question.answer = " ".join(parts)
        question.save(update_fields=["answer"])
        record_revision(explainer, comment=comment)


def revise(explainer: Explainer, words: Words, revisions: int, publish_every: int = 0) -> int:
    """`revisions` small edits, publishing an update after every `publish_every`-th."""
    published = 0
    for n in range(1, revisions + 1):
        small_edit(explainer, words, f"Bench: Änderung {n}")
        if publish_every and n % publish_every == 0:
            publish(explainer, kind="update", note=f"Aktualisiert (Bench, Änderung {n}).")
            published += 1
    return published


def build(log) -> Dataset:
    """The whole data set; `log` prints progress."""
    words = Words(SEED)
    data = Dataset()

    started = time.perf_counter()
    demo, _login = load_demo()
    data.demo_slug = demo.slug
    data.seconds["demo"] = time.perf_counter() - started

    started = time.perf_counter()
    for n in range(GENERATED):
        slug = f"bench-{n:03d}"
        related = data.generated_slugs[-2:]
        publish(create(words, slug, QUESTIONS, related))
        data.generated_slugs.append(slug)
    data.seconds["200 explainers"] = time.perf_counter() - started
    log(
        f"  {GENERATED} explainers imported and published in {data.seconds['200 explainers']:.1f} s"
    )

    started = time.perf_counter()
    # 1 import revision + 299 edits = 300 revisions; first + 29 updates = 30 publications.
    every = (HEAVY_REVISIONS - 1) // (HEAVY_PUBLICATIONS - 1)
    for slug in data.generated_slugs[-HEAVY:]:  # the last ones: they recommend two others
        explainer = Explainer.objects.get(slug=slug)
        revise(explainer, words, HEAVY_REVISIONS - 1, publish_every=every)
        data.heavy_slugs.append(slug)
    data.seconds["heavy explainers"] = time.perf_counter() - started
    log(
        f"  {HEAVY} explainers revised {HEAVY_REVISIONS}x / published "
        f"{HEAVY_PUBLICATIONS}x in {data.seconds['heavy explainers']:.1f} s"
    )

    started = time.perf_counter()
    data.large_slug = "bench-fifty-questions"
    large = create(words, data.large_slug, LARGE_QUESTIONS, data.generated_slugs[:2])
    publish(large)
    rewrite_answers(large, words, every=5)
    publish(large, kind="update", note="Zehn Antworten überarbeitet (Bench).")
    data.small_slug = "bench-five-questions"
    publish(create(words, data.small_slug, SMALL_QUESTIONS, data.generated_slugs[:2]))
    data.seconds["50/5-question explainers"] = time.perf_counter() - started
    return data


def rewrite_answers(explainer: Explainer, words: Words, every: int) -> None:
    """One revision rewriting every `every`-th answer and one question (for a real diff)."""
    with transaction.atomic(), reversion.create_revision():
        questions = Question.objects.filter(explainer=explainer).order_by("position")
        for n, question in enumerate(questions):
            if n % every == 0:
                question.answer = words.answer()
                question.save(update_fields=["answer"])
            if n == 1:
                question.question = words.question()
                question.save(update_fields=["question"])
        record_revision(explainer, comment="Bench: Antworten überarbeitet")

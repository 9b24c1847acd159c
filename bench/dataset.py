"""The bench data set, built in-process through the domain API (import, publish, revisions).

Text is generated deterministically (bench/texts.py), so two runs build the same pages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import reversion
from django.db import transaction

from bench.texts import NOUNS, SEED, Words, make_document
from explainers.domain.demo import load_demo
from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import record_revision
from explainers.models import Explainer, Question

GENERATED = 200  # explainers with 12 questions each
QUESTIONS = 12
HEAVY = 3  # of them: 31 publications (30 change notes) and 300 revisions each
HEAVY_REVISIONS = 300
HEAVY_PUBLICATIONS = 31
LARGE_QUESTIONS = 50
SMALL_QUESTIONS = 5
EIGHT_QUESTIONS = 8  # published once: the cold target's lighter shape, and Wagtail's twin


@dataclass
class Dataset:
    """What the measurements need to find again: slugs and timings."""

    demo_slug: str = ""
    generated_slugs: list[str] = field(default_factory=list)
    heavy_slugs: list[str] = field(default_factory=list)
    large_slug: str = ""
    small_slug: str = ""
    eight_slug: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


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


def revise(
    explainer: Explainer, words: Words, revisions: int, publish_every: int = 0, updates: int = 0
) -> int:
    """`revisions` small edits, publishing an update after every `publish_every`-th, at
    most `updates` of them (0: no limit)."""
    published = 0
    for n in range(1, revisions + 1):
        small_edit(explainer, words, f"Bench: Änderung {n}")
        limit_reached = updates and published >= updates
        if publish_every and n % publish_every == 0 and not limit_reached:
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
    # 1 import revision + 299 edits = 300 revisions; first + 30 updates = 31 publications,
    # whose latest lists 30 change notes.
    updates = HEAVY_PUBLICATIONS - 1
    every = (HEAVY_REVISIONS - 1) // updates
    for slug in data.generated_slugs[-HEAVY:]:  # the last ones: they recommend two others
        explainer = Explainer.objects.get(slug=slug)
        revise(explainer, words, HEAVY_REVISIONS - 1, publish_every=every, updates=updates)
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
    data.eight_slug = "bench-eight-questions"
    publish(create(words, data.eight_slug, EIGHT_QUESTIONS, data.generated_slugs[:2]))
    data.seconds["50/5/8-question explainers"] = time.perf_counter() - started
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

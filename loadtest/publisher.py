"""The desk under load, as a separate OS process: every second it edits the hot explainer's
working copy (teaser and one answer, both naming the step N) and publishes it.

`python -m loadtest.publisher SLUG --seconds 60` from the project root, with the server's
environment. It prints `LOADTEST {"ready": true}` once Django is set up, waits for a line on
stdin, then one such JSON line per step: the step, the publication number and the
wall-clock times around publish(), or the error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def hot_question(explainer):
    """The question whose answer carries the step: the first one."""
    return explainer.questions.order_by("position", "pk").first()


def edit_and_publish(explainer, question, original_answer: str, step: int):
    """Both parts of the edit in one transaction, then publish(); returns the publication."""
    from django.db import transaction

    from explainers.domain.publishing import publish
    from explainers.models import Explainer, Question
    from loadtest import markers

    with transaction.atomic():
        Explainer.objects.filter(pk=explainer.pk).update(teaser=markers.teaser(step))
        Question.objects.filter(pk=question.pk).update(answer=markers.answer(step, original_answer))
    return publish(explainer, kind="update", note=f"Lastprobe, Schritt {step}.")


PREFIX = "LOADTEST "  # Django's log lines go to stdout too


def emit(record: dict) -> None:
    print(PREFIX + json.dumps(record), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slug")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between publishes")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from explainers.models import Explainer

    explainer = Explainer.objects.get(slug=args.slug)
    question = hot_question(explainer)
    original = question.answer
    emit({"ready": True})
    sys.stdin.readline()  # go

    started = time.monotonic()
    step = 0
    while True:
        step += 1
        due = started + step * args.every
        if due > started + args.seconds:
            break
        time.sleep(max(0.0, due - time.monotonic()))
        before = time.time()
        try:
            publication = edit_and_publish(explainer, question, original, step)
        except Exception as error:  # report every failure and go on, as a desk would
            emit({"step": step, "started": before, "error": f"{type(error).__name__}: {error}"})
            continue
        emit({"step": step, "number": publication.number, "started": before, "done": time.time()})
    return 0


if __name__ == "__main__":
    sys.exit(main())

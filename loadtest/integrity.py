"""Is anything half-written? Checks every explainer's publications, its current-publication
pointer, its search rows and the revisions they came from, in the configured database.

`python -m loadtest.integrity` (from the project root, with the same environment as the
server) prints the findings as JSON, for checks against another database or process.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path


def check_integrity() -> list[str]:
    """Every problem found, one line each; empty when all is whole."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, Q
    from reversion.models import Revision

    from explainers.core.documents import content_hash
    from explainers.core.rendering import to_plain_text
    from explainers.domain.builders import stored_content_hash
    from explainers.models import CurrentPublication, Explainer, Publication, SearchEntry

    problems: list[str] = []
    publications: dict[int, list[Publication]] = defaultdict(list)
    for publication in Publication.objects.select_related("revision").order_by(
        "explainer_id", "number"
    ):
        publications[publication.explainer_id].append(publication)
    current = {c.explainer_id: c for c in CurrentPublication.objects.all()}
    search_rows: dict[int, list[SearchEntry]] = defaultdict(list)
    for row in SearchEntry.objects.order_by("explainer_id", "position"):
        search_rows[row.explainer_id].append(row)

    for explainer in Explainer.objects.order_by("pk"):
        own = publications.get(explainer.pk, [])
        name = explainer.slug
        if not own:
            if explainer.pk in current:
                problems.append(f"{name}: current-publication pointer without publications")
            continue
        numbers = [p.number for p in own]
        if numbers != list(range(1, len(own) + 1)):
            problems.append(f"{name}: publication numbers {numbers} are not 1..{len(own)}")
        latest = own[-1]
        pointer = current.get(explainer.pk)
        if pointer is None:
            problems.append(f"{name}: published, but no current-publication pointer")
        elif pointer.publication_id != latest.pk:
            problems.append(
                f"{name}: current pointer is not the latest publication v{latest.number}"
            )
        elif pointer.slug != latest.slug:
            problems.append(f"{name}: current slug {pointer.slug!r} is not {latest.slug!r}")
        for publication in own:
            problems += _publication_problems(name, publication, content_hash, stored_content_hash)
        if pointer is not None and pointer.withdrawn_at is None:
            problems += _search_problems(name, latest, search_rows[explainer.pk], to_plain_text)

    explainer_type = ContentType.objects.get_for_model(Explainer)
    empty = Revision.objects.annotate(
        explainers=Count("version", filter=Q(version__content_type=explainer_type))
    ).filter(explainers=0)
    for revision in empty[:20]:
        problems.append(f"revision {revision.pk} holds no explainer (half-written revision)")
    return problems


def _publication_problems(name, publication, content_hash, stored_content_hash) -> list[str]:
    label = f"{name} v{publication.number}"
    document = publication.document or {}
    questions = document.get("questions")
    if not isinstance(questions, list) or not document.get("headline"):
        return [f"{label}: document missing or without headline/questions"]
    problems = []
    keys = {q["key"] for q in questions}
    if content_hash(document, publication.byline) != publication.content_hash:
        problems.append(f"{label}: content hash does not match its document")
    rendered = publication.rendered_answers or {}
    if set(rendered) != keys or not all(isinstance(v, str) for v in rendered.values()):
        problems.append(f"{label}: rendered answers do not cover its questions")
    if set(publication.question_changes or {}) != keys:
        problems.append(f"{label}: per-question changes do not cover its questions")
    if publication.slug != document.get("slug"):
        problems.append(f"{label}: slug {publication.slug!r} is not its document's")
    if publication.number > 1 and not publication.change_summary:
        problems.append(f"{label}: no change summary against the previous publication")
    if publication.revision is None:
        problems.append(f"{label}: frozen from no revision")
    elif stored_content_hash(publication.revision) != publication.content_hash:
        problems.append(f"{label}: its revision {publication.revision_id} holds other content")
    return problems


def _search_problems(name, latest, rows, to_plain_text) -> list[str]:
    document = latest.document
    if len(rows) != len(document["questions"]) + 1:
        return [
            f"{name}: {len(rows)} search rows for v{latest.number}, "
            f"expected {len(document['questions']) + 1}"
        ]
    head = rows[0]
    if head.title != document["headline"] or to_plain_text(document["teaser"]) not in head.body:
        return [f"{name}: search rows are not those of v{latest.number}"]
    return []


def summary() -> dict:
    """Publications per explainer, the current version, the revision count and problems."""
    from reversion.models import Revision

    from explainers.models import CurrentPublication, Publication

    numbers: dict[str, list[int]] = defaultdict(list)
    for slug, number in Publication.objects.order_by("explainer_id", "number").values_list(
        "explainer__slug", "number"
    ):
        numbers[slug].append(number)
    current = dict(CurrentPublication.objects.values_list("explainer__slug", "publication__number"))
    return {
        "publications": dict(numbers),
        "current": current,
        "revisions": Revision.objects.count(),
        "problems": check_integrity(),
    }


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    print(json.dumps(summary(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Building the document: one builder per origin (live models, a stored revision), one shape.

Publications store their document, so they need no builder.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from reversion.models import Revision, Version

from explainers.core.documents import normalize_document
from explainers.domain.images import image_size
from explainers.models import Citation, Explainer, Question, RelatedLink, Source


def assemble_document(
    explainer: Mapping[str, Any],
    questions: Iterable[Mapping[str, Any]],
    sources: Iterable[Mapping[str, Any]],
    citations: Iterable[tuple[Any, Any]],
    related_slugs: Iterable[str],
) -> dict[str, Any]:
    """The document from plain field values (question and source rows carry their `id`)."""
    sources = sorted(sources, key=lambda s: (s["position"], s["id"]))
    questions = sorted(questions, key=lambda q: (q["position"], q["id"]))
    source_by_id = {s["id"]: s for s in sources}
    source_order = {s["id"]: index for index, s in enumerate(sources)}
    cited: dict[Any, set] = defaultdict(set)
    for question_id, source_id in citations:
        if source_id in source_by_id:
            cited[question_id].add(source_id)
    image = str(explainer.get("image") or "")
    size = image_size(image) if image else None
    return normalize_document(
        {
            "headline": explainer.get("headline", ""),
            "slug": explainer.get("slug", ""),
            "kicker": explainer.get("kicker", ""),
            "teaser": explainer.get("teaser", ""),
            "intro": explainer.get("intro", ""),
            "language": explainer.get("language") or "de",
            "image": {
                "src": image,
                "alt": explainer.get("image_alt", ""),
                "caption": explainer.get("image_caption", ""),
                "credit": explainer.get("image_credit", ""),
                # What the file says, for the page's width and height; not compared.
                **({"width": size[0], "height": size[1]} if size else {}),
            }
            if image
            else None,
            "questions": [
                {
                    "key": q["key"],
                    "anchor": q["anchor"],
                    "question": q["question"],
                    "answer": q["answer"],
                    "cites": [
                        source_by_id[sid]["key"]
                        for sid in sorted(cited[q["id"]], key=source_order.__getitem__)
                    ],
                }
                for q in questions
            ],
            "sources": [
                {
                    "key": s["key"],
                    "label": s["label"],
                    "publisher": s.get("publisher", ""),
                    "url": s.get("url") or None,
                    "date": str(s["date"]) if s.get("date") else None,
                    "kind": s.get("kind", "article"),
                }
                for s in sources
            ],
            "related": list(related_slugs),
        },
        image_size=True,
    )


EXPLAINER_FIELDS = (
    "headline", "slug", "kicker", "teaser", "intro", "language",
    "image", "image_alt", "image_caption", "image_credit",
)  # fmt: skip
QUESTION_FIELDS = ("id", "position", "key", "anchor", "question", "answer")
SOURCE_FIELDS = ("id", "position", "key", "label", "publisher", "url", "date", "kind")


def document_from_explainer(explainer: Explainer) -> dict[str, Any]:
    """The working copy as a document (preview, hashing, publishing)."""
    fields = {name: getattr(explainer, name) for name in EXPLAINER_FIELDS}
    fields["image"] = explainer.image.name if explainer.image else ""
    return assemble_document(
        fields,
        Question.objects.filter(explainer=explainer).values(*QUESTION_FIELDS),
        Source.objects.filter(explainer=explainer).values(*SOURCE_FIELDS),
        Citation.objects.filter(explainer=explainer).values_list("question_id", "source_id"),
        RelatedLink.objects.filter(explainer=explainer)
        .order_by("position", "pk")
        .values_list("target__slug", flat=True),
    )


def revision_rows(revision: Revision) -> dict[type, list[dict[str, Any]]]:
    """The stored rows of a revision by model, read from the serialised data directly.

    Reading the JSON (rather than deserialising into today's models) tolerates fields
    that later migrations added or removed.
    """
    models = {ContentType.objects.get_for_model(m).pk: m for m in _VERSIONED}
    rows: dict[type, list[dict[str, Any]]] = {m: [] for m in _VERSIONED}
    versions = Version.objects.filter(revision=revision).values_list(
        "content_type_id", "serialized_data", "format"
    )
    for content_type_id, data, fmt in versions:
        model = models.get(content_type_id)
        if model is None or fmt != "json":
            continue
        for obj in json.loads(data):
            rows[model].append({**obj["fields"], "id": _pk(model, obj["pk"])})
    return rows


def document_from_revision(revision: Revision) -> dict[str, Any]:
    """An old revision as a document, without reverting anything."""
    rows = revision_rows(revision)
    explainer = rows[Explainer][0] if rows[Explainer] else {}
    related = sorted(rows[RelatedLink], key=lambda r: (r.get("position", 0), r["id"]))
    slugs = dict(
        Explainer.objects.filter(pk__in=[r["target"] for r in related]).values_list("pk", "slug")
    )
    return assemble_document(
        explainer,
        [_with_defaults(q, QUESTION_FIELDS) for q in rows[Question]],
        [_with_defaults(s, SOURCE_FIELDS) for s in rows[Source]],
        [(c.get("question"), c.get("source")) for c in rows[Citation]],
        [slugs[r["target"]] for r in related if r.get("target") in slugs],
    )


def stored_explainer(revision: Revision) -> dict[str, Any]:
    """The explainer's own row as the revision stored it (hash, byline, …); one query."""
    data = (
        Version.objects.filter(
            revision=revision, content_type=ContentType.objects.get_for_model(Explainer)
        )
        .values_list("serialized_data", flat=True)
        .first()
    )
    return json.loads(data)[0]["fields"] if data else {}


def stored_content_hash(revision: Revision) -> str:
    """The content hash the explainer had when the revision was recorded."""
    return stored_explainer(revision).get("content_hash", "")


_VERSIONED = (Explainer, Question, Source, Citation, RelatedLink)


def _pk(model: type, raw: Any) -> Any:
    return model._meta.pk.to_python(raw)


def _with_defaults(row: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    defaults = {"position": 0, "key": "", "anchor": "", "question": "", "answer": "", "label": ""}
    return {name: row.get(name, defaults.get(name, "")) for name in names}

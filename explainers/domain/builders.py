"""The document and the rows that store it, in both directions.

Rows → document: `assemble_document`, fed from the working copy (`document_from_explainer`)
or from a stored revision (`document_from_revision`). Document → rows: `write_document`,
through which import, revert and question restore write the working copy. Reading what
django-reversion stored goes through `stored_rows` and `revision_rows` here, never by hand.
Publications store their document, so they need no builder.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.contrib.contenttypes.models import ContentType
from reversion.models import Revision, Version

from explainers.core.documents import citation_markers, normalize_document
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
    return assemble_document(
        _explainer_fields(explainer),
        Question.objects.filter(explainer=explainer).values(*QUESTION_FIELDS),
        Source.objects.filter(explainer=explainer).values(*SOURCE_FIELDS),
        Citation.objects.filter(explainer=explainer).values_list("question_id", "source_id"),
        RelatedLink.objects.filter(explainer=explainer)
        .order_by("position", "pk")
        .values_list("target__slug", flat=True),
    )


def document_from_related_rows(explainer: Explainer) -> dict[str, Any]:
    """The working copy as a document, from the rows the explainer's related managers
    give: for a caller that has prefetched them, related links with their targets
    (explainers/domain/revisions.py, rows_read_once)."""
    return assemble_document(
        _explainer_fields(explainer),
        [{name: getattr(q, name) for name in QUESTION_FIELDS} for q in explainer.questions.all()],
        [{name: getattr(s, name) for name in SOURCE_FIELDS} for s in explainer.sources.all()],
        [(c.question_id, c.source_id) for c in explainer.citations.all()],
        [link.target.slug for link in explainer.related_links.all()],  # position, pk
    )


def _explainer_fields(explainer: Explainer) -> dict[str, Any]:
    fields = {name: getattr(explainer, name) for name in EXPLAINER_FIELDS}
    fields["image"] = explainer.image.name if explainer.image else ""
    return fields


# ---- reading what django-reversion stored ------------------------------------------------


def stored_rows(serialized_data: str) -> list[dict[str, Any]]:
    """The rows of one stored version (reversion's JSON): each row's fields and its raw
    primary key as `pk`. Reading the JSON (rather than deserialising into today's models)
    tolerates fields that later migrations added or removed."""
    return serialized_rows(json.loads(serialized_data))


def serialized_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`stored_rows` of rows already read from JSON (a RevisionRows' `rows`)."""
    return [{**row.get("fields", {}), "pk": row.get("pk")} for row in rows]


def kept_row_model(row: Mapping[str, Any]) -> type | None:
    """The model of one row a RevisionRows keeps (by its "app.model" label), if versioned."""
    return _BY_LABEL.get(row.get("model"))


def revision_rows(revision: Revision) -> dict[type, list[dict[str, Any]]]:
    """The stored rows of a revision by model, each with its `id`: the explainer's from its
    version, the children's from the revision's `RevisionRows`, or, in a revision recorded
    before those existed, from a version each. One query either way, none for a revision
    read together with them (`keep_rows_read`)."""
    rows: dict[type, list[dict[str, Any]]] = {m: [] for m in _VERSIONED}
    models = {ContentType.objects.get_for_model(m).pk: m for m in _VERSIONED}
    versions = getattr(revision, "versions_read", None)  # keep_rows_read
    if versions is None:
        versions = Version.objects.filter(revision=revision, format="json").values_list(
            "content_type_id", "serialized_data", "revision__explainer_rows__rows"
        )
    children = None
    for content_type_id, data, kept_together in versions:
        children = kept_together if kept_together is not None else children
        model = models.get(content_type_id)
        if model is not None:
            rows[model].extend(_row(model, row) for row in stored_rows(data))
    if children is not None:  # any version of a child beside them is superseded
        rows = {m: (found if m is Explainer else []) for m, found in rows.items()}
        for kept, row in zip(children, serialized_rows(children), strict=True):
            model = kept_row_model(kept)
            if model is not None:
                rows[model].append(_row(model, row))
    return rows


def keep_rows_read(
    revision: Revision, version_format: str, serialized_data: str, kept_together: list | None
) -> None:
    """`revision` was read together with its explainer's version (format and data) and
    its RevisionRows' rows (`kept_together`; revisions.latest_revision_with_rows):
    `revision_rows` of it takes them from there instead of reading them again. Not so a
    revision recorded before RevisionRows (None), whose children have versions of their
    own. Of the explainer's rows, only its own is then taken, as it is the only one: a
    revision with RevisionRows is recorded by one `record_revision` (RevisionRows is one
    per revision), for one explainer, in a block that saves no other."""
    if kept_together is not None and version_format == "json":
        explainer_type = ContentType.objects.get_for_model(Explainer).pk
        revision.versions_read = [(explainer_type, serialized_data, kept_together)]


def _row(model: type, row: dict[str, Any]) -> dict[str, Any]:
    pk = row.pop("pk")
    return {**row, "id": _pk(model, pk)}


def document_from_revision(revision: Revision) -> dict[str, Any]:
    """An old revision as a document, without reverting anything."""
    return document_from_revision_rows(revision_rows(revision))


def document_from_revision_rows(rows: Mapping[type, list[dict]]) -> dict[str, Any]:
    """The document of a revision whose rows (`revision_rows`) the caller has read."""
    return _revision_document(rows)[0]


def revision_to_write(revision: Revision) -> tuple[dict[str, Any], dict[str, int], KeptFields]:
    """What writing a revision back (revert) takes: its document, the related explainers
    that still exist (slug → id) and the fields its rows held beyond the document."""
    rows = revision_rows(revision)
    document, related = _revision_document(rows)
    explainer = rows[Explainer][0] if rows[Explainer] else {}
    kept = KeptFields(
        explainer={name: _stored_value(Explainer, name, explainer) for name in _KEPT[Explainer]},
        questions={
            q["key"]: {name: _stored_value(Question, name, q) for name in _KEPT[Question]}
            for q in rows[Question]
        },
        sources={s["key"]: {"id": s["id"]} for s in rows[Source]},
    )
    return document, related, kept


def _revision_document(rows: Mapping[type, list[dict]]) -> tuple[dict[str, Any], dict[str, int]]:
    explainer = rows[Explainer][0] if rows[Explainer] else {}
    related = sorted(rows[RelatedLink], key=lambda r: (r.get("position", 0), r["id"]))
    ids = [r["target"] for r in related]
    slugs = dict(Explainer.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}
    targets = {slugs[r["target"]]: r["target"] for r in related if r.get("target") in slugs}
    document = assemble_document(
        explainer,
        [_with_defaults(q, QUESTION_FIELDS) for q in rows[Question]],
        [_with_defaults(s, SOURCE_FIELDS) for s in rows[Source]],
        [(c.get("question"), c.get("source")) for c in rows[Citation]],
        list(targets),
    )
    return document, targets


def stored_explainer(revision: Revision) -> dict[str, Any]:
    """The explainer's own row as the revision stored it (hash, byline, …); one query."""
    data = (
        Version.objects.filter(
            revision=revision, content_type=ContentType.objects.get_for_model(Explainer)
        )
        .values_list("serialized_data", flat=True)
        .first()
    )
    return stored_rows(data)[0] if data else {}


def latest_stored_hash(explainer: Explainer) -> tuple[int, str] | None:
    """The id of the explainer's latest revision and the content hash it recorded, in one
    query (the revision holding the explainer's row with the highest id, as
    `revisions_of` orders them); None before its first revision."""
    latest = (
        Version.objects.filter(
            content_type=ContentType.objects.get_for_model(Explainer), object_id=str(explainer.pk)
        )
        .order_by("-revision_id")
        .values_list("revision_id", "serialized_data")
        .first()
    )
    if latest is None:
        return None
    rows = stored_rows(latest[1])
    return latest[0], (rows[0].get("content_hash", "") if rows else "")


def stored_content_hash(revision: Revision) -> str:
    """The content hash the explainer had when the revision was recorded."""
    return stored_explainer(revision).get("content_hash", "")


_VERSIONED = (Explainer, Question, Source, Citation, RelatedLink)
_BY_LABEL = {model._meta.label_lower: model for model in _VERSIONED}


def _pk(model: type, raw: Any) -> Any:
    return model._meta.pk.to_python(raw)


def _with_defaults(row: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    defaults = {"position": 0, "key": "", "anchor": "", "question": "", "answer": "", "label": ""}
    return {name: row.get(name, defaults.get(name, "")) for name in names}


def _stored_value(model: type, name: str, row: Mapping[str, Any]) -> Any:
    """A stored field as today's model takes it; what the revision lacks (added later, or
    not versioned) gets the field's default, as reversion's own revert did."""
    model_field = model._meta.get_field(name)
    if name == "id":
        return row.get("id")
    if name not in row:
        return model_field.get_default()
    return model_field.to_python(row[name])


# ---- writing a document into the working copy --------------------------------------------


@dataclass
class KeptFields:
    """What the rows hold beyond the document, to keep when a document is written back:
    the explainer's own fields (byline, review date, …) and, by key, the questions' ids,
    validity and hand-set citations and the sources' ids."""

    explainer: dict[str, Any] = field(default_factory=dict)
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


def _not_in_document(model: type, mapped: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        f.name for f in model._meta.concrete_fields if f.name not in {*mapped, "explainer"}
    )


_KEPT = {
    Explainer: _not_in_document(
        Explainer, [*EXPLAINER_FIELDS, "id", "created_at", "updated_at", "content_hash"]
    ),
    Question: _not_in_document(Question, ["position", "key", "anchor", "question", "answer"]),
}


def kept_fields(explainer: Explainer) -> KeptFields:
    """The working copy's fields beyond its document (for writing a changed document)."""
    questions = Question.objects.filter(explainer=explainer).values_list("key", *_KEPT[Question])
    return KeptFields(
        explainer={name: getattr(explainer, name) for name in _KEPT[Explainer]},
        questions={key: dict(zip(_KEPT[Question], kept, strict=True)) for key, *kept in questions},
        sources={
            key: {"id": pk}
            for key, pk in Source.objects.filter(explainer=explainer).values_list("key", "id")
        },
    )


def split_keys(text: str) -> list[str]:
    """Source keys from the hand-set "weitere Quellen" field ("dlf, cnn")."""
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def cited_keys(answer: str, extra_cites: str) -> Iterable[str]:
    """The source keys a question cites: the answer's markers and the hand-set keys."""
    return chain(citation_markers(answer), split_keys(extra_cites))


RowCheck = Callable[[Explainer, list[Question], list[Source]], None]


def write_document(
    explainer: Explainer,
    document: Mapping[str, Any],
    related: Mapping[str, int],
    *,
    kept: KeptFields | None = None,
    check: RowCheck | None = None,
) -> dict[str, Any]:
    """Write `document` into the working copy: the explainer's fields, and its questions,
    sources, citations and related links (`related`: slug → explainer id, in order)
    replaced by the document's. `kept` carries what the rows hold beyond the document;
    `check` sees the unsaved rows before anything is written and may raise.

    Positions are 1..n and citations in step with the answers, so the caller's revision
    needs no tidying; returns the document as written, built from the rows in memory.
    """
    kept = kept or KeptFields()
    image = document["image"] or {}
    explainer.headline = document["headline"]
    explainer.slug = document["slug"]
    explainer.kicker = document["kicker"]
    explainer.teaser = document["teaser"]
    explainer.intro = document["intro"]
    explainer.language = document["language"]
    explainer.image = image.get("src", "")
    explainer.image_alt = image.get("alt", "")
    explainer.image_caption = image.get("caption", "")
    explainer.image_credit = image.get("credit", "")
    for name, value in kept.explainer.items():
        setattr(explainer, name, value)
    sources = [
        Source(
            explainer=explainer,
            position=position,
            key=source["key"],
            label=source.get("label", ""),
            publisher=source.get("publisher") or "",
            url=source.get("url") or "",
            date=Source._meta.get_field("date").to_python(source.get("date") or None),
            kind=source.get("kind") or Source.Kind.ARTICLE,
            **kept.sources.get(source["key"], {}),
        )
        for position, source in enumerate(document["sources"], start=1)
    ]
    questions = [
        _question_row(explainer, position, question, kept.questions.get(question["key"]))
        for position, question in enumerate(document["questions"], start=1)
    ]
    if check is not None:
        check(explainer, questions, sources)
    new = explainer.pk is None
    explainer.save()
    if not new:  # a new explainer has no rows to replace
        for model in (Citation, RelatedLink, Question, Source):
            model.objects.filter(explainer=explainer).delete()
    Source.objects.bulk_create(sources)
    Question.objects.bulk_create(questions)
    source_index = {source.key: index for index, source in enumerate(sources)}
    pairs = [
        (q_index, source_index[key])
        for q_index, question in enumerate(questions)
        for key in dict.fromkeys(cited_keys(question.answer, question.extra_cites))
        if key in source_index
    ]
    Citation.objects.bulk_create(
        Citation(explainer=explainer, question=questions[q], source=sources[s]) for q, s in pairs
    )
    RelatedLink.objects.bulk_create(
        RelatedLink(explainer=explainer, target_id=target, position=position)
        for position, target in enumerate(related.values(), start=1)
    )
    return assemble_document(
        {
            **{name: getattr(explainer, name) for name in EXPLAINER_FIELDS},
            "image": image.get("src", ""),
        },
        [
            {"id": i, **{n: getattr(q, n) for n in QUESTION_FIELDS[1:]}}
            for i, q in enumerate(questions)
        ],
        [{"id": i, **{n: getattr(s, n) for n in SOURCE_FIELDS[1:]}} for i, s in enumerate(sources)],
        pairs,
        list(related),
    )


def _question_row(
    explainer: Explainer, position: int, question: Mapping[str, Any], kept: dict | None
) -> Question:
    kept = dict(kept or {})
    if "extra_cites" not in kept:
        markers = citation_markers(question["answer"])
        kept["extra_cites"] = ", ".join(key for key in question["cites"] if key not in markers)
    return Question(
        explainer=explainer,
        position=position,
        key=question["key"],
        anchor=question["anchor"],
        question=question["question"],
        answer=question["answer"],
        **kept,
    )

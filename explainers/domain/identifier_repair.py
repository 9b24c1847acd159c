"""Repairing stored slugs and anchors no URL can carry.

Before redaction gave identifiers fresh names, it wrote its marker into them
("minister-[aus rechtlichen Gründen entfernt]"); a publication with such a slug takes the
index, search, sitemap, feeds and the admin down. This is the only change to publications
besides redaction: the bad name gets a valid one (the marker taken out, the rest kept),
the same in every stored copy, and the publication's pages are renewed. Running it again
finds nothing to do.

The functions take the model classes, so migration 0011 runs them on its historical
models before the database starts to check the pattern.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _

from explainers.core.documents import content_hash
from explainers.core.identifiers import is_valid_anchor, is_valid_slug, repaired_name
from explainers.core.passages import REDACTED
from explainers.core.rendering import render_document_answers
from explainers.domain.builders import stored_rows


@dataclass
class Models:
    Explainer: Any
    Question: Any
    Publication: Any
    CurrentPublication: Any
    Version: Any = None  # reversion's, with ContentType: revisions are repaired too
    ContentType: Any = None
    RevisionRows: Any = None  # the child rows of revisions recorded since migration 0023


@dataclass
class Repair:
    """What was (or, with dry_run, would be) repaired, in the desk's words."""

    lines: list[str] = field(default_factory=list)
    explainer_ids: set[int] = field(default_factory=set)


def repair_identifiers(models: Models, *, slug: str | None = None, dry_run=False) -> Repair:
    repair = Repair()
    taken = _valid_slugs(models)
    for explainer in _broken_explainers(models, slug):
        fixer = _Fixer(models, explainer, taken, repair, dry_run)
        fixer.publications()
        fixer.current()
        fixer.working_copy()
        if models.Version is not None:
            fixer.revisions()
        if fixer.changed:
            repair.explainer_ids.add(explainer.pk)
    return repair


def _valid_slugs(models: Models) -> set[str]:
    slugs = set(models.Explainer.objects.values_list("slug", flat=True))
    slugs |= set(models.Publication.objects.values_list("slug", flat=True).distinct())
    slugs |= set(models.CurrentPublication.objects.values_list("slug", flat=True))
    return {slug for slug in slugs if is_valid_slug(slug)}


def _broken_explainers(models: Models, slug: str | None) -> list:
    ids = set()
    for pk, value in models.Explainer.objects.values_list("pk", "slug"):
        if not is_valid_slug(value):
            ids.add(pk)
    for pk, value in models.Question.objects.values_list("explainer_id", "anchor"):
        if not is_valid_anchor(value):
            ids.add(pk)
    for pk, value in models.CurrentPublication.objects.values_list("explainer_id", "slug"):
        if not is_valid_slug(value):
            ids.add(pk)
    rows = models.Publication.objects.values_list("explainer_id", "slug", "document")
    for pk, value, document in rows.iterator():
        if not (is_valid_slug(value) and _valid_document(document)):
            ids.add(pk)
    if models.Version is not None:
        ids |= _explainers_with_broken_revisions(models)
    explainers = models.Explainer.objects.filter(pk__in=ids).order_by("pk")
    if slug:
        explainers = explainers.filter(
            Q(slug=slug) | Q(current__slug=slug) | Q(publications__slug=slug)
        ).distinct()
    return list(explainers)


def _valid_document(document: dict) -> bool:
    return is_valid_slug(document.get("slug", "")) and all(
        is_valid_anchor(q.get("anchor", "")) for q in document.get("questions") or []
    )


def _explainers_with_broken_revisions(models: Models) -> set[int]:
    ids = set()
    for kind, name in ((models.Explainer, "slug"), (models.Question, "anchor")):
        content_type = models.ContentType.objects.get_for_model(kind)
        versions = models.Version.objects.filter(content_type=content_type)
        for object_id, data in versions.values_list("object_id", "serialized_data").iterator():
            for row in stored_rows(data):
                value = row.get(name, "")
                if not (is_valid_slug(value) if name == "slug" else is_valid_anchor(value)):
                    ids.add(int(object_id) if kind is models.Explainer else row["explainer"])
    if models.RevisionRows is not None:
        kept = models.RevisionRows.objects.values_list("explainer", "rows").iterator()
        for explainer_id, rows in kept:
            if any(not is_valid_anchor(row["anchor"]) for row in _question_rows(models, rows)):
                ids.add(explainer_id)
    return ids


def _question_rows(models: Models, rows: list[dict]) -> list[dict]:
    """The fields of the question rows a revision keeps together (RevisionRows) that have
    an anchor, as stored (a change to them changes the kept rows)."""
    label = models.Question._meta.label_lower
    return [
        row["fields"]
        for row in rows
        if row.get("model") == label and "anchor" in (row.get("fields") or {})
    ]


class _Fixer:
    """One explainer: every bad name gets one new valid name, the same in every copy."""

    def __init__(self, models: Models, explainer, taken: set[str], repair: Repair, dry_run):
        self.models, self.explainer, self.taken = models, explainer, taken
        self.repair, self.dry_run = repair, dry_run
        self.slugs: dict[str, str] = {}
        self.anchors: dict[str, str] = {}
        self.changed = False
        anchors = set(
            models.Question.objects.filter(explainer=explainer).values_list("anchor", flat=True)
        )
        for document in models.Publication.objects.filter(explainer=explainer).values_list(
            "document", flat=True
        ):
            anchors |= {q.get("anchor", "") for q in document.get("questions") or []}
        self.taken_anchors = {anchor for anchor in anchors if is_valid_anchor(anchor)}

    def slug(self, value: str) -> str:
        if is_valid_slug(value):
            return value
        if value not in self.slugs:
            self.slugs[value] = repaired_name(value, self.taken, REDACTED)
            self.taken.add(self.slugs[value])
        return self.slugs[value]

    def anchor(self, value: str) -> str:
        if is_valid_anchor(value):
            return value
        if value not in self.anchors:
            self.anchors[value] = repaired_name(value, self.taken_anchors, REDACTED)
            self.taken_anchors.add(self.anchors[value])
        return self.anchors[value]

    def note(self, where: str, old: str, new: str) -> None:
        self.changed = True
        self.repair.lines.append(
            _("„%(headline)s“ (#%(pk)s), %(where)s: „%(old)s“ → „%(new)s“")
            % {
                "headline": self.explainer.headline,
                "pk": self.explainer.pk,
                "where": where,
                "old": old,
                "new": new,
            }  # fmt: skip
        )

    def document(self, document: dict) -> dict:
        questions = [{**q, "anchor": self.anchor(q.get("anchor", ""))}
                     for q in document.get("questions") or []]  # fmt: skip
        return {**document, "slug": self.slug(document.get("slug", "")), "questions": questions}

    def publications(self) -> None:
        rows = self.models.Publication.objects.filter(explainer=self.explainer).order_by("number")
        for publication in rows:
            document = self.document(publication.document)
            slug = self.slug(publication.slug)
            if (slug, document) == (publication.slug, publication.document):
                continue
            changes = _identifier_changes(publication.document, document)
            changes += [(publication.slug, slug)] if slug != publication.slug else []
            for old, new in dict.fromkeys(changes):
                self.note(_("Fassung v%(n)s") % {"n": publication.number}, old, new)
            if not self.dry_run:
                publication.slug, publication.document = slug, document
                publication.rendered_answers = render_document_answers(
                    document,
                    typesetting=getattr(publication, "typesetting", 0),  # 0011: none yet
                )
                publication.content_hash = content_hash(document, publication.byline)
                publication.redaction_generation = F("redaction_generation") + 1
                publication.save()

    def current(self) -> None:
        current = self.models.CurrentPublication.objects.filter(explainer=self.explainer).first()
        if current is None or is_valid_slug(current.slug):
            return
        publication = self.models.Publication.objects.get(pk=current.publication_id)
        new = publication.slug if is_valid_slug(publication.slug) else self.slug(current.slug)
        self.note(_("öffentlicher Kurzname"), current.slug, new)
        if not self.dry_run:
            current.slug = new
            current.save(update_fields=["slug"])

    def working_copy(self) -> None:
        explainer = self.explainer
        if not is_valid_slug(explainer.slug):
            new = self.slug(explainer.slug)
            self.note(_("Arbeitsstand"), explainer.slug, new)
            if not self.dry_run:
                self.models.Explainer.objects.filter(pk=explainer.pk).update(slug=new)
        for question in self.models.Question.objects.filter(explainer=explainer):
            if not is_valid_anchor(question.anchor):
                new = self.anchor(question.anchor)
                self.note(_("Arbeitsstand, Sprungmarke"), question.anchor, new)
                if not self.dry_run:
                    self.models.Question.objects.filter(pk=question.pk).update(anchor=new)

    def revisions(self) -> None:
        kinds = {
            self.models.ContentType.objects.get_for_model(self.models.Explainer).pk: "slug",
            self.models.ContentType.objects.get_for_model(self.models.Question).pk: "anchor",
        }
        explainer_versions = self.models.Version.objects.filter(
            content_type_id=next(iter(kinds)), object_id=str(self.explainer.pk)
        ).values("revision_id")
        versions = self.models.Version.objects.filter(
            revision_id__in=explainer_versions, content_type_id__in=kinds
        )
        fixed = 0
        for version in versions:
            name = kinds[version.content_type_id]
            fix = self.slug if name == "slug" else self.anchor
            rows = json.loads(version.serialized_data)
            before = json.dumps(rows)
            for row in rows:
                fields = row.get("fields", {})
                if name in fields:
                    fields[name] = fix(fields[name])
            if json.dumps(rows) != before:
                fixed += 1
                if not self.dry_run:
                    version.serialized_data = json.dumps(rows, ensure_ascii=False)
                    version.save(update_fields=["serialized_data"])
        fixed += self._revision_rows(explainer_versions)
        if fixed:
            self.changed = True
            self.repair.lines.append(
                _("„%(headline)s“ (#%(pk)s): %(n)s gespeicherte Revisionsteile")
                % {"headline": self.explainer.headline, "pk": self.explainer.pk, "n": fixed}
            )

    def _revision_rows(self, explainer_versions) -> int:
        """The anchors in the child rows of the explainer's revisions (RevisionRows)."""
        if self.models.RevisionRows is None:
            return 0
        fixed = 0
        stored = self.models.RevisionRows.objects.filter(revision_id__in=explainer_versions)
        for entry in stored.iterator():
            changed = False
            for fields in _question_rows(self.models, entry.rows):
                if not is_valid_anchor(fields["anchor"]):
                    fields["anchor"] = self.anchor(fields["anchor"])
                    changed = True
            if changed:
                fixed += 1
                if not self.dry_run:
                    entry.save(update_fields=["rows"])
        return fixed


def _identifier_changes(before: dict, after: dict) -> list[tuple[str, str]]:
    changes = []
    if before.get("slug") != after.get("slug"):
        changes.append((before.get("slug", ""), after.get("slug", "")))
    for old, new in zip(before.get("questions") or [], after.get("questions") or [], strict=True):
        if old.get("anchor") != new.get("anchor"):
            changes.append((old.get("anchor", ""), new.get("anchor", "")))
    return changes

"""The replacements of one legal redaction, in every stored copy of one explainer.

Texts are matched the way a reader sees them (explainers/core/passages.py). Identifiers that
carry the passage — the slug, question anchors, source keys — get fresh valid names, the
same old name always the same new one in every copy; a link that shows it is dropped.
Every replacement is counted by place, for the desk and the Redaction record.
explainers/domain/takedown.py runs it inside the redaction's transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import reversion
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Version

from explainers.core.documents import content_hash
from explainers.core.identifiers import fresh_name
from explainers.core.passages import identifier_without, in_identifier, in_url, redact_text
from explainers.core.rendering import MARKER_RE, render_document_answers
from explainers.domain.builders import kept_row_model, split_keys, stored_rows
from explainers.domain.revisions import record_revision, revisions_of
from explainers.models import (
    Citation,
    Comment,
    CurrentPublication,
    Draft,
    Explainer,
    HandOff,
    Publication,
    Question,
    Redaction,
    RelatedLink,
    RevisionRows,
    ScheduledPublication,
    Source,
)

# Where a replacement was made, as the desk reads it (Redaction.places, the admin message).
PLACES = {
    "publications": gettext_lazy("Veröffentlichungen"),
    "revisions": gettext_lazy("Revisionen"),
    "working_copy": gettext_lazy("Arbeitsstand"),
    "schedules": gettext_lazy("geplante Veröffentlichungen"),
    "hand_offs": gettext_lazy("Übergaben"),
    "comments": gettext_lazy("Kommentare"),
    "drafts": gettext_lazy("ungespeicherte Entwürfe"),
    "admin_log": gettext_lazy("Letzte Aktionen (Admin)"),
    "slug": gettext_lazy("Kurzname"),
    "anchors": gettext_lazy("Sprungmarken"),
    "source_keys": gettext_lazy("Quellen-Schlüssel"),
    "links": gettext_lazy("Quellen-Links"),
}


def redaction_places(redaction: Redaction) -> str:
    """Where a redaction replaced what, for the desk: "Veröffentlichungen: 3, Kurzname: 1"."""
    return ", ".join(
        f"{PLACES[key]}: {count}" for key, count in redaction.places.items() if key in PLACES
    )


# Stored fields that are no text a reader sees and never carry a passage as typed.
_NOT_TEXT = frozenset({"key", "content_hash", "language", "kind", "image"})
SOURCE_KEY_MAX = Source._meta.get_field("key").max_length
# Fields of the change form that hold ids, numbers, dates or choices, never a typed passage.
_FORM_NOT_TEXT = frozenset(
    {"id", "explainer", "position", "DELETE", "target", "loaded_revision", "language", "kind",
     "date", "valid_until", "review_by", "TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS",
     "MAX_NUM_FORMS"}
)  # fmt: skip


class Redactor:
    """One redaction's replacements: texts, identifiers (the same old name always gets
    the same new one, in every copy) and links, counted by place."""

    def __init__(self, explainer: Explainer, passage: str) -> None:
        self.explainer = explainer
        self.passage = passage
        self.slugs: dict[str, str] = {}
        self.anchors: dict[str, str] = {}
        self.source_keys: dict[str, str] = {}
        self.referrer_ids: set[int] = set()  # other explainers whose publications named it
        self.counts: Counter[str] = Counter()
        self._taken_slugs: set[str] | None = None
        self._taken_anchors: set[str] | None = None
        self._taken_keys: set[str] | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def places(self) -> dict[str, int]:
        return {key: self.counts[key] for key in PLACES if self.counts[key]}

    # single values

    def text(self, value: str, place: str) -> str:
        if not isinstance(value, str):
            return value
        # citation markers first: a renamed source keeps its citations
        value = MARKER_RE.sub(lambda m: f"[^{self.source_key(m.group(1))}]", value)
        new, n = redact_text(value, self.passage)
        self.counts[place] += n
        return new

    def slug(self, value: str) -> str:
        if value not in self.slugs:
            if not (isinstance(value, str) and in_identifier(value, self.passage)):
                return value
            if self._taken_slugs is None:
                self._taken_slugs = _all_slugs()
            new = fresh_name(identifier_without(value, self.passage), self._taken_slugs)
            self.slugs[value] = new
            self._taken_slugs.add(new)
        self.counts["slug"] += 1
        return self.slugs[value]

    def anchor(self, value: str) -> str:
        if value not in self.anchors:
            if not (value and isinstance(value, str) and in_identifier(value, self.passage)):
                return value
            if self._taken_anchors is None:
                self._taken_anchors = _all_anchors(self.explainer)
            new = fresh_name(identifier_without(value, self.passage), self._taken_anchors)
            self.anchors[value] = new
            self._taken_anchors.add(new)
        self.counts["anchors"] += 1
        return self.anchors[value]

    def source_key(self, value: str) -> str:
        """A source key derived from the passage (e.g. from a source's name)."""
        if value not in self.source_keys:
            if not (value and isinstance(value, str) and in_identifier(value, self.passage)):
                return value
            if self._taken_keys is None:
                self._taken_keys = _all_source_keys(self.explainer)
            new = fresh_name(
                identifier_without(value, self.passage),
                self._taken_keys,
                fallback="quelle",
                max_length=SOURCE_KEY_MAX,
            )
            self.source_keys[value] = new
            self._taken_keys.add(new)
        self.counts["source_keys"] += 1
        return self.source_keys[value]

    def cites(self, keys: str) -> str:
        """The hand-set "weitere Quellen" ("dlf, cnn")."""
        renamed = [self.source_key(key) for key in split_keys(keys)]
        return ", ".join(renamed) if renamed != split_keys(keys) else keys

    def url(self, value: str | None) -> str | None:
        """A link that shows the passage is dropped whole: a URL cannot carry the marker."""
        if value and in_url(value, self.passage):
            self.counts["links"] += 1
            return None
        return value

    def any(self, value: Any, place: str) -> Any:
        """Every text in a JSON-like structure."""
        if isinstance(value, str):
            return self.text(value, place)
        if isinstance(value, list):
            return [self.any(item, place) for item in value]
        if isinstance(value, dict):
            return {key: self.any(item, place) for key, item in value.items()}
        return value

    def document(self, document: dict, place: str) -> dict:
        redacted = {
            name: value if name in ("slug", "questions", "sources", "related", "language")
            else self.any(value, place)
            for name, value in document.items()
        }  # fmt: skip
        redacted["slug"] = self.slug(document.get("slug", ""))
        redacted["questions"] = [
            {
                **{
                    name: self.any(value, place)
                    for name, value in question.items()
                    if name not in ("key", "anchor", "cites")
                },  # fmt: skip
                "key": question.get("key", ""),
                "anchor": self.anchor(question.get("anchor", "")),
                "cites": [self.source_key(key) for key in question.get("cites") or []],
            }
            for question in document.get("questions") or []
        ]
        redacted["sources"] = [
            {
                **{
                    name: self.any(value, place)
                    for name, value in source.items()
                    if name not in ("key", "url", "date", "kind")
                },  # fmt: skip
                "key": self.source_key(source.get("key", "")),
                "url": self.url(source.get("url")),
                "date": source.get("date"),
                "kind": source.get("kind"),
            }
            for source in document.get("sources") or []
        ]
        redacted["related"] = [self.slugs.get(slug, slug) for slug in document.get("related") or []]
        return redacted

    # every stored copy

    def publications(self) -> None:
        for publication in self.explainer.publications.select_for_update().order_by("number"):
            before = self.total
            publication.document = self.document(publication.document, "publications")
            publication.slug = self.slug(publication.slug)
            for field in ("change_summary", "change_log", "note", "internal_note", "byline"):
                setattr(publication, field, self.any(getattr(publication, field), "publications"))
            if self.total != before:
                _refreeze(publication)
        current = CurrentPublication.objects.filter(explainer=self.explainer).first()
        if current is not None:
            slug = self.slug(current.slug)
            note = self.text(current.withdrawn_note, "publications")
            if (slug, note) != (current.slug, current.withdrawn_note):
                current.slug, current.withdrawn_note = slug, note
                current.save(update_fields=["slug", "withdrawn_note"])

    def revisions(self) -> None:
        types = ContentType.objects.get_for_models(
            Explainer, Question, Source, Citation, RelatedLink
        )
        versions = Version.objects.filter(
            revision__in=revisions_of(self.explainer), content_type__in=types.values()
        )
        comments_done = set()
        for version in versions.select_related("revision", "content_type"):
            before = self.total
            rows = json.loads(version.serialized_data)
            for row in rows:
                row["fields"] = self.stored_row(
                    row.get("fields") or {}, "revisions", version.content_type.model_class()
                )
            object_repr = self.text(version.object_repr, "revisions")
            if self.total != before:
                version.serialized_data = json.dumps(rows, ensure_ascii=False)
                version.object_repr = object_repr
                version.save(update_fields=["serialized_data", "object_repr"])
            revision = version.revision
            if revision.pk not in comments_done:
                comments_done.add(revision.pk)
                comment = self.text(revision.comment, "revisions")
                if comment != revision.comment:
                    revision.comment = comment
                    revision.save(update_fields=["comment"])
        self._revision_rows()

    def _revision_rows(self) -> None:
        """The child rows the explainer's revisions keep together (RevisionRows)."""
        stored = RevisionRows.objects.filter(revision__in=revisions_of(self.explainer))
        for entry in stored.only("pk", "rows"):
            before = self.total
            for row in entry.rows:
                model = kept_row_model(row)
                if model is not None:
                    row["fields"] = self.stored_row(row.get("fields") or {}, "revisions", model)
            if self.total != before:
                entry.save(update_fields=["rows"])

    def stored_row(self, fields: dict, place: str, model: type) -> dict:
        """One serialised row of the explainer, a question or a source."""
        redacted = {}
        for name, value in fields.items():
            if name == "key" and model is Source:
                redacted[name] = self.source_key(value)
            elif name == "extra_cites":
                redacted[name] = self.cites(value)
            elif name == "slug":
                redacted[name] = self.slug(value)
            elif name == "anchor":
                redacted[name] = self.anchor(value)
            elif name == "url":
                redacted[name] = self.url(value) or ""
            elif name in _NOT_TEXT:
                redacted[name] = value
            else:
                redacted[name] = self.text(value, place)
        return redacted

    def _recommendation_labels(self) -> None:
        kind = ContentType.objects.get_for_model(RelatedLink)
        pointing_here = Version.objects.filter(
            content_type=kind, serialized_data__contains=f'"target": {self.explainer.pk}'
        ).exclude(revision__in=revisions_of(self.explainer))
        for version in pointing_here.only("pk", "object_repr", "serialized_data"):
            rows = stored_rows(version.serialized_data)
            if not any(row.get("target") == self.explainer.pk for row in rows):
                continue
            object_repr = self.text(version.object_repr, "revisions")
            if object_repr != version.object_repr:
                version.object_repr = object_repr
                version.save(update_fields=["object_repr"])

    def schedules(self) -> None:
        self._texts(ScheduledPublication, ("note", "internal_note", "reason"), "schedules")

    def hand_offs(self) -> None:
        """The messages of the hand-off between the writers and the desk (not versioned)."""
        self._texts(HandOff, ("message",), "hand_offs")

    def comments(self) -> None:
        """The comments of the writers and the desk on the working copy (not versioned)."""
        self._texts(Comment, ("text",), "comments")

    def drafts(self) -> None:
        """The unsaved change forms of autosave: each field as the working copy's field of
        the same name is redacted, so a restored draft agrees with the redacted rows."""
        for draft in Draft.objects.filter(explainer=self.explainer):
            fields = [[name, self._form_field(name, value)] for name, value in draft.fields]
            if fields != draft.fields:
                draft.fields = fields
                draft.save(update_fields=["fields"])

    def _form_field(self, name: str, value: str) -> str:
        field = name.rsplit("-", 1)[-1]
        if field in _FORM_NOT_TEXT or not isinstance(value, str):
            return value
        if field == "slug":
            return self.slug(value)
        if field == "anchor":
            return self.anchor(value)
        if field == "key" and name.startswith("sources-"):
            return self.source_key(value)
        if field == "extra_cites":
            return self.cites(value)
        if field == "url":
            return self.url(value) or ""
        return self.text(value, "drafts")

    def _texts(self, model, names: tuple[str, ...], place: str) -> None:
        """The explainer's rows of `model`, their `names` fields redacted; a row is saved
        only if one of them changed."""
        for row in model.objects.filter(explainer=self.explainer):
            changed = []
            for name in names:
                value = self.text(getattr(row, name), place)
                if value != getattr(row, name):
                    setattr(row, name, value)
                    changed.append(name)
            if changed:
                row.save(update_fields=changed)

    def working_copy(self, reason: str, user) -> None:
        explainer = self.explainer
        with reversion.create_revision():
            for row in [explainer, *Question.objects.filter(explainer=explainer),
                        *Source.objects.filter(explainer=explainer)]:  # fmt: skip
                values = {field.name: getattr(row, field.attname) for field in _text_fields(row)}
                redacted = self.stored_row(values, "working_copy", type(row))
                changed = [name for name, value in redacted.items() if value != values[name]]
                for name in changed:
                    setattr(row, name, redacted[name])
                if changed:
                    row.save(update_fields=changed)
            record_revision(
                explainer,
                user=user,
                comment=_("Rechtliche Schwärzung: %(reason)s") % {"reason": reason},
            )
        explainer.refresh_from_db()

    def admin_log(self) -> None:
        """The admin's "Letzte Aktionen": what was logged about the explainer and its
        publications and schedules."""
        kinds = ContentType.objects.get_for_models(
            Explainer, CurrentPublication, Publication, ScheduledPublication
        )
        objects = {
            kinds[Explainer]: [self.explainer.pk],
            kinds[CurrentPublication]: [self.explainer.pk],
            kinds[Publication]: list(self.explainer.publications.values_list("pk", flat=True)),
            kinds[ScheduledPublication]: list(
                ScheduledPublication.objects.filter(explainer=self.explainer).values_list(
                    "pk", flat=True
                )
            ),
        }
        condition = models.Q(pk__in=[])
        for kind, pks in objects.items():
            condition |= models.Q(content_type=kind, object_id__in=[str(pk) for pk in pks])
        for entry in LogEntry.objects.filter(condition):
            object_repr = self.text(entry.object_repr, "admin_log")
            message = self._change_message(entry.change_message)
            if (object_repr, message) != (entry.object_repr, entry.change_message):
                entry.object_repr, entry.change_message = object_repr, message
                entry.save(update_fields=["object_repr", "change_message"])

    def _change_message(self, message: str) -> str:
        try:
            structured = json.loads(message) if message.startswith("[") else None
        except ValueError:
            structured = None
        if structured is None:
            return self.text(message, "admin_log")
        redacted = self.any(structured, "admin_log")
        return json.dumps(redacted) if redacted != structured else message

    def referrers(self) -> None:
        """Other explainers name this one: their revisions' recommendation rows carry its
        headline as their label, and their publications list its slug."""
        self._recommendation_labels()
        if not self.slugs:
            return
        others = Publication.objects.exclude(explainer=self.explainer).select_for_update()
        for publication in others.filter(document__related__isnull=False):
            related = publication.document.get("related") or []
            if not any(slug in self.slugs for slug in related):
                continue
            publication.document = {
                **publication.document,
                "related": [self.slugs.get(slug, slug) for slug in related],
            }
            _refreeze(publication)
            self.referrer_ids.add(publication.explainer_id)


def _refreeze(publication: Publication) -> None:
    publication.rendered_answers = render_document_answers(
        publication.document, typesetting=publication.typesetting
    )
    publication.content_hash = content_hash(publication.document, publication.byline)
    publication.redaction_generation = F("redaction_generation") + 1
    publication.save()


def _text_fields(row: models.Model) -> list[models.Field]:
    return [
        field
        for field in row._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and field.editable
    ]


def _all_slugs() -> set[str]:
    return (
        set(Explainer.objects.values_list("slug", flat=True))
        | set(Publication.objects.values_list("slug", flat=True).distinct())
        | set(CurrentPublication.objects.values_list("slug", flat=True))
    )


def _all_source_keys(explainer: Explainer) -> set[str]:
    keys = set(Source.objects.filter(explainer=explainer).values_list("key", flat=True))
    for document in explainer.publications.values_list("document", flat=True):
        keys |= {s.get("key", "") for s in document.get("sources") or []}
    return keys


def _all_anchors(explainer: Explainer) -> set[str]:
    anchors = set(Question.objects.filter(explainer=explainer).values_list("anchor", flat=True))
    for document in explainer.publications.values_list("document", flat=True):
        anchors |= {q.get("anchor", "") for q in document.get("questions") or []}
    return anchors

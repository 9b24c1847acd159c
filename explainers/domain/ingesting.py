"""The ingest API's writes (docs/api.md): a text-format or JSON body becomes a new explainer,
or a new revision of one, through the import path (`importing.import_parsed`: the same
checks, images, question keys, revision and optional publication in one transaction).

A revision names its base, the revision number the sender last had. If someone saved
since, the three-way merge (explainers/core/merging.py: base = that revision, theirs = the
latest, mine = the body) writes the merged document; if both changed the same place,
nothing is written and the conflicts say where, with both values. A base that has been
pruned is merged without one, so everything the two sides hold differently is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import replace as replaced_fields
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from explainers.core.document_json import parse_document_json
from explainers.core.documents import normalize_document
from explainers.core.merging import ITEM_KINDS, Conflict, merge3, merge_without_base
from explainers.core.question_matching import keep_keys, keep_keys_in_order
from explainers.core.textformat import ParsedExplainer, parse_text
from explainers.core.textformat_sources import TextFormatError
from explainers.domain.builders import document_from_revision
from explainers.domain.conflict_places import conflict_place
from explainers.domain.import_language import LanguageRefused, choose_language
from explainers.domain.importing import ImportRefused, import_parsed
from explainers.domain.publishing import PublishRefused, check_publisher
from explainers.domain.revisions import latest_revision
from explainers.models import (
    Explainer,
    Publication,
    RevisionNumber,
    Translation,
)

FORMATS = ("text", "json")
_FIELDS = ("headline", "slug", "kicker", "teaser", "intro", "language", "image")
_QUESTION_FIELDS = ("anchor", "question", "answer", "cites")
_SOURCE_FIELDS = ("key", "label", "publisher", "url", "date", "kind")


class IngestRefused(Exception):
    """Nothing was written. `reason` tells which answer it is: "unreadable" (the body),
    "invalid" (the document, an image, the publication), "forbidden", "not_found",
    "exists", "base_required", "base_unknown"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ConflictSide:
    place: str  # in the editor's words
    kind: str  # field, questions, sources, order, citation (explainers/core/merging.py)
    field: str
    theirs: Any
    yours: Any


class IngestConflict(Exception):
    """The body and a later revision changed the same places: nothing was written."""

    def __init__(self, base: int, latest: int, conflicts: list[ConflictSide]) -> None:
        super().__init__(
            _(
                "Seit Revision %(base)s wurde das Erklärstück geändert (jetzt Revision "
                "%(latest)s), an denselben Stellen wie in dieser Anfrage. Nichts wurde "
                "gespeichert: bitte auf Revision %(latest)s aufbauen und erneut senden."
            )
            % {"base": base, "latest": latest}
        )
        self.base, self.latest, self.conflicts = base, latest, conflicts


@dataclass
class Ingested:
    explainer: Explainer
    revision: int  # the number of the revision written
    created: bool
    merged_from: int | None = None  # the base revision, when a merge was written
    publication: Publication | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_body(text: str, body_format: str, *, slug: str | None = None) -> ParsedExplainer:
    """The document in a request body; `slug` (a revision's explainer) replaces its own."""
    try:
        if body_format == "json":
            return parse_document_json(text, slug=slug)
        return parse_text(text, slug=slug)
    except TextFormatError as error:
        raise IngestRefused("unreadable", str(error)) from error


def ingest(
    parsed: ParsedExplainer,
    *,
    user,
    slug: str | None = None,
    base: int | None = None,
    publish_kind: str | None = None,
    note: str = "",
    via: str = "",
) -> Ingested:
    """Write `parsed` as a new explainer (`slug` None) or as a new revision of the explainer
    with that working-copy slug, on top of revision `base`; publish it if asked. `via`: the
    token's name, for the revision's comment."""
    _check_publish_request(user, publish_kind)
    chosen = _language(parsed)
    parsed = replaced_fields(
        parsed, document={**parsed.document, "language": chosen.code}, language_given=True
    )
    if slug is None:
        result = _create(parsed, user=user, publish_kind=publish_kind, note=note, via=via)
    else:
        result = _revise(
            parsed, slug, user=user, base=base, publish_kind=publish_kind, note=note, via=via
        )
    result.notes[:0] = chosen.notes
    return result


def _check_publish_request(user, publish_kind: str | None) -> None:
    if not publish_kind:
        return
    if publish_kind not in Publication.Kind.values:
        raise IngestRefused(
            "invalid",
            _("Unbekannte Art der Veröffentlichung „%(kind)s“; möglich sind: %(kinds)s.")
            % {"kind": publish_kind, "kinds": ", ".join(Publication.Kind.values)},
        )
    try:
        check_publisher(user)
    except PublishRefused as error:
        raise IngestRefused("forbidden", str(error)) from error


def _language(parsed: ParsedExplainer):
    try:
        return choose_language(parsed.document, option=None, given=parsed.language_given)
    except LanguageRefused as error:
        raise IngestRefused("invalid", str(error)) from error


def _check_permission(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise IngestRefused("forbidden", message % {"user": user.get_username()})


def _create(parsed, *, user, publish_kind, note, via) -> Ingested:
    _check_permission(
        user, "explainers.add_explainer", _("%(user)s darf keine Erklärstücke anlegen.")
    )
    slug = parsed.document["slug"]
    if Explainer.objects.filter(slug=slug).exists():
        raise _taken(slug)
    comment = _("Über die API angelegt (Token „%(token)s“)") % {"token": via}
    try:
        return _write(parsed, user=user, replace=False, publish_kind=publish_kind, note=note,
                      comment=comment, created=True)  # fmt: skip
    except (IngestRefused, IntegrityError):
        if Explainer.objects.filter(slug=slug).exists():  # another request made it meanwhile
            raise _taken(slug) from None
        raise


def _taken(slug: str) -> IngestRefused:
    return IngestRefused(
        "exists",
        _(
            "Ein Erklärstück mit dem Kurznamen „%(slug)s“ gibt es schon. Eine neue "
            "Revision davon geht an seine Adresse …/%(slug)s/revisions/."
        )
        % {"slug": slug},
    )


def _revise(parsed, slug, *, user, base, publish_kind, note, via) -> Ingested:
    explainer = Explainer.objects.filter(slug=slug).first()
    if explainer is None:
        raise IngestRefused("not_found", _("Dieses Erklärstück gibt es nicht."))
    _check_permission(
        user, "explainers.change_explainer", _("%(user)s darf keine Erklärstücke ändern.")
    )
    if base is None:
        raise IngestRefused(
            "base_required",
            _(
                "Bitte die Revision nennen, auf der diese Fassung aufbaut "
                '(Kopfzeile If-Match: "rev-N"), damit keine Änderung verloren geht.'
            ),
        )
    with transaction.atomic():  # the row lock keeps other saves out until the write is done
        Explainer.objects.select_for_update().filter(pk=explainer.pk).values_list("pk").first()
        latest = latest_revision(explainer)
        latest_number = latest.number if latest is not None else 0
        if not 1 <= base <= latest_number:
            raise IngestRefused(
                "base_unknown",
                _("Revision %(base)s gibt es nicht; die neueste ist Revision %(latest)s.")
                % {"base": base, "latest": latest_number},
            )
        comment = _("Über die API (Token „%(token)s“)") % {"token": via}
        merged_from = None
        if base != latest_number:
            parsed = _merged(parsed, explainer, base, latest, latest_number)
            merged_from = base
            comment = _(
                "Über die API (Token „%(token)s“), zusammengeführt: aufgebaut auf Revision "
                "%(base)s, dazwischen gespeichert bis Revision %(latest)s"
            ) % {"token": via, "base": base, "latest": latest_number}
        result = _write(parsed, user=user, replace=True, publish_kind=publish_kind, note=note,
                        comment=comment, created=False)  # fmt: skip
    result.merged_from = merged_from
    return result


def _write(parsed, *, user, replace, publish_kind, note, comment, created) -> Ingested:
    try:
        report = import_parsed(
            parsed,
            replace=replace,
            publish_kind=publish_kind or None,
            note=note,
            user=user,
            comment=comment,
        )
    except (ImportRefused, PublishRefused) as error:
        raise IngestRefused("invalid", str(error)) from error
    return Ingested(
        report.explainer,
        revision=report.revision.number,
        created=created,
        publication=report.publication,
        warnings=list(report.warnings),
        notes=list(report.notes),
    )


def _merged(parsed, explainer, base: int, latest, latest_number: int) -> ParsedExplainer:
    """The body merged with what was saved since revision `base`; conflicts write nothing."""
    base_revision = (
        RevisionNumber.objects.filter(explainer=explainer, number=base)
        .select_related("revision")
        .first()
    )
    theirs = normalize_document(document_from_revision(latest))
    mine = normalize_document(parsed.document)
    numbers: dict[str, int] = {}
    # a translation's questions go by key and position, never by wording (as on import)
    translation = Translation.objects.filter(explainer=explainer).exists()

    def keyed(stored: list[dict]) -> list[dict]:
        if translation:
            return keep_keys_in_order(stored, mine["questions"])
        return keep_keys(stored, mine["questions"], parsed.explicit_keys)[0]

    if base_revision is None:  # pruned: no common ancestor is known
        mine = {**mine, "questions": keyed(theirs["questions"])}
        # The merge without a base knows stored rows by whole-number ids.
        keys = [row["key"] for doc in (theirs, mine) for part in ITEM_KINDS for row in doc[part]]
        numbers = {key: n for n, key in enumerate(dict.fromkeys(keys), start=1)}
        result = merge_without_base(_snapshot(theirs, numbers), _snapshot(mine, numbers))
    else:
        ancestor = normalize_document(document_from_revision(base_revision.revision))
        mine = {**mine, "questions": keyed(ancestor["questions"])}
        result = merge3(_snapshot(ancestor), _snapshot(theirs), _snapshot(mine))
    keys_of = {n: key for key, n in numbers.items()}
    merged = _keyed(result.merged, keys_of)
    if result.conflicts:
        raise IngestConflict(base, latest_number, [_side(c, keys_of) for c in result.conflicts])
    document = _document(merged)
    return replaced_fields(
        parsed,
        document=document,
        explicit_keys=frozenset(q["key"] for q in document["questions"]),
        headline_from_filename=False,
        image_line=None,
    )


def _snapshot(document: dict[str, Any], numbers: dict[str, int] | None = None) -> dict:
    """A document as the merge takes it: rows identified by their keys (or by `numbers`)."""
    numbers = numbers or {}
    return {
        "fields": {name: document[name] for name in _FIELDS},
        "questions": [
            {"id": numbers.get(q["key"], q["key"]), **{name: q[name] for name in _QUESTION_FIELDS}}
            for q in document["questions"]
        ],
        "sources": [
            {"id": numbers.get(s["key"], s["key"]), **{name: s[name] for name in _SOURCE_FIELDS}}
            for s in document["sources"]
        ],
        "related": list(document["related"]),
    }


def _keyed(snapshot: dict[str, Any], keys_of: dict[int, str]) -> dict[str, Any]:
    """The snapshot with its rows identified by their keys again."""
    if not keys_of:
        return snapshot
    return {
        **snapshot,
        **{
            part: [{**row, "id": keys_of.get(row["id"], row["id"])} for row in snapshot[part]]
            for part in ITEM_KINDS
        },
    }


def _document(snapshot: dict[str, Any]) -> dict[str, Any]:
    return normalize_document(
        {
            **snapshot["fields"],
            "questions": [
                {"key": q["id"], **{name: q.get(name) for name in _QUESTION_FIELDS}}
                for q in snapshot["questions"]
            ],
            "sources": [
                {**{name: s.get(name) for name in _SOURCE_FIELDS}, "key": s["id"]}
                for s in snapshot["sources"]
            ],
            "related": snapshot["related"],
        }
    )


def _side(conflict: Conflict, keys_of: dict[int, str]) -> ConflictSide:
    theirs, mine = conflict.theirs, conflict.mine
    if conflict.kind == "order":  # lists of ids: shown as keys
        theirs, mine = ([keys_of.get(i, i) for i in side or ()] for side in (theirs, mine))
    conflict = Conflict(conflict.kind, conflict.label, conflict.field, mine, theirs)
    return ConflictSide(conflict_place(conflict), conflict.kind, conflict.field, theirs, mine)

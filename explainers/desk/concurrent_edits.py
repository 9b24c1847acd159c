"""No lost edits: the change form carries the revision it was loaded from; a save
against a newer one is merged (explainers/core/merging.py) before the admin validates it.

The merge result becomes the form data the admin then validates and saves as usual, so
a merged save is an ordinary save. On a conflict the same data (resolved towards what the
editor typed) comes back in the form, with both texts side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from reversion.models import Revision

from explainers.core.documents import lf_line_endings
from explainers.core.merging import Conflict, merge3, merge_without_base
from explainers.domain.builders import revision_rows
from explainers.domain.redaction_guard import places_holding
from explainers.domain.revisions import latest_revision, revisions_of
from explainers.models import Explainer, Question, Redaction, RelatedLink, Source

FIELDS = (
    "headline", "slug", "kicker", "teaser", "intro", "language", "byline", "review_by",
    "image_alt", "image_caption", "image_credit",
)  # fmt: skip
QUESTION_FIELDS = ("question", "anchor", "answer", "extra_cites", "valid_until", "valid_until_note")
SOURCE_FIELDS = ("key", "label", "publisher", "url", "date", "kind")
DATE_FIELDS = {"review_by", "valid_until", "date"}
PREFIXES = {"questions": "questions", "sources": "sources", "related": "related_links"}


@dataclass
class MergeInfo:
    """What the editor is told: who saved in between, when, and what clashed."""

    by: str
    at: Any
    conflicts: list[Conflict] = field(default_factory=list)
    base_missing: bool = False  # the revision the form was loaded from has been pruned


def _text(name: str, value: Any) -> str:
    """A posted or stored value as the merge compares it. Posted values arrive with LF
    line endings (the admin normalises the POST first); stored revisions may be older."""
    if value is None:
        return ""
    value = str(value).strip()
    if name in DATE_FIELDS and value:
        try:  # the admin posts localised dates ("17.08.2025"); revisions store ISO dates
            return forms.DateField().clean(value).isoformat()
        except forms.ValidationError:
            return value
    return value


def _stored(name: str, value: Any) -> str:
    return _text(name, None if value is None else lf_line_endings(str(value)))


def snapshot_from_revision(revision: Revision) -> dict[str, Any]:
    rows = revision_rows(revision)
    explainer = rows[Explainer][0] if rows[Explainer] else {}

    def ordered(model):
        return sorted(rows[model], key=lambda row: (row.get("position", 0), row["id"]))

    return {
        "fields": {name: _stored(name, explainer.get(name)) for name in FIELDS},
        "questions": [
            {"id": row["id"], **{n: _stored(n, row.get(n)) for n in QUESTION_FIELDS}}
            for row in ordered(Question)
        ],
        "sources": [
            {"id": row["id"], **{n: _stored(n, row.get(n)) for n in SOURCE_FIELDS}}
            for row in ordered(Source)
        ],
        "related": [str(row.get("target")) for row in ordered(RelatedLink)],
    }


def _posted_rows(data, prefix: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 1000)
    except (TypeError, ValueError):
        return []
    checkbox = forms.CheckboxInput()
    rows = []
    for index in range(total):
        key = f"{prefix}-{index}-"
        if checkbox.value_from_datadict(data, {}, f"{key}DELETE"):
            continue
        values = {name: _text(name, data.get(key + name)) for name in names}
        row_id = (data.get(f"{key}id") or "").strip()
        if not row_id and not any(values.values()):
            continue  # an empty extra form
        try:
            position = int(data.get(f"{key}position") or 0)
        except ValueError:
            position = 0
        rows.append(
            {
                "id": int(row_id) if _is_number(row_id) else f"new-{index}",
                **values,
                "_order": (position if position > 0 else float("inf"), index),
            }
        )
    rows.sort(key=lambda row: row.pop("_order"))
    return rows


def snapshot_from_post(data) -> dict[str, Any]:
    return {
        "fields": {name: _text(name, data.get(name)) for name in FIELDS},
        "questions": _posted_rows(data, PREFIXES["questions"], QUESTION_FIELDS),
        "sources": _posted_rows(data, PREFIXES["sources"], SOURCE_FIELDS),
        "related": [row["target"] for row in _posted_rows(data, PREFIXES["related"], ("target",))],
    }


def post_from_snapshot(snapshot: dict, original, explainer: Explainer, loaded: int) -> QueryDict:
    """Form data for the admin that saves `snapshot` over the current rows."""
    data = original.copy()
    for key in [k for k in data if k.split("-")[0] in PREFIXES.values()]:
        del data[key]
    for name, value in snapshot["fields"].items():
        data[name] = value
    data["loaded_revision"] = str(loaded)
    stored = {
        "questions": set(Question.objects.filter(explainer=explainer).values_list("pk", flat=True)),
        "sources": set(Source.objects.filter(explainer=explainer).values_list("pk", flat=True)),
    }
    for kind, names in (("questions", QUESTION_FIELDS), ("sources", SOURCE_FIELDS)):
        rows = [
            {"id": row["id"] if row["id"] in stored[kind] else "", **{n: row[n] for n in names}}
            for row in snapshot[kind]
        ]
        _write_formset(data, PREFIXES[kind], rows, stored[kind], explainer.pk)
    links = dict(RelatedLink.objects.filter(explainer=explainer).values_list("target_id", "pk"))
    related = [
        {"id": links.get(int(target), "") if _is_number(target) else "", "target": target}
        for target in snapshot["related"]
    ]
    _write_formset(data, PREFIXES["related"], related, set(links.values()), explainer.pk)
    return data


def _write_formset(data, prefix, rows, stored_ids, explainer_pk) -> None:
    """Existing rows first (a formset matches initial forms by position), then new ones;
    stored rows the snapshot dropped are posted as deleted."""
    kept = {row["id"] for row in rows if row["id"]}
    existing = [(n, row) for n, row in enumerate(rows, start=1) if row["id"]]
    deleted = [(0, {"id": pk, "DELETE": "on"}) for pk in sorted(stored_ids - kept)]
    new = [(n, row) for n, row in enumerate(rows, start=1) if not row["id"]]
    ordered = existing + deleted + new
    data[f"{prefix}-TOTAL_FORMS"] = str(len(ordered))
    data[f"{prefix}-INITIAL_FORMS"] = str(len(existing) + len(deleted))
    data.setdefault(f"{prefix}-MIN_NUM_FORMS", "0")
    data.setdefault(f"{prefix}-MAX_NUM_FORMS", "1000")
    for index, (position, row) in enumerate(ordered):
        for name, value in {**row, "explainer": explainer_pk, "position": position}.items():
            data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)


_UNREAD = object()


def reconcile(
    request, explainer: Explainer, view_only: frozenset = frozenset(), *, latest=_UNREAD
) -> MergeInfo | None:
    """If someone saved since the form was loaded, merge; return what to tell the editor.

    Must run with the explainer row locked, before the admin validates the formsets.
    `view_only` names the parts ("questions", "sources", "related") this user may only
    view: the page posts no values for them, so they are taken as stored.
    A form loaded before the explainer had any revision posts an empty `loaded_revision`;
    like one whose revision was pruned since, it has no known base. `latest`: the
    explainer's latest revision, if the caller has read it under the same lock.
    """
    if "loaded_revision" not in request.POST:
        return None  # not the change page's form
    if latest is _UNREAD:
        latest = latest_revision(explainer)
    if not saved_since_loaded(request.POST, latest):
        return None
    loaded_id = request.POST["loaded_revision"].strip()
    loaded = (
        revisions_of(explainer).filter(pk=int(loaded_id)).first() if _is_number(loaded_id) else None
    )
    theirs, mine = snapshot_from_revision(latest), snapshot_from_post(request.POST)
    for part in view_only:
        mine[part] = theirs[part]
    if loaded is None:
        result = merge_without_base(theirs, mine)
    else:
        result = merge3(snapshot_from_revision(loaded), theirs, mine)
    request.POST = post_from_snapshot(result.merged, request.POST, explainer, latest.pk)
    user = latest.user.get_username() if latest.user else "System"
    return MergeInfo(
        by=user, at=latest.date_created, conflicts=result.conflicts, base_missing=loaded is None
    )


def saved_since_loaded(data, latest: Revision | None) -> bool:
    """Someone saved since the change form posting `data` was loaded: the explainer has a
    revision, `latest`, and it is not the one the form was loaded from. Only then does
    `reconcile` merge, and need anything else."""
    if "loaded_revision" not in data:
        return False  # not the change page's form
    return latest is not None and data["loaded_revision"].strip() != str(latest.pk)


def _is_number(value) -> bool:
    """Digits int() takes: "²" or "١" are digits to str.isdigit(), not to int()."""
    text = str(value)
    return text.isascii() and text.isdigit()


def redacted_places_in_form(explainer, data) -> list[str]:
    """Where a posted change form (after any merge) shows a passage redacted from this
    explainer: a form opened before the redaction still holds it."""
    prints = list(
        Redaction.objects.filter(explainer=explainer).values_list("fingerprint", flat=True)
    )
    if not any(prints):
        return []
    posted = snapshot_from_post(data)
    fields = posted["fields"]
    document = {
        **{name: fields.get(name, "") for name in ("headline", "slug", "kicker", "teaser")},
        "intro": fields.get("intro", ""),
        "image": {
            "alt": fields.get("image_alt", ""),
            "caption": fields.get("image_caption", ""),
            "credit": fields.get("image_credit", ""),
        },
        "questions": posted["questions"],
        "sources": posted["sources"],
    }
    return places_holding(document, prints)

"""Legal takedowns: withdrawing an explainer, and redacting a passage everywhere.

A redaction is the one sanctioned change to publications. It reaches every place the
passage is stored — publications (documents, rendered answers, change summaries, notes),
every stored revision, the working copy, schedules and the search index — so no revert,
restore, export, feed or history view can bring it back. The record keeps who, when and
why, never the passage.
"""

from __future__ import annotations

import json
from typing import Any

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from reversion.models import Version

from . import baking, clock, reader_signal
from .desk_log import desk_action
from .documents import content_hash
from .limits import NOTE_MAX
from .models import (
    Citation,
    CurrentPublication,
    Explainer,
    Question,
    Redaction,
    RelatedLink,
    ScheduledPublication,
    SearchEntry,
    Source,
)
from .publishing import PublishRefused, check_publisher
from .rendering import render_document_answers
from .revisions import record_revision, revisions_of
from .search import index_publication

REDACTED = "[aus rechtlichen Gründen entfernt]"
MIN_PASSAGE_LENGTH = 3


class TakedownRefused(Exception):
    """A withdrawal or redaction that cannot be done; the message is for the desk."""


def withdraw(explainer: Explainer, *, note: str, user=None) -> CurrentPublication:
    """Take the explainer off the reader side: its pages answer 410 with `note`."""
    _check(user)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise TakedownRefused(
            _("Der Hinweis darf höchstens %(n)s Zeichen lang sein.") % {"n": NOTE_MAX}
        )
    if not note:
        raise TakedownRefused(_("Bitte einen Hinweis für Leser angeben."))
    with transaction.atomic():
        current = CurrentPublication.objects.select_for_update().filter(explainer=explainer).first()
        if current is None:
            raise TakedownRefused(_("Nur Veröffentlichtes kann zurückgezogen werden."))
        current.withdrawn_at, current.withdrawn_note, current.withdrawn_by = (
            clock.now(), note, user,
        )  # fmt: skip
        current.save(update_fields=["withdrawn_at", "withdrawn_note", "withdrawn_by"])
        SearchEntry.objects.filter(explainer=explainer).delete()
        reader_signal.announce_change()
        baking.after_commit(explainer)
    desk_action("withdraw", explainer, user)
    return current


def redact(explainer: Explainer, *, passage: str, reason: str, user=None) -> Redaction:
    """Replace `passage` with a visible marker wherever the explainer's text is stored."""
    _check(user)
    passage, reason = passage or "", (reason or "").strip()
    if len(passage.strip()) < MIN_PASSAGE_LENGTH:
        raise TakedownRefused(
            _("Die Stelle muss mindestens %(n)s Zeichen lang sein.") % {"n": MIN_PASSAGE_LENGTH}
        )
    if not reason:
        raise TakedownRefused(_("Bitte die Begründung angeben (ohne die Stelle selbst)."))
    with transaction.atomic():
        locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
        count = _redact_publications(locked, passage)
        count += _redact_revisions(locked, passage)
        count += _redact_schedules(locked, passage)
        count += _redact_working_copy(locked, passage, reason, user)
        if count == 0:
            raise TakedownRefused(_("Diese Stelle kommt im Erklärstück nicht vor."))
        current = CurrentPublication.objects.filter(explainer=locked).first()
        if current is not None and not current.is_withdrawn:
            index_publication(current.publication)
        reader_signal.announce_change()
        baking.after_commit(locked, every_version=True)
        redaction = Redaction.objects.create(
            explainer=locked, redacted_by=user, reason=reason, replacements=count
        )
    desk_action("redact", locked, user, replacements=count)  # never the passage itself
    return redaction


def _check(user) -> None:
    try:
        check_publisher(user)
    except PublishRefused as refusal:
        raise TakedownRefused(str(refusal)) from refusal


def _replace(value: Any, passage: str) -> tuple[Any, int]:
    """`value` (any JSON-like structure) with every occurrence replaced, and the count."""
    if isinstance(value, str):
        return value.replace(passage, REDACTED), value.count(passage)
    if isinstance(value, list):
        pairs = [_replace(item, passage) for item in value]
        return [item for item, _n in pairs], sum(n for _item, n in pairs)
    if isinstance(value, dict):
        pairs = {key: _replace(item, passage) for key, item in value.items()}
        return {key: item for key, (item, _n) in pairs.items()}, sum(n for _i, n in pairs.values())
    return value, 0


def _redact_publications(explainer: Explainer, passage: str) -> int:
    total = 0
    for publication in explainer.publications.select_for_update():
        changed = 0
        for field in (
            "document",
            "change_summary",
            "change_log",
            "note",
            "internal_note",
            "byline",
        ):
            value, n = _replace(getattr(publication, field), passage)
            setattr(publication, field, value)
            changed += n
        if changed:
            publication.rendered_answers = render_document_answers(publication.document)
            publication.content_hash = content_hash(publication.document, publication.byline)
            publication.redaction_generation = F("redaction_generation") + 1
            publication.save()
            total += changed
    return total


def _redact_revisions(explainer: Explainer, passage: str) -> int:
    total = 0
    types = ContentType.objects.get_for_models(Explainer, Question, Source, Citation, RelatedLink)
    versions = Version.objects.filter(
        revision__in=revisions_of(explainer), content_type__in=types.values()
    )
    for version in versions.select_related("revision"):
        data, n = _replace(json.loads(version.serialized_data), passage)
        repr_text, m = _replace(version.object_repr, passage)
        if n or m:
            version.serialized_data = json.dumps(data, ensure_ascii=False)
            version.object_repr = repr_text
            version.save(update_fields=["serialized_data", "object_repr"])
            total += n + m
        comment, k = _replace(version.revision.comment, passage)
        if k:
            version.revision.comment = comment
            version.revision.save(update_fields=["comment"])
            total += k
    return total


def _redact_schedules(explainer: Explainer, passage: str) -> int:
    total = 0
    for planned in ScheduledPublication.objects.filter(explainer=explainer):
        note, n = _replace(planned.note, passage)
        internal, m = _replace(planned.internal_note, passage)
        if n or m:
            planned.note, planned.internal_note = note, internal
            planned.save(update_fields=["note", "internal_note"])
            total += n + m
    return total


_TEXT_FIELDS = {
    Explainer: ("headline", "kicker", "teaser", "intro", "byline", "image_alt", "image_caption",
                "image_credit"),
    Question: ("question", "answer"),
    Source: ("label", "publisher"),
}  # fmt: skip


def _redact_working_copy(explainer: Explainer, passage: str, reason: str, user) -> int:
    total = 0
    with reversion.create_revision():
        for model, fields in _TEXT_FIELDS.items():
            rows = [explainer] if model is Explainer else model.objects.filter(explainer=explainer)
            for row in rows:
                changed = [name for name in fields if passage in getattr(row, name)]
                for name in changed:
                    total += getattr(row, name).count(passage)
                    setattr(row, name, getattr(row, name).replace(passage, REDACTED))
                if changed:
                    row.save(update_fields=changed)
        record_revision(
            explainer,
            user=user,
            comment=_("Rechtliche Schwärzung: %(reason)s") % {"reason": reason},
        )
    explainer.refresh_from_db()
    return total

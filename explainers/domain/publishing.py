"""Publishing: freezing a revision of the working copy into an append-only Publication."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reversion
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from reversion.models import Revision

from explainers.core.diffing import changed_question_keys, diff_documents, summarize
from explainers.core.documents import NOTE_MAX, content_hash
from explainers.core.identifiers import check_document
from explainers.core.rendering import (
    marker_count_problem,
    render_document_answers,
    rendered_size_problem,
)
from explainers.core.typography import CURRENT as CURRENT_TYPESETTING
from explainers.domain import reader_changes, signals
from explainers.domain.builders import (
    document_from_explainer,
    document_from_revision,
    latest_stored_hash,
    stored_explainer,
)
from explainers.domain.hand_off import close_on_publish
from explainers.domain.images import ensure_renditions
from explainers.domain.redaction_guard import check_not_redacted
from explainers.domain.revisions import latest_revision, record_revision
from explainers.domain.search import index_publication
from explainers.domain.signals import desk_action
from explainers.models import (
    CurrentPublication,
    Explainer,
    Publication,
    Translation,
    stored_now,
)

PUBLISH_PERMISSION = "explainers.publish_explainer"
Kind = Publication.Kind
KINDS_NEEDING_NOTE = {Kind.UPDATE, Kind.CORRECTION, Kind.CLARIFICATION}
PUBLISH_ATTEMPTS = 3  # another publication slipping in between twice in a row is rare


class PublishRefused(Exception):
    """A publication that cannot be made; the message is for the editor."""


def check_publisher(user) -> None:
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PublishRefused(
            _("%(user)s darf nicht veröffentlichen (Recht „Kann Erklärstücke veröffentlichen“).")
            % {"user": user.get_username()}
        )


def publish(
    explainer: Explainer,
    *,
    kind: str = Kind.UPDATE,
    note: str = "",
    internal_note: str = "",
    user=None,
    revision: Revision | None = None,
    translated_from: int | None = None,
) -> Publication:
    """Publish the working copy as the next numbered version, in one transaction.

    If the working copy changed since its latest revision, a revision is recorded first,
    so every publication points at the revision it was frozen from; with `revision` given
    (a scheduled publication) that revision is published instead, and `translated_from`
    (a translation's schedule) names the original's publication its text corresponds to,
    else the desk's link says it. Must run outside a
    `reversion.create_revision()` block: reversion only writes a revision when the
    outermost block exits, and the publication needs it now.
    """
    if reversion.is_active():
        raise RuntimeError("publish() must run outside reversion.create_revision()")
    if kind not in Kind.values:
        raise PublishRefused(_("Unbekannte Art der Änderung: %(kind)s") % {"kind": kind})
    check_publisher(user)
    note, internal_note = (note or "").strip(), (internal_note or "").strip()
    if max(len(note), len(internal_note)) > NOTE_MAX:
        raise PublishRefused(
            _("Hinweise dürfen höchstens %(n)s Zeichen lang sein.") % {"n": NOTE_MAX}
        )
    # The costly part (rendering, the diff) is done before the transaction, holding no
    # lock; if a publication slipped in meanwhile, it is done again against that one.
    seen = None
    for _attempt in range(PUBLISH_ATTEMPTS):
        prepared = _prepare(explainer, revision, seen)
        try:
            publication = _publish_prepared(
                explainer,
                prepared,
                kind=kind,
                note=note,
                internal_note=internal_note,
                user=user,
                revision=revision,
                translated_from=translated_from,
            )
        except _Stale as stale:
            seen = stale.document
        else:
            break
    else:
        raise PublishRefused(_concurrent_message())
    desk_action("publish", explainer, user, version=publication.number, kind=publication.kind)
    return publication


@dataclass(frozen=True)
class _Prepared:
    previous: tuple[int, int] | None  # the latest publication diffed against, and its
    # redaction generation: a redaction meanwhile rewrote its document
    document: dict
    rendered_answers: dict[str, str]
    diff: dict | None
    # the working copy's stamp (explainers/domain/revisions.py, stamp) when `document` was
    # read from its rows; None when it came from elsewhere (a revision, the last attempt)
    stamp: tuple[str, Any] | None = None


class _Stale(Exception):
    """Under the lock, what was prepared no longer fits; `document` is the one found there
    (None if only the latest publication changed)."""

    def __init__(self, document: dict | None) -> None:
        super().__init__()
        self.document = document


def _concurrent_message() -> str:
    return _("Gleichzeitig wurde eine andere Fassung veröffentlicht. Bitte erneut versuchen.")


def _prepare(explainer: Explainer, revision: Revision | None, document: dict | None) -> _Prepared:
    """Render and diff the document to publish, outside any transaction of publish()'s own.
    `document`: the one the previous attempt found under the lock, if any."""
    previous = (
        explainer.publications.order_by("-number")
        .only("pk", "explainer", "document", "redaction_generation")
        .first()
    )
    stamp = None
    if document is None and revision is not None:
        document = document_from_revision(revision)
    elif document is None:
        working_copy = Explainer.objects.get(pk=explainer.pk)
        stamp = _stamp_of(working_copy)
        document = document_from_explainer(working_copy)
    if document.get("image"):  # its page lists the sizes: they must be stored
        ensure_renditions(document["image"]["src"])
    problem = marker_count_problem(document)  # before rendering: it is what grows
    if problem:
        raise PublishRefused(problem)
    rendered = render_document_answers(document, typesetting=CURRENT_TYPESETTING)
    problem = rendered_size_problem(rendered)
    if problem:
        raise PublishRefused(problem)
    diff = diff_documents(previous.document, document) if previous is not None else None
    return _Prepared(_version_of(previous), document, rendered, diff, stamp)


def _stamp_of(explainer: Explainer) -> tuple[str, Any]:
    return (explainer.content_hash, explainer.updated_at)


def _version_of(publication: Publication | None) -> tuple[int, int] | None:
    return (publication.pk, publication.redaction_generation) if publication else None


def _publish_prepared(
    explainer: Explainer,
    prepared: _Prepared,
    *,
    kind: str,
    note: str,
    internal_note: str,
    user,
    revision: Revision | None,
    translated_from: int | None = None,
) -> Publication:
    """One attempt at the writes, in one transaction, with what was prepared."""
    with transaction.atomic():
        # with its translation links read in the same query (a subquery locks nothing)
        link = Translation.objects.filter(explainer=OuterRef("pk"))
        either_way = Translation.objects.filter(
            Q(explainer=OuterRef("pk")) | Q(source=OuterRef("pk"))
        )
        locked = (
            Explainer.objects.select_for_update()
            .annotate(
                translated_from=Subquery(link.values("source_publication")[:1]),
                has_language_versions=Exists(either_way),
            )
            .get(pk=explainer.pk)
        )
        # what the next one carries on from it; its texts and rendered article are not
        # needed here and are the bulk of its row
        previous = (
            locked.publications.order_by("-number")
            .defer("document", "rendered_answers", "article_bodies", "change_summary")
            .first()
        )
        if _version_of(previous) != prepared.previous:
            raise _Stale(None)
        if previous is None:
            kind = Kind.FIRST
        elif kind == Kind.FIRST:
            raise PublishRefused(_("Dieses Erklärstück ist bereits veröffentlicht."))
        elif kind in KINDS_NEEDING_NOTE and not note:
            raise PublishRefused(
                _("Für „%(kind)s“ ist ein Hinweis für Leser nötig.") % {"kind": Kind(kind).label}
            )
        if revision is None:
            revision, document, digest = _revision_for(locked, user, prepared)
            byline = locked.byline
        else:
            document = document_from_revision(revision)
            byline = stored_explainer(revision).get("byline", "")
            digest = content_hash(document, byline)
        if document != prepared.document:  # edited meanwhile: prepare this one
            raise _Stale(document)
        check_document(document, refused=PublishRefused)
        check_not_redacted(
            locked, document, refused=PublishRefused, alone=not locked.has_language_versions
        )
        if previous is not None and previous.content_hash == digest:
            raise PublishRefused(
                _("Nichts zu veröffentlichen: der Inhalt gleicht Fassung v%(number)s.")
                % {"number": previous.number}
            )
        if previous is None or previous.slug != document["slug"]:
            # A slug this explainer published stays its own: no other explainer can take
            # it afterwards (public_slug_conflict), and a redaction renames it everywhere.
            _check_public_slug(locked, document["slug"])
        if translated_from is not None:  # a schedule's: its frozen text's link
            locked.translated_from = translated_from
        publication = _freeze(locked, previous, prepared, digest, revision, kind, user)
        publication.byline = byline
        publication.note, publication.internal_note = note, internal_note
        publication.change_log = _change_log(previous, publication)
        try:
            with transaction.atomic():
                publication.save()
        except IntegrityError as error:  # the number is taken: another publish won
            raise PublishRefused(_concurrent_message()) from error
        pointer = {
            "publication": publication,
            "slug": publication.slug,
            "stand_at": publication.stand_at,
            # publishing again puts a withdrawn explainer back online
            "withdrawn_at": None,
            "withdrawn_note": "",
            "withdrawn_by": None,
            "changed_at": reader_changes.next_moment(),
        }
        # under the explainer's lock: nobody else moves its pointer meanwhile
        if not CurrentPublication.objects.filter(explainer=locked).update(**pointer):
            CurrentPublication.objects.create(explainer=locked, **pointer)
        index_publication(publication)
        close_on_publish(locked)
        signals.send(signals.explainer_published, locked, publication=publication)
    _take_state(explainer, locked)
    return publication


def _take_state(explainer: Explainer, locked: Explainer) -> None:
    """The caller's explainer as it stood under the lock (what refresh_from_db would read
    again): its fields, and no relation cached from before."""
    for field in Explainer._meta.concrete_fields:
        setattr(explainer, field.attname, getattr(locked, field.attname))
    explainer._state.fields_cache = {}
    explainer.__dict__.pop("_prefetched_objects_cache", None)


def public_slug_conflict(explainer_id: int | None, slug: str) -> str | None:
    """Why `slug` cannot become this explainer's public address, or None.

    Readers' URLs must stay unambiguous and old links must keep leading where they led:
    a slug public for another explainer now, or published by it before (its old URL
    redirects there), or taken away by a legal redaction (answers 410) is not free."""
    from explainers.domain.redacted_slugs import redaction_of

    # A public slug was published first, so one query finds both kinds of owner; any one
    # of its publications will do ([:1]: .first() would order them, which costs more).
    earlier = (
        Publication.objects.filter(slug=slug)
        .exclude(explainer_id=explainer_id)
        .values_list("explainer__headline", "explainer__current__slug")[:1]
    )
    for headline, public_slug in earlier:
        if public_slug == slug:
            return _("Der Kurzname „%(slug)s“ ist noch öffentlich vergeben an „%(headline)s“.") % {
                "slug": slug,
                "headline": headline,
            }
        return _(
            "Der Kurzname „%(slug)s“ war schon die Adresse von „%(headline)s“; alte Links "
            "darauf führen dorthin. Bitte einen anderen wählen."
        ) % {"slug": slug, "headline": headline}
    if redaction_of(slug) is not None:
        return _("Dieser Kurzname wurde aus rechtlichen Gründen entfernt und bleibt gesperrt.")
    return None


def _check_public_slug(explainer: Explainer, slug: str) -> None:
    problem = public_slug_conflict(explainer.pk, slug)
    if problem:
        raise PublishRefused(problem)


def _change_log(previous: Publication | None, publication: Publication) -> list[dict]:
    """The public notes up to this publication, newest first (minor fixes carry none)."""
    log = list(previous.change_log) if previous is not None else []
    if publication.note:
        entry = {
            "number": publication.number,
            "kind": publication.kind,
            "note": publication.note,
            "published_at": publication.published_at.isoformat(),
        }
        log.insert(0, entry)
    return log


def _revision_for(
    explainer: Explainer, user, prepared: _Prepared
) -> tuple[Revision | int, dict, str]:
    """The revision to freeze (or its id), its document and content hash: the latest one
    if the working copy still matches it, else a new one recorded now (which also brings
    citations in step). The working copy is the prepared document if nothing was stamped
    since it was read: every write of the desk, import and API stamps the explainer, under
    this lock (explainers/domain/revisions.py, record_revision)."""
    if prepared.stamp is not None and prepared.stamp == _stamp_of(explainer):
        document = prepared.document
    else:
        document = document_from_explainer(explainer)
    digest = content_hash(document, explainer.byline)
    latest = latest_stored_hash(explainer)
    if latest is not None and latest[1] == digest:
        return latest[0], document, digest
    with reversion.create_revision():
        document = record_revision(
            explainer, user=user, comment=_("Vor der Veröffentlichung gespeichert"), locked=True
        )
    # record_revision stamped the explainer with this document's hash
    return latest_revision(explainer), document, explainer.content_hash


def _freeze(explainer, previous, prepared, digest, revision, kind, user) -> Publication:
    document = prepared.document
    number = previous.number + 1 if previous is not None else 1  # the latest, under the lock
    now = stored_now()
    return Publication(
        explainer=explainer,
        number=number,
        **({"revision": revision} if isinstance(revision, Revision) else {"revision_id": revision}),
        document=document,
        content_hash=digest,
        byline=explainer.byline,
        published_at=now,
        stand_at=previous.stand_at if kind == Kind.MINOR and previous else now,
        first_published_at=previous.first_published_at if previous else now,
        slug=document["slug"],
        published_by=user,
        kind=kind,
        rendered_answers=prepared.rendered_answers,
        typesetting=CURRENT_TYPESETTING,  # what the answers were rendered with in _prepare
        # a translation's: the original's publication the desk says it corresponds to
        source_publication_id=explainer.translated_from,
        **_changes(previous, document, number, now, kind, prepared.diff),
    )


def _changes(previous, document, number, now, kind, diff) -> dict[str, Any]:
    """The change summary against the previous publication and per-question last changes."""
    stamp_now = {"number": number, "published_at": now.isoformat()}
    if previous is None:
        return {
            "change_summary": None,
            "question_changes": {
                q["key"]: {**stamp_now, "status": "added"} for q in document["questions"]
            },
        }
    changed = changed_question_keys(diff)
    added = {e["key"] for e in diff["questions"] if e["status"] == "added"}
    question_changes = {}
    for question in document["questions"]:
        key = question["key"]
        before = previous.question_changes.get(key)
        # A minor fix is not announced: it does not earn an "Aktualisiert" badge.
        if key in changed and (kind != Kind.MINOR or before is None):
            question_changes[key] = {**stamp_now, "status": "added" if key in added else "changed"}
        else:
            question_changes[key] = before or {**stamp_now, "status": "added"}
    return {"change_summary": summarize(diff), "question_changes": question_changes}

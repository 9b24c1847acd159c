"""Whole-explainer revisions: recording them and reverting to one.

Every write path (admin save, import, revert, publish) ends in `record_revision`, so a
revision always holds the whole explainer as it stood after the write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    F,
    Max,
    PositiveIntegerField,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reversion.models import Revision

from explainers.core.documents import content_hash
from explainers.core.identifiers import check_document
from explainers.domain.builders import (
    cited_keys,
    document_from_explainer,
    keep_rows_read,
    revision_to_write,
    write_document,
)
from explainers.domain.signals import desk_action
from explainers.models import (
    Citation,
    Explainer,
    Question,
    RelatedLink,
    RevisionNumber,
    RevisionRows,
    Source,
    stored_now,
)


class RevertRefused(Exception):
    """A revert that cannot be done; the message is for the editor."""


def sync_citations(explainer: Explainer) -> None:
    """Keep citation rows in step with the answers' markers and the hand-set keys."""
    _sync_citations(
        explainer,
        dict(Source.objects.filter(explainer=explainer).values_list("key", "id")),
        Question.objects.filter(explainer=explainer).values_list("id", "answer", "extra_cites"),
        Citation.objects.filter(explainer=explainer).values_list("pk", "question_id", "source_id"),
    )


def _sync_citations(explainer, source_ids, questions, citations) -> bool:
    """`sync_citations` from rows read: source key → id, (id, answer, extra_cites) of each
    question, (pk, question id, source id) of each citation. True if it wrote any."""
    wanted = set()
    for question_id, answer, extra in questions:
        for key in cited_keys(answer, extra):
            if key in source_ids:
                wanted.add((question_id, source_ids[key]))
    existing = {(question_id, source_id): pk for pk, question_id, source_id in citations}
    stale = [pk for pair, pk in existing.items() if pair not in wanted]
    if stale:
        Citation.objects.filter(pk__in=stale).delete()
    new = [
        Citation(explainer=explainer, question_id=q, source_id=s)
        for q, s in sorted(wanted - existing.keys())
    ]
    Citation.objects.bulk_create(new)
    return bool(stale or new)


def renumber(explainer: Explainer) -> None:
    """Positions become 1..n in their current order (two updates, so no swap collides)."""
    for model in (Question, Source, RelatedLink):
        rows = model.objects.filter(explainer=explainer)
        _renumber(rows, list(rows.order_by("position", "pk").values_list("pk", "position")))


def _numbered(ordered: list[tuple[int, int]]) -> bool:
    """Rows read in order as (pk, position) are at positions 1..n already."""
    return [position for _pk, position in ordered] == list(range(1, len(ordered) + 1))


def _renumber(rows: QuerySet, ordered: list[tuple[int, int]]) -> bool:
    """`renumber` of one kind of rows, read in order as (pk, position). True if it wrote."""
    if _numbered(ordered):
        return False
    rows.update(position=F("pk") + 1_000_000)
    rows.update(
        position=Case(
            *(When(pk=pk, then=Value(n)) for n, (pk, _p) in enumerate(ordered, start=1)),
            output_field=PositiveIntegerField(),
        )
    )
    return True


def tidy_read_rows(explainer: Explainer) -> None:
    """`tidy_children` inside `rows_read_once`, on the rows read there, which it keeps in
    step with what it writes: positions in place, citations read again if any changed."""
    for name, model in (
        ("questions", Question),
        ("sources", Source),
        ("related_links", RelatedLink),
    ):
        rows = list(getattr(explainer, name).all())  # ordered by position, pk
        ordered = [(r.pk, r.position) for r in rows]
        if not _numbered(ordered):  # the rows to write are only looked up to write
            _renumber(model.objects.filter(explainer=explainer), ordered)
            for position, row in enumerate(rows, start=1):
                row.position = position
    changed = _sync_citations(
        explainer,
        {source.key: source.pk for source in explainer.sources.all()},
        [(q.pk, q.answer, q.extra_cites) for q in explainer.questions.all()],
        [(c.pk, c.question_id, c.source_id) for c in explainer.citations.all()],
    )
    if changed:
        explainer._prefetched_objects_cache.pop("citations", None)
        prefetch_related_objects([explainer], "citations")


def stamp(explainer: Explainer, document: dict | None = None) -> dict:
    """Recompute the content hash and `updated_at`; returns the working copy's document
    (`document`: the one just written, so it need not be built again)."""
    if document is None:
        document = document_from_explainer(explainer)
    explainer.content_hash = content_hash(document, explainer.byline)
    explainer.updated_at = stored_now()
    Explainer.objects.filter(pk=explainer.pk).update(
        content_hash=explainer.content_hash, updated_at=explainer.updated_at
    )
    return document


def restamp_referrers(explainer: Explainer) -> None:
    """Explainers that recommend this one list its slug in their documents: keep their
    content hash true when the slug changes, so "unveröffentlichte Änderungen" is too, and
    move their `updated_at` with it: their document changed (publish() relies on the stamp)."""
    referrers = Explainer.objects.filter(
        pk__in=RelatedLink.objects.filter(target=explainer).values("explainer")
    )
    for referrer in referrers:
        document = document_from_explainer(referrer)
        digest = content_hash(document, referrer.byline)
        if digest != referrer.content_hash:
            Explainer.objects.filter(pk=referrer.pk).update(
                content_hash=digest, updated_at=stored_now()
            )


def tidy_children(explainer: Explainer) -> None:
    """After rows were written: positions 1..n, citations in step with the answers."""
    renumber(explainer)
    sync_citations(explainer)


def record_revision(
    explainer: Explainer,
    *,
    user=None,
    comment: str | None = None,
    tidied: bool = False,
    document: dict | None = None,
    locked: bool = False,
    rows_read: bool = False,
    latest_number: int | None = None,
    slug_before: str | None = None,
) -> dict:
    """Finish a write: citations, hash, and the whole explainer into the open revision.
    It adds every row itself, so the block may be `create_revision(manage_manually=True)`
    and saves on the way need not serialise the explainer and follow its children.
    `tidied`: the caller has just run `tidy_children` and written nothing since;
    `document`: the working copy's document, which the caller has just written
    (`write_document`) or built after `tidy_children`, with nothing written since;
    `locked`: the caller holds the explainer's row lock (select_for_update) in this
    transaction already; `rows_read`: the caller runs this inside `rows_read_once`;
    `latest_number`: the number of the latest revision, read under that lock;
    `slug_before`: the slug the latest revision holds (recommending explainers list the
    slug, so their hashes need a look only when it moved)."""
    if not reversion.is_active():
        raise RuntimeError("record_revision must run inside reversion.create_revision()")
    if document is None and not tidied:
        tidy_children(explainer)
    document = stamp(explainer, document)
    _add_to_revision(explainer, rows_read=rows_read)
    if slug_before != explainer.slug:  # None (not known) never equals a slug
        restamp_referrers(explainer)
    if latest_number is not None and locked:
        number = latest_number + 1
    else:
        number = next_revision_number(explainer, locked=locked)
    reversion.add_meta(RevisionNumber, explainer=explainer, number=number)
    if user is not None and user.is_authenticated:
        reversion.set_user(user)
    if comment is not None:
        reversion.set_comment(comment)
    return document


_FOLLOWED = ("questions", "sources", "citations", "related_links")


@contextmanager
def rows_read_once(explainer: Explainer) -> Iterator[None]:
    """Inside the block the explainer's child rows are read once, into its prefetch
    cache: whatever reads them through its related managers (the admin's revision comment,
    `record_revision(rows_read=True)` and reversion following the explainer) reads them
    from there. Nothing may write them inside the block; afterwards they are read afresh."""
    cache = explainer.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in _FOLLOWED:
        cache.pop(name, None)
    for name in _FOLLOWED:  # as prefetch_related_objects keeps them, without its matching
        rows = getattr(explainer, name).all()
        if name == "related_links":
            rows = rows.select_related("target")
        list(rows)  # read now, kept in the queryset
        cache[name] = rows
    try:
        yield
    finally:
        for name in _FOLLOWED:
            cache.pop(name, None)


def _add_to_revision(explainer: Explainer, *, rows_read: bool = False) -> None:
    """The explainer into the open revision, and its child rows beside it in their final
    state (`RevisionRows`), read through its related managers: inside `rows_read_once`
    from there, else once per kind of child here."""
    if rows_read:
        _add_rows_and_explainer(explainer)
        return
    cache = explainer.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in _FOLLOWED:
        cache.pop(name, None)
    prefetch_related_objects([explainer], *_FOLLOWED)
    try:
        _add_rows_and_explainer(explainer)
    finally:
        for name in _FOLLOWED:  # later reads of the explainer see the rows afresh
            cache.pop(name, None)


def _add_rows_and_explainer(explainer: Explainer) -> None:
    children = chain.from_iterable(getattr(explainer, name).all() for name in _FOLLOWED)
    rows = serializers.serialize("python", children)
    reversion.add_meta(RevisionRows, explainer=explainer, rows=rows)
    reversion.add_to_revision(explainer)


def next_revision_number(explainer: Explainer, *, locked: bool = False) -> int:
    """The explainer's next revision number, taken under its row lock so that two saves
    never take the same one. Pruning keeps the latest revision, so numbers never repeat.
    `locked`: the caller holds that lock already."""
    if not locked:
        Explainer.objects.select_for_update().filter(pk=explainer.pk).values_list("pk").first()
    taken = RevisionNumber.objects.filter(explainer=explainer).aggregate(last=Max("number"))
    return (taken["last"] or 0) + 1


def revisions_of(explainer: Explainer) -> QuerySet[Revision]:
    """The explainer's revisions, newest first; `number` is the one people see."""
    return (
        Revision.objects.filter(
            version__content_type=ContentType.objects.get_for_model(Explainer),
            version__object_id=str(explainer.pk),
        )
        .annotate(number=F("explainer_number__number"))
        .order_by("-pk")
    )


def revision_label(revision: Revision) -> str:
    """How a revision is named to people: its number within the explainer."""
    number = getattr(revision, "number", None)
    if number is None:
        number = (
            RevisionNumber.objects.filter(revision=revision)
            .values_list("number", flat=True)
            .first()
        )
    return str(number) if number is not None else f"({revision.pk})"


def latest_revision(explainer: Explainer) -> Revision | None:
    return revisions_of(explainer).first()


def latest_revision_with_rows(explainer: Explainer) -> Revision | None:
    """`latest_revision`, read in the same query with what `revision_rows` reads of it
    (the explainer's version, which `revisions_of` joins, and the RevisionRows beside
    it): the admin's save reads it under the row lock and describes its changes against
    those rows."""
    latest = (
        revisions_of(explainer)
        .annotate(
            version_format=F("version__format"),
            serialized_data=F("version__serialized_data"),
            kept_together=F("explainer_rows__rows"),
        )
        .first()
    )
    if latest is not None:
        keep_rows_read(latest, latest.version_format, latest.serialized_data, latest.kept_together)
    return latest


def revert_to_revision(explainer: Explainer, revision: Revision, *, user=None) -> Explainer:
    """Restore the whole explainer as it was in `revision`, as a new revision: the
    revision's document written back as the import writes one, with what its rows held
    beyond the document (ids, byline, validity, hand-set citations)."""
    explainer_type = ContentType.objects.get_for_model(Explainer)
    if not revision.version_set.filter(
        content_type=explainer_type, object_id=str(explainer.pk)
    ).exists():
        raise RevertRefused(_("Diese Revision gehört nicht zu diesem Erklärstück."))
    document, related, kept = revision_to_write(revision)
    try:
        with transaction.atomic(), reversion.create_revision(manage_manually=True):
            locked = Explainer.objects.select_for_update().get(pk=explainer.pk)
            written = write_document(locked, document, related, kept=kept)
            check_document(written, refused=RevertRefused)
            when = date_format(timezone.localtime(revision.date_created), "DATETIME_FORMAT")
            record_revision(
                locked,
                user=user,
                comment=_("Zurückgesetzt auf Revision %(id)s vom %(date)s")
                % {"id": revision_label(revision), "date": when},
                document=written,
                locked=True,
            )
    except IntegrityError as error:
        raise RevertRefused(
            _("Zurücksetzen nicht möglich: %(error)s (z. B. ist der Kurzname vergeben).")
            % {"error": error}
        ) from error
    desk_action("revert", locked, user, revision=revision.pk)
    return locked

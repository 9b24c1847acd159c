"""What a revision stores, for tests that look at it or fake old data in it: the
explainer's row in its reversion version, the child rows together in its RevisionRows,
or, in a revision recorded before RevisionRows, a version per child."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from reversion.models import Revision, Version

from explainers.models import RevisionRows


def stored_rows_of(revision: Revision) -> list[dict]:
    """Every row the revision stores, as reversion serialises one (model, pk, fields)."""
    rows = []
    for version in Version.objects.filter(revision=revision):
        rows += json.loads(version.serialized_data)
    for entry in RevisionRows.objects.filter(revision=revision):
        rows += entry.rows
    return rows


def rewrite_stored_rows(revision: Revision, change: Callable[[dict], None]) -> None:
    """Call `change` on every stored row of the revision (it edits the row in place), and
    store what it made of them, as an old release or a bad repair might have left them."""
    for version in Version.objects.filter(revision=revision):
        rows = json.loads(version.serialized_data)
        for row in rows:
            change(row)
        Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(rows))
    for entry in RevisionRows.objects.filter(revision=revision):
        for row in entry.rows:
            change(row)
        entry.save(update_fields=["rows"])


def stored_texts(revisions: Iterable[Revision] | None = None) -> str:
    """Everything the revisions store (all revisions if None), as one lower-case text."""
    versions = Version.objects.all()
    entries = RevisionRows.objects.all()
    if revisions is not None:
        versions = versions.filter(revision__in=revisions)
        entries = entries.filter(revision__in=revisions)
    texts = [[v.serialized_data, v.object_repr] for v in versions]
    texts += [entry.rows for entry in entries]
    return json.dumps(texts, ensure_ascii=False).lower()


def as_recorded_before_revision_rows(revision: Revision) -> None:
    """Store the revision as releases before RevisionRows did: each child row in a version
    of its own (as migration 0023 does on the way back), no RevisionRows."""
    for entry in RevisionRows.objects.filter(revision=revision):
        for row in entry.rows:
            app_label, model = row["model"].split(".")
            Version.objects.create(
                revision=revision,
                object_id=str(row["pk"]),
                content_type=ContentType.objects.get_by_natural_key(app_label, model),
                db="default",
                format="json",
                serialized_data=json.dumps([row]),
                object_repr=str(row["pk"]),
            )
        entry.delete()

"""Autosave: what one user typed in an explainer's change form and has not saved.

The change page posts its form here every few seconds of inactivity (and keeps a copy in
the browser for when the session has timed out). A draft is no revision: it is one row per
user and explainer, replaced by each autosave and removed by the user's next save of the
change form, by "verwerfen", or once it is older than `settings.NEWSROOM_DRAFT_DAYS`.
Restoring one binds the change form to its fields, including the revision the form was
opened on, so the save merges against that revision like any stale form
(explainers/desk/concurrent_edits.py) and never conflicts with the editor's own earlier save.

Readers, the history, exports and feeds never see a draft. The revisions drafts are based
on survive `prune_revisions` (explainers/domain/retention.py); a redaction reaches them too
(explainers/domain/redactor.py).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from reversion.models import Revision

from explainers.core.translation import gettext as _
from explainers.domain.redaction_guard import any_holds_redacted
from explainers.domain.revisions import revisions_of
from explainers.models import Draft, Explainer, stored_now

# Not worth keeping: the CSRF token is the session's, and a file input cannot be stored.
_LEFT_OUT = frozenset({"csrfmiddlewaretoken", "image", "image-clear"})
# The hidden field naming the page a form was typed on (one per change page shown).
PAGE_FIELD = "autosave_page"


class DraftRefused(Exception):
    """The posted form cannot be kept as a draft; the message says why, in German."""


class DraftWaiting(Exception):
    """Another page's draft waits to be restored or discarded; it is not replaced."""

    def __init__(self, draft: Draft) -> None:
        super().__init__()
        self.draft = draft


def kept_fields(data: QueryDict) -> list[list[str]]:
    """The posted change form as (name, value) pairs in their order, without what a draft
    does not keep; refused with a NUL character, which no stored text may hold."""
    pairs = [[name, value] for name, values in data.lists() for value in values]
    pairs = [pair for pair in pairs if pair[0] not in _LEFT_OUT]
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise DraftRefused(
            _(
                "Nicht zwischengespeichert: Das Formular enthält ein unzulässiges Zeichen "
                "(ein Nullzeichen, etwa aus einem kopierten PDF)."
            )
        )
    # Django's own limits bound the request (DATA_UPLOAD_MAX_NUMBER_FIELDS and
    # DATA_UPLOAD_MAX_MEMORY_SIZE); the change form itself is saved within them too.
    return pairs


def store(explainer: Explainer, user, data: QueryDict) -> Draft:
    """Keep `data` (the posted change form) as `user`'s draft of `explainer`. A draft kept
    from another page (another tab, or a page that crashed) is never replaced: it waits to
    be restored or discarded."""
    fields = kept_fields(data)
    if any_holds_redacted(explainer, [value for _name, value in fields]):
        raise DraftRefused(
            _(
                "Nicht zwischengespeichert: Das Formular enthält eine Stelle, die aus "
                "rechtlichen Gründen geschwärzt wurde. Bitte die Seite neu laden."
            )
        )
    base = _base_revision(explainer, data.get("loaded_revision"))
    page = data.get(PAGE_FIELD, "")
    with transaction.atomic():
        waiting = Draft.objects.select_for_update().filter(explainer=explainer, user=user).first()
        if waiting is not None and (not page or page_of(waiting) != page):
            raise DraftWaiting(waiting)
        draft, _created = Draft.objects.update_or_create(
            explainer=explainer,
            user=user,
            defaults={"fields": fields, "base_revision": base, "saved_at": stored_now()},
        )
    return draft


def offered(explainer: Explainer, user) -> Draft | None:
    """`user`'s draft of `explainer` to offer for restoring, unless it has expired."""
    return Draft.objects.filter(
        explainer=explainer, user=user, saved_at__gte=_oldest_kept()
    ).first()


def page_of(draft: Draft) -> str:
    """The page the draft was typed on (its hidden PAGE_FIELD)."""
    return next((value for name, value in draft.fields if name == PAGE_FIELD), "")


def as_form_data(draft: Draft) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in draft.fields:
        data.appendlist(name, value)
    data._mutable = False
    return data


def discard(explainer: Explainer, user) -> int:
    """Remove `user`'s draft of `explainer` (after a save, or "verwerfen")."""
    return Draft.objects.filter(explainer=explainer, user=user).delete()[0]


def expire() -> int:
    """Remove every draft older than the set age; how many."""
    return Draft.objects.filter(saved_at__lt=_oldest_kept()).delete()[0]


def base_revision_ids() -> set[int]:
    """Revisions a kept draft was opened on: a restored draft merges against them."""
    return set(
        Draft.objects.filter(base_revision__isnull=False).values_list("base_revision_id", flat=True)
    )


def _oldest_kept() -> datetime.datetime:
    return stored_now() - datetime.timedelta(days=settings.NEWSROOM_DRAFT_DAYS)


def _base_revision(explainer: Explainer, posted: str | None) -> Revision | None:
    """The revision the form was opened on, if it is one of this explainer's."""
    try:
        pk = int(posted or "")
    except ValueError:
        return None
    return revisions_of(explainer).filter(pk=pk).first()

"""What readers may see, said once: current publications by public slug, and the
publications of a public explainer. Reader views, feeds, sitemap and search use this;
nothing here reads the working copy.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404
from django.utils.translation import gettext as _

from .models import CurrentPublication, Publication
from .redacted_slugs import redaction_of


class Withdrawn(Exception):
    """The explainer was taken down: its URLs answer 410 with the desk's note."""

    def __init__(self, current: CurrentPublication, *, address_removed: bool = False):
        super().__init__(current.withdrawn_note)
        self.current = current
        # Not the explainer but this address is gone: its name carried a redacted passage.
        self.address_removed = address_removed


class Moved(Exception):
    """An older public slug: the explainer now lives under `slug` (readers get a 301)."""

    def __init__(self, slug: str):
        super().__init__(slug)
        self.slug = slug


def current_by_slug(slug: str) -> CurrentPublication:
    """The current publication under `slug` (one indexed query). An older published slug
    raises `Moved`, a withdrawn explainer (or a slug a redaction took away) `Withdrawn`;
    unknown slugs (and drafts, which have none) are 404."""
    current = CurrentPublication.objects.select_related("publication").filter(slug=slug).first()
    if current is not None:
        if current.is_withdrawn:
            raise Withdrawn(current)
        return current
    moved = (
        CurrentPublication.objects.filter(
            explainer__in=Publication.objects.filter(slug=slug).values("explainer")
        )
        .values_list("slug", flat=True)
        .first()
    )
    if moved is None:
        redaction = redaction_of(slug)
        if redaction is not None:  # the name carried a redacted passage: gone for good
            raise Withdrawn(
                CurrentPublication(
                    withdrawn_at=redaction.redacted_at,
                    withdrawn_note=_("Diese Adresse wurde aus rechtlichen Gründen entfernt."),
                ),
                address_removed=True,
            )
        raise Http404(_("Dieses Erklärstück gibt es nicht."))
    raise Moved(moved)


def current_listing():
    """Current publications for the front page, most recently updated first."""
    return (
        CurrentPublication.objects.select_related("publication")
        .filter(withdrawn_at__isnull=True)
        .order_by("-stand_at", "-pk")
    )


def publications_of(current: CurrentPublication):
    return Publication.objects.filter(explainer_id=current.explainer_id)


def related_current(publication: Publication) -> list[CurrentPublication]:
    """ "Empfehlungen der Redaktion": the related explainers that are public now, in the
    editor's order, with their current headlines (one query)."""
    slugs = publication.document.get("related") or []
    if not slugs:
        return []
    rows = (
        CurrentPublication.objects.filter(
            Q(slug__in=slugs) | Q(explainer__slug__in=slugs), withdrawn_at__isnull=True
        )
        # the headline and language only, not the whole stored publication
        .only("pk", "slug", "publication_id")
        .annotate(
            working_slug=F("explainer__slug"),
            headline=KeyTextTransform("headline", "publication__document"),
            language=KeyTextTransform("language", "publication__document"),
        )
    )
    found: dict[str, CurrentPublication] = {}
    for current in rows:  # matched by public slug, or by the slug it was linked under
        found.setdefault(current.slug, current)
        found.setdefault(current.working_slug, current)
    related, seen = [], set()
    for slug in slugs:
        current = found.get(slug)
        if (
            current is not None
            and current.pk not in seen
            and current.pk != publication.explainer_id
        ):
            seen.add(current.pk)
            related.append(current)
    return related

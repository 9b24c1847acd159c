"""What readers may see, said once: current publications by public slug, and the
publications of a public explainer. Reader views, feeds, sitemap and search use this;
nothing here reads the working copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from explainers.domain.redacted_slugs import redaction_of
from explainers.models import CurrentPublication, Publication


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


def current_by_slug(slug: str, *, language_versions: bool = False) -> CurrentPublication:
    """The current publication under `slug`, its stored article included (one indexed
    query). An older published slug raises `Moved`, a withdrawn explainer (or a slug a
    redaction took away) `Withdrawn`; unknown slugs (and drafts, which have none) are 404.
    `language_versions`: for a page that lists them (see below)."""
    # The slug is unique; a list asks without the ORDER BY and LIMIT that .first() adds,
    # which cost more to build than the query takes to run.
    found = CurrentPublication.objects.select_related("publication")
    if language_versions:
        # `translated`: whether any publication translates this explainer, so that a page
        # without language versions asks nothing more about them (reader/translations.py).
        translations = Publication.objects.filter(source_publication__explainer_id=OuterRef("pk"))
        found = found.annotate(translated=Exists(translations))
    found = list(found.filter(slug=slug))
    if found:
        current = found[0]
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
        .defer("publication__article_bodies")
        .filter(withdrawn_at__isnull=True)
        .order_by("-stand_at", "-pk")
    )


def publications_of(current: CurrentPublication):
    return Publication.objects.filter(explainer_id=current.explainer_id)


@dataclass(frozen=True)
class Recommendation:
    """One entry of "Empfehlungen der Redaktion": a public explainer as it is now."""

    pk: int
    slug: str
    headline: str
    language: str

    def get_absolute_url(self) -> str:
        return reverse("explainers:detail", args=[self.slug])


def related_current(publication: Publication) -> tuple[list[Recommendation], object]:
    """ "Empfehlungen der Redaktion": the related explainers that are public now, in the
    editor's order, with their current headlines; and the latest moment any explainer it
    names changed for readers, withdrawn ones included (one query).

    A recommendation names an explainer by a slug it published (now or before a rename),
    never by its working copy's slug: a draft saved in the admin changes no reader page."""
    slugs = publication.document.get("related") or []
    if not slugs:
        return [], None
    # Asked of the current publications: the query is built on every request, building it
    # costs more than running it, and this form is the cheaper one to build (the explainer
    # itself is left out below rather than by the query).
    rows = CurrentPublication.objects.filter(explainer__publications__slug__in=slugs).values_list(
        "explainer__publications__slug",
        "explainer_id",
        "slug",
        "withdrawn_at",
        "changed_at",
        KeyTextTransform("headline", "publication__document"),
        KeyTextTransform("language", "publication__document"),
    )
    found: dict[str, Recommendation] = {}
    changed_at = None
    for slug, pk, public_slug, withdrawn_at, moment, headline, language in rows:
        if pk == publication.explainer_id:
            continue
        changed_at = max(changed_at or moment, moment)
        if withdrawn_at is None:
            found[slug] = Recommendation(pk, public_slug, headline, language)
    related, seen = [], set()
    for slug in slugs:
        recommendation = found.get(slug)
        if recommendation is not None and recommendation.pk not in seen:
            seen.add(recommendation.pk)
            related.append(recommendation)
    return related, changed_at

"""Linked translations: an explainer that translates another (`Translation`), and when it
has fallen behind its original.

A translation corresponds to one publication of the original. It is outdated once the
original has published an update, a correction or a clarification after that one (the
kinds that tell readers something changed; a minor fix does not). The desk asks this of
the working copy's link, readers of the link their publication was published with.
"""

from __future__ import annotations

from django.db.models import QuerySet

from explainers.domain.publishing import KINDS_NEEDING_NOTE
from explainers.models import Publication

OUTDATING_KINDS = frozenset(KINDS_NEEDING_NOTE)


def newer_source_publications(translated: Publication) -> QuerySet[Publication]:
    """The original's publications after `translated` that make a translation of it
    outdated, oldest first."""
    return Publication.objects.filter(
        explainer_id=translated.explainer_id,
        number__gt=translated.number,
        kind__in=OUTDATING_KINDS,
    ).order_by("number")

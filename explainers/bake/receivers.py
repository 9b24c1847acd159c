"""The bake's part in a change readers may see (explainers/domain/signals.py): with
BAKE_DIR set, what changed is baked anew after the commit. Connected in
ExplainersConfig.ready(); the domain never imports this."""

from __future__ import annotations

from django.dispatch import receiver

from explainers.bake import baking
from explainers.domain.signals import (
    explainer_published,
    explainer_redacted,
    explainer_withdrawn,
    publications_repaired,
)


@receiver([explainer_published, explainer_withdrawn], dispatch_uid="explainers.rebake_explainer")
def rebake_explainer(explainer, **details) -> None:
    baking.after_commit(explainer)


@receiver(
    [explainer_redacted, publications_repaired], dispatch_uid="explainers.rebake_every_version"
)
def rebake_every_version(explainer, removed_slugs=frozenset(), **details) -> None:
    baking.after_commit(explainer, every_version=True, forget_slugs=removed_slugs)

"""Which stored lead images anything still shows or could bring back.

An image counts as referenced while an explainer row, a publication's document or a
stored revision of an explainer (django-reversion, what a revert would restore) names it.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from reversion.models import Version

from explainers.domain.builders import stored_rows
from explainers.models import Explainer, Publication


def referenced_images() -> set[str]:
    names = set(Explainer.objects.exclude(image="").values_list("image", flat=True))
    names.update(
        Publication.objects.filter(document__image__src__isnull=False).values_list(
            "document__image__src", flat=True
        )
    )
    versions = Version.objects.filter(
        content_type=ContentType.objects.get_for_model(Explainer), format="json"
    ).values_list("serialized_data", flat=True)
    for data in versions.iterator():
        names.update(row.get("image") or "" for row in stored_rows(data))
    names.discard("")
    names.discard(None)
    return {str(name) for name in names}

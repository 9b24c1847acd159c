"""What readers and the desk can see, as digests, for comparing two databases:
`python -m tests.snapshot OUT.json` writes JSON (run with DATABASE_URL set to the
database; a file, because request logs go to stdout)."""

from __future__ import annotations

import hashlib
import json
import os
import sys


def snapshot() -> dict:
    from django.test import Client

    from explainers.core.documents import canonical_json
    from explainers.domain.builders import document_from_revision
    from explainers.domain.revisions import revisions_of
    from explainers.models import CurrentPublication, Publication

    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    reader = Client(HTTP_ACCEPT_LANGUAGE="de", HTTP_HOST="127.0.0.1")
    current = {c.explainer_id: c.slug for c in CurrentPublication.objects.all()}
    pages = {}
    for publication in Publication.objects.order_by("explainer_id", "number"):
        slug = current[publication.explainer_id]
        response = reader.get(f"/explainers/{slug}/v{publication.number}/")
        pages[f"{slug} v{publication.number}"] = [response.status_code, digest(response.content)]
    for slug in current.values():
        response = reader.get(f"/explainers/{slug}/")
        pages[slug] = [response.status_code, digest(response.content)]
    documents = {}
    for publication in Publication.objects.select_related("explainer"):
        for revision in revisions_of(publication.explainer):
            document = document_from_revision(revision)
            documents[str(revision.pk)] = digest(canonical_json(document).encode())
    return {"pages": pages, "documents": documents}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(snapshot(), out, sort_keys=True)

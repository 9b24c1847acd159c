"""Publications as the API's plain dicts (shaped by explainers/api/serializers.py). Only what
a publication stores for readers: never its internal note, who published it, or anything
of the working copy."""

from __future__ import annotations

from django.urls import reverse

from explainers.domain import public_urls
from explainers.domain.images import lead_image_storage, renditions
from explainers.models import CurrentPublication, Publication


def absolute(request, name: str, *args) -> str:
    return public_urls.absolute(reverse(name, args=args), request)


def public_notes(publication: Publication, *, after: int = 0) -> list[dict]:
    """The public notes up to this publication, newest first, as stored (typed text)."""
    return [
        {key: entry[key] for key in ("number", "kind", "note", "published_at")}
        for entry in publication.change_log
        if entry["number"] > after
    ]


def document_with_image_url(document: dict, request=None) -> dict:
    """The image with its URL and its renditions' (absolute: the storage's own for object
    storage, else under the public base URL)."""
    image = document.get("image")
    if not image or not image.get("src"):
        return {**document, "image": None}
    storage = lead_image_storage()
    sizes = [
        {**size, "url": public_urls.absolute(size["url"], request)}
        for size in renditions(image, storage)
    ]
    url = public_urls.absolute(storage.url(image["src"]), request)
    return {**document, "image": {**image, "url": url, "renditions": sizes}}


def summary(request, current: CurrentPublication) -> dict:
    publication = current.publication
    document = publication.document
    return {
        "slug": current.slug,
        "headline": document["headline"],
        "kicker": document.get("kicker", ""),
        "teaser": document.get("teaser", ""),
        "language": document.get("language", ""),
        "number": publication.number,
        "questions": len(document.get("questions", [])),
        "stand_at": current.stand_at,
        "first_published_at": publication.first_published_at,
        "updated_at": current.changed_at,
        "url": absolute(request, "explainers:detail", current.slug),
        "api_url": absolute(request, "api:explainer", current.slug),
    }


def publication_facts(request, current: CurrentPublication, publication: Publication) -> dict:
    is_latest = publication.pk == current.publication_id
    reader_url = (
        absolute(request, "explainers:detail", current.slug)
        if is_latest
        else absolute(request, "explainers:version", current.slug, publication.number)
    )
    return {
        "slug": current.slug,
        "number": publication.number,
        "is_latest": is_latest,
        "kind": publication.kind,
        "note": publication.note,
        "published_at": publication.published_at,
        "stand_at": publication.stand_at,
        "first_published_at": publication.first_published_at,
        "byline": publication.byline,
        "url": reader_url,
        "document": document_with_image_url(publication.document, request),
        "answers_html": publication.rendered_answers,
        "change_log": public_notes(publication),
    }


def question(request, current: CurrentPublication, key: str) -> dict | None:
    """One question of the current publication with the sources it cites; None if it has
    no question under `key`."""
    publication = current.publication
    document = publication.document
    for position, entry in enumerate(document["questions"], start=1):
        if entry["key"] == key:
            cited = set(entry.get("cites", []))
            return {
                "slug": current.slug,
                "number": publication.number,
                "position": position,
                "headline": document["headline"],
                "language": document.get("language", ""),
                "question": entry,
                "answer_html": publication.rendered_answers.get(key, ""),
                "sources": [s for s in document["sources"] if s["key"] in cited],
                "url": absolute(request, "explainers:detail", current.slug) + f"#{entry['anchor']}",
            }
    return None


def version_entry(request, current: CurrentPublication, publication: Publication) -> dict:
    number = publication.number
    return {
        "number": number,
        "kind": publication.kind,
        "note": publication.note,
        "published_at": publication.published_at,
        "stand_at": publication.stand_at,
        "byline": publication.byline,
        "url": absolute(request, "explainers:version", current.slug, number),
        "api_url": absolute(request, "api:version", current.slug, number),
        "diff_api_url": (
            absolute(request, "api:diff", current.slug, f"{number - 1}..{number}")
            if number > 1
            else None
        ),
    }

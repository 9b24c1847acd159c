"""schema.org NewsArticle for a publication, as JSON-LD that is safe inside <script>.

`correction`/`CorrectionComment` live outside schema.org's core layer (pending), which
is where search engines look for them. No FAQ markup: FAQ rich results were dropped.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from explainers.core.rendering import to_plain_text
from explainers.models import Publication

# The same escapes as Django's json_script: no "</script>" or "<!--" can close the tag.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def authors(byline: str) -> list[str]:
    """ "Anna Schmidt, Jonas Weber und Lea Roth" → three names."""
    parts = re.split(r",|\s+und\s+|\s+and\s+|\s*&\s*", byline or "")
    return [part.strip() for part in parts if part.strip()]


def news_article(
    publication: Publication,
    *,
    url: str,
    publisher_name: str,
    logo_url: str,
    image_url: str | None,
    corrections: list[dict[str, Any]],
) -> dict[str, Any]:
    document = publication.document
    names = authors(publication.byline)
    publisher = {
        "@type": "NewsMediaOrganization",
        "name": publisher_name,
        "logo": {"@type": "ImageObject", "url": logo_url},
    }
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": document["headline"],
        "description": to_plain_text(document["teaser"]),
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": publication.first_published_at.isoformat(),
        "dateModified": publication.stand_at.isoformat(),
        "inLanguage": document["language"],
        "author": [{"@type": "Person", "name": name} for name in names] or publisher,
        "publisher": publisher,
    }
    image = document.get("image")
    if image and image_url:
        article["image"] = {
            "@type": "ImageObject",
            "url": image_url,
            "caption": image.get("caption") or image.get("alt", ""),
            "creditText": image.get("credit", ""),
        }
    if corrections:
        article["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": entry.get("note_text", entry["note"]),  # as typed, not typeset
                "datePublished": entry["published_at"].isoformat(),
            }
            for entry in corrections
        ]
    return article


def as_script_json(data: dict[str, Any]) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped above  # nosec B308 B703

"""One question of an explainer's current publication as a card other sites may frame
(`/explainers/<slug>/frage/<key>/`), and its oEmbed description (`/oembed/`).

The card shows what the full page shows of that question: its answer as stored with the
publication and typeset as it was, and the sources it cites, numbered as on the page. It
shares the reader pages' rules (explainers/reader/public.py: 410, 301, redaction; views.py:
validators and caching); only its framing policy differs (newsroom/csp.py, `embeddable`).
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from explainers.domain import public_urls
from explainers.models import CurrentPublication
from explainers.reader.presenting import present_publication
from explainers.reader.public import current_by_slug
from explainers.reader.views import public_explainer, reader_response
from newsroom.csp import embeddable

_CITATION_RE = re.compile(r'href="#quelle-(\d+)"')
_TAG_RE = re.compile(r"<[^>]+>")


def find_question(presented: dict, *, key: str | None = None, anchor: str | None = None):
    for question in presented["questions"]:
        if (key is not None and question["key"] == key) or (
            anchor is not None and question["anchor"] == anchor
        ):
            return question
    return None


def cited_sources(presented: dict, question: dict) -> list[dict]:
    """The sources the question cites, in the page's numbering: those its answer links to
    (a marker that names no source stays text) and those it cites without a marker."""
    numbers = {int(n) for n in _CITATION_RE.findall(str(question["answer_html"]))}
    keys = set(question["cites"])
    return sorted(
        (s for s in presented["sources"] if s["number"] in numbers or s["key"] in keys),
        key=lambda source: source["number"],
    )


def card_path(slug: str, key: str) -> str:
    return reverse("explainers:card", args=[slug, key])


def piece_url(current: CurrentPublication, request=None) -> str:
    return public_urls.absolute(reverse("explainers:detail", args=[current.slug]), request)


def _card_language(document: dict) -> str:
    """The explainer's language, where the site speaks it (the card's few words)."""
    language = document.get("language") or settings.LANGUAGE_CODE
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else translation.get_language()


@embeddable
@require_safe
@public_explainer
def card(request, slug, key):
    current = current_by_slug(slug)
    publication = current.publication
    presented = present_publication(publication)
    question = find_question(presented, key=key)
    if question is None:
        raise Http404(_("Diese Frage gibt es in diesem Erklärstück nicht."))
    piece = piece_url(current, request)
    card_url = public_urls.absolute(card_path(current.slug, key), request)
    context = {
        "document": presented,
        "publication": publication,
        "question": question,
        "sources": cited_sources(presented, question),
        "piece_url": piece,
        "question_url": f"{piece}#{question['anchor']}",
        "oembed_url": oembed_url(card_url, request),
    }
    with translation.override(_card_language(publication.document)):
        response = render(request, "explainers/embed_card.html", context)
    return reader_response(response, last_modified=current.changed_at)


def oembed_url(url: str, request=None) -> str:
    query = urlencode({"url": url, "format": "json"})
    return f"{public_urls.absolute(reverse('explainers:oembed'), request)}?{query}"


# oEmbed 1.0 (https://oembed.com/), "rich" type: an iframe of the card.

DEFAULT_WIDTH = 600
MIN_WIDTH = 300
MAX_HEIGHT = 2000


def card_size(question: dict, sources: list[dict], maxwidth=None, maxheight=None):
    """Width and height for the iframe: the card is fluid, so the width is the consumer's
    (within 300–600 px) and the height an estimate from the length of the text at that
    width (the card scrolls if it is longer)."""
    width = DEFAULT_WIDTH if maxwidth is None else max(MIN_WIDTH, min(DEFAULT_WIDTH, maxwidth))
    per_line = max(20, (width - 40) // 8)  # characters of body text on one line
    text = _TAG_RE.sub("", str(question["answer_html"]))
    lines = math.ceil(len(text) / per_line) + math.ceil(len(question["question"]) / per_line)
    source_lines = sum(
        math.ceil((len(s["label"]) + len(s["publisher"]) + 12) / per_line) for s in sources
    )
    height = 170 + 25 * lines + (50 + 22 * source_lines if sources else 0)
    limit = MAX_HEIGHT if maxheight is None else max(100, min(MAX_HEIGHT, maxheight))
    return width, min(height, limit)

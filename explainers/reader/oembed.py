"""oEmbed 1.0 (https://oembed.com/) for question cards: `/oembed/?url=…&format=json`.

`url` is a card (`/explainers/<slug>/frage/<key>/`) or the full page with a question's
anchor (`/explainers/<slug>/#<anchor>`) on this site. The answer is a "rich" embed: an
iframe of the card (explainers/reader/embed.py). Anything that is not a public question
of a current publication answers 404, another format than JSON 501.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from explainers.domain import public_urls
from explainers.reader.embed import card_path, card_size, cited_sources, find_question
from explainers.reader.presenting import present_publication
from explainers.reader.public import Moved, Withdrawn, current_by_slug
from explainers.reader.views import reader_response


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _positive(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 6 else None


def _target(url: str, request) -> tuple[str, str | None, str | None] | None:
    """(slug, key, anchor) named by a URL of this site, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    if parts.netloc.lower() != public_urls.split(public_urls.base_url(request))[1].lower():
        return None
    prefix = get_script_prefix()
    if not parts.path.startswith(prefix):
        return None
    try:
        match = resolve("/" + parts.path.removeprefix(prefix))
    except Resolver404:
        return None
    if match.view_name == "explainers:card":
        return match.kwargs["slug"], match.kwargs["key"], None
    if match.view_name == "explainers:detail" and parts.fragment:
        return match.kwargs["slug"], None, parts.fragment
    return None


@require_safe
def oembed(request):
    response_format = request.GET.get("format", "json")
    if response_format != "json":
        return _error(501, _("Nur das Format json wird angeboten."))
    url = request.GET.get("url", "")
    target = _target(url, request) if url and "\x00" not in url else None
    if target is None:
        return _error(404, _("Diese Adresse ist keine öffentliche Frage eines Erklärstücks."))
    slug, key, anchor = target
    try:
        try:
            current = current_by_slug(slug)
        except Moved as moved:
            current = current_by_slug(moved.slug)
    except (Http404, Moved, Withdrawn):
        return _error(404, _("Diese Adresse ist keine öffentliche Frage eines Erklärstücks."))
    presented = present_publication(current.publication)
    question = find_question(presented, key=key, anchor=anchor)
    if question is None:
        return _error(404, _("Diese Adresse ist keine öffentliche Frage eines Erklärstücks."))
    width, height = card_size(
        question,
        cited_sources(presented, question),
        _positive(request.GET.get("maxwidth")),
        _positive(request.GET.get("maxheight")),
    )
    card_url = public_urls.absolute(card_path(current.slug, question["key"]), request)
    site_name = _(settings.PUBLISHER_NAME)
    html = format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy"></iframe>',
        card_url,
        width,
        height,
        question["question_text"],
    )
    data = {
        "version": "1.0",
        "type": "rich",
        "title": question["question_text"],
        "author_name": current.publication.byline or site_name,
        "provider_name": site_name,
        "provider_url": public_urls.base_url(request) + "/",
        "cache_age": settings.READER_CACHE_SECONDS,
        "html": str(html),
        "width": width,
        "height": height,
    }
    response: HttpResponse = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return reader_response(response, last_modified=current.changed_at)

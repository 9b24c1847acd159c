"""Reader pages. They read publications only (explainers/reader/public.py), never the working
copy; the one exception is the staff preview, which says so on the page."""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from explainers.domain import public_urls
from explainers.domain.builders import document_from_explainer
from explainers.domain.images import lead_image_storage, rendition_widths, smallest_name
from explainers.domain.reader_changes import latest, site_changed_at
from explainers.models import Explainer, Publication
from explainers.reader.article_bodies import article_html
from explainers.reader.presenting import (
    change_log,
    present_diff,
    present_document,
)
from explainers.reader.public import (
    Moved,
    Withdrawn,
    current_by_slug,
    current_listing,
    publications_of,
    related_current,
)
from explainers.reader.since_last_visit import page_data as since_last_visit
from explainers.reader.structured_data import as_script_json, news_article
from explainers.reader.translations import LanguageVersions, language_versions

INDEX_PAGE_SIZE = 20
_SPAN_RE = re.compile(r"(\d{1,6})\.\.(\d{1,6})", re.ASCII)  # "1..3", not "١..٣"


def bad_request(request, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def gone(request, withdrawn: Withdrawn) -> HttpResponse:
    response = render(
        request,
        "410.html",
        {"current": withdrawn.current, "address_removed": withdrawn.address_removed},
        status=410,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def answer_moved_or_gone(request, error: Moved | Withdrawn, kwargs) -> HttpResponse:
    """An older slug answers 301 to the same page under the current slug; a withdrawn
    explainer answers 410 with the desk's note."""
    if isinstance(error, Withdrawn):
        return gone(request, error)
    target = {**kwargs, "slug": error.slug}
    return redirect(request.resolver_match.view_name, permanent=True, **target)


def public_explainer(view):
    """For every reader URL of one explainer: moved slugs and withdrawals, said once."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (Moved, Withdrawn) as error:
            return answer_moved_or_gone(request, error, kwargs)

    return wrapper


def reader_response(response: HttpResponse, *, last_modified=None):
    """Headers for a CDN in front: short public caching and Last-Modified (the latest
    change readers may see among what the page shows: reader_changes.py). The ETag is
    a digest of the bytes (set where the page is held, or by ConditionalGetMiddleware),
    so it moves whenever they do; the middleware answers a repeated request with 304."""
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(
        response,
        public=True,
        max_age=settings.READER_CACHE_SECONDS,
        stale_while_revalidate=settings.READER_CACHE_SECONDS * 10,
        stale_if_error=settings.READER_STALE_IF_ERROR_SECONDS,
    )
    return response


def thumbnail(document: dict) -> dict | None:
    """The lead image's smallest stored size for the front page, with its width and height
    (the browser keeps room for it before it loads); None without an image. A document
    published before sizes were recorded names the original, without sizes."""
    image = document.get("image") or {}
    if not image.get("src"):
        return None
    storage = lead_image_storage()
    width, height = image.get("width"), image.get("height")
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        return {"url": storage.url(image["src"]), "width": None, "height": None}
    shown = (rendition_widths(width) or [width])[0]
    return {
        "url": storage.url(smallest_name(image["src"], width)),
        "width": shown,
        "height": max(1, round(height * shown / width)),
    }


@require_safe
def index(request):
    page = Paginator(current_listing(), INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    path = reverse("explainers:index") + (f"?page={page.number}" if page.number > 1 else "")
    teasers = [(current, thumbnail(current.publication.document)) for current in page]
    context = {
        "page": page,
        "teasers": teasers,
        "canonical_url": public_urls.absolute(path, request),
    }
    response = render(request, "explainers/index.html", context)
    return reader_response(response, last_modified=site_changed_at())


@require_safe
@public_explainer
def detail(request, slug):
    current = current_by_slug(slug, language_versions=True)
    return publication_page(request, current, current.publication)


@require_safe
@public_explainer
def version(request, slug, number):
    canonical = reverse("explainers:version", args=[slug, number])
    if request.path != canonical:  # "/v002/" is "/v2/": one address per page
        return redirect(canonical, permanent=True)
    current = current_by_slug(slug, language_versions=True)
    if number == current.publication.number:
        publication = current.publication
    else:
        publication = get_object_or_404(publications_of(current), number=number)
    return publication_page(request, current, publication)


def publication_page(request, current, publication: Publication) -> HttpResponse:
    is_latest = publication.pk == current.publication_id
    related, related_changed_at = related_current(publication)
    canonical = public_urls.absolute(reverse("explainers:detail", args=[current.slug]), request)
    # the other language versions show on the current page only (older ones are noindex)
    languages = language_versions(current, request) if is_latest else LanguageVersions()
    context = {
        "current": current,
        "publication": publication,
        "is_latest": is_latest,
        "canonical_url": canonical if is_latest else None,
        "noindex": not is_latest,
        "related": related,
        "article_html": article_html(publication, current.slug),
        "head": _head(request, publication, canonical),
        "since_last_visit": since_last_visit(current, publication),
        "language_versions": languages,
    }
    response = render(request, "explainers/explainer.html", context)
    return reader_response(
        response, last_modified=latest(current.changed_at, related_changed_at, languages.changed_at)
    )


def _head(request, publication: Publication, canonical: str) -> dict:
    """What `_head.html` shows: the description, social cards and JSON-LD."""
    document = publication.document
    image = document.get("image")
    image_url = (
        public_urls.absolute(lead_image_storage().url(image["src"]), request) if image else None
    )
    corrections = [entry for entry in change_log(publication) if entry["is_correction"]]
    article = news_article(
        publication,
        url=canonical,
        publisher_name=settings.PUBLISHER_NAME,
        logo_url=public_urls.absolute(static(settings.PUBLISHER_LOGO), request),
        image_url=image_url,
        corrections=corrections,
    )
    return {
        "document": document,
        "description": article["description"],
        "canonical_url": canonical,
        "image_url": image_url,
        "json_ld": as_script_json(article),
        "publication": publication,
    }


@require_safe
@public_explainer
def versions(request, slug):
    current = current_by_slug(slug)
    publications = list(publications_of(current).listing().order_by("-number"))
    for publication in publications:
        publication.previous_diff_url = (
            reverse(
                "explainers:diff",
                args=[current.slug, f"{publication.number - 1}..{publication.number}"],
            )
            if publication.number > 1
            else None
        )
    response = render(
        request,
        "explainers/versions.html",
        {
            "current": current,
            "document": current.publication.document,
            "publications": publications,
            "canonical_url": public_urls.absolute(
                reverse("explainers:versions", args=[current.slug]), request
            ),
        },
    )
    return reader_response(response, last_modified=current.changed_at)


@require_safe
@public_explainer
def diff(request, slug, span):
    match = _SPAN_RE.fullmatch(span)
    if match is None:
        return bad_request(request, _("Bitte zwei Fassungen angeben, z. B. 1..3."))
    older, newer = int(match.group(1)), int(match.group(2))
    if span != f"{older}..{newer}":  # "01..02" is "1..2": one address per page
        return redirect("explainers:diff", slug, f"{older}..{newer}", permanent=True)
    if older >= newer:
        return bad_request(
            request, _("Die erste Fassung muss älter sein als die zweite, z. B. 1..3.")
        )
    current = current_by_slug(slug)
    found = {
        p.number: p
        for p in publications_of(current).defer("article_bodies").filter(number__in=[older, newer])
    }
    if len(found) != 2:
        raise Http404(_("Diese Fassung gibt es nicht."))
    a, b = found[older], found[newer]
    changes = present_diff(a.document, b.document, typesettings=(a.typesetting, b.typesetting))
    notes = [entry for entry in change_log(b) if older < entry["number"] <= newer]
    response = render(
        request,
        "explainers/diff.html",
        {
            "current": current,
            "older": a,
            "newer": b,
            "diff": changes,
            "notes": notes,
        },  # fmt: skip
    )
    return reader_response(response, last_modified=current.changed_at)


@never_cache
def preview(request, slug):
    """The working copy rendered as readers would see it: staff with the change
    permission only; everyone else gets the same 404 as for an unknown page."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("explainers.change_explainer")):
        raise Http404(_("Dieses Erklärstück gibt es nicht."))
    explainer = get_object_or_404(Explainer, slug=slug)
    document = document_from_explainer(explainer)
    context = {
        "explainer": explainer,
        "document": present_document(document),
        "byline": explainer.byline,
        "noindex": True,
        "preview": True,
    }
    response = render(request, "explainers/preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def robots_txt(request):
    sitemap_url = public_urls.absolute(reverse("sitemap"), request)
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /suche/",
        "Disallow: /explainers/*/preview/",
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

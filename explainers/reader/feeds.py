"""Atom feeds of publications: all explainers, and one explainer. Minor fixes are left
out: they change no fact, so they are not news to a feed reader.

Links use the public base URL (explainers/domain/public_urls.py), never the Sites row; ids are
`tag:` URIs under FEED_TAG_AUTHORITY, so they survive a move to another address."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from explainers.domain import public_urls
from explainers.domain.reader_changes import site_changed_at
from explainers.models import Publication
from explainers.reader.feed_images import MediaRSSAtomFeed, image_sizes
from explainers.reader.public import Moved, Withdrawn, current_by_slug
from explainers.reader.views import answer_moved_or_gone, reader_response

FEED_SIZE = 50
# XML 1.0 cannot carry C0 control characters other than tab, LF and CR, nor U+FFFE/U+FFFF
# (Django's feed writer fails on them), and feed readers take C1 controls for Windows-1252:
# text that came in with any of them leaves them out of feeds.
_NOT_IN_XML = dict.fromkeys(
    [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF]
)


def feed_text(text: str) -> str:
    return (text or "").translate(_NOT_IN_XML)


def _summary(publication: Publication) -> str:
    summary = publication.change_summary
    parts = [publication.note] if publication.note else []
    if summary is None:
        parts.append(_("Erstveröffentlichung."))
    else:
        counts = summary["counts"]
        parts.append(
            _("Fragen: %(a)s neu, %(c)s geändert, %(r)s entfernt.")
            % {"a": counts["added"], "c": counts["changed"], "r": counts["removed"]}
        )
    return " ".join(parts)


class ChangedAtAtomFeed(MediaRSSAtomFeed):
    """The feed's <updated> (and Last-Modified) is when what it shows last changed for
    readers (reader_changes.py), not the newest entry's date, which a withdrawal or
    redaction would not move – and not "now" for a feed without entries, which would
    change its bytes every second."""

    def latest_post_date(self):
        return self.feed["changed_at"] or super().latest_post_date()


class PublicationFeed(Feed):
    feed_type = ChangedAtAtomFeed
    base = ""  # the public base URL, set on the copy that serves one request
    request = None  # and that request

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        return reader_response(response)

    def feed_extra_kwargs(self, obj):
        return {"changed_at": self.changed_at(obj)}

    def changed_at(self, obj):
        return site_changed_at()

    def get_feed(self, obj, request):
        # One instance serves every request (and thread): the base URL goes on a copy.
        bound = copy.copy(self)
        bound.base = public_urls.base_url(request)
        bound.request = request
        return Feed.get_feed(bound, obj, request)

    def item_title(self, publication: Publication) -> str:
        return _("%(headline)s – v%(n)s (%(kind)s)") % {
            "headline": feed_text(publication.document["headline"]),
            "n": publication.number,
            "kind": publication.get_kind_display(),
        }

    def item_description(self, publication: Publication) -> str:
        # Atom1Feed declares the summary as HTML; the note is plain text, so it is escaped.
        return escape(feed_text(_summary(publication)))

    def item_link(self, publication: Publication) -> str:
        return self.base + reverse(
            "explainers:version", args=[publication.slug, publication.number]
        )

    def item_extra_kwargs(self, publication: Publication) -> dict:
        return {"image_sizes": image_sizes(publication.document, self.request)}

    def item_guid(self, publication: Publication) -> str:
        return public_urls.tag_uri(f"publication-{publication.pk}")

    def item_pubdate(self, publication: Publication):
        return publication.published_at

    def item_updateddate(self, publication: Publication):
        return publication.published_at

    def item_author_name(self, publication: Publication) -> str:
        return feed_text(publication.byline) or settings.PUBLISHER_NAME

    def item_categories(self, publication: Publication):
        return [publication.get_kind_display()]

    @staticmethod
    def public_publications():
        """Publications of explainers that are public now, without minor fixes."""
        return (
            Publication.objects.filter(
                explainer__current__isnull=False, explainer__current__withdrawn_at__isnull=True
            )
            .exclude(kind=Publication.Kind.MINOR)
            .defer("article_bodies")
            .order_by("-published_at", "-pk")
        )


class AllPublicationsFeed(PublicationFeed):
    def title(self) -> str:
        return _("%(site)s: neue und aktualisierte Erklärstücke") % {
            "site": settings.PUBLISHER_NAME
        }

    def subtitle(self) -> str:
        return _("Jede Veröffentlichung, Aktualisierung und Korrektur.")

    def link(self) -> str:
        return self.base + reverse("explainers:index")

    def feed_url(self) -> str:
        return self.base + reverse("explainers:feed")

    def feed_guid(self) -> str:
        return public_urls.tag_uri("feed")

    def items(self):
        return self.public_publications()[:FEED_SIZE]


class ExplainerFeed(PublicationFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            current = current_by_slug(kwargs["slug"])
        except (Moved, Withdrawn) as error:
            return answer_moved_or_gone(request, error, kwargs)
        request.explainer_current = current  # looked up once, used by get_object
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug):
        return request.explainer_current

    def changed_at(self, current):
        return current.changed_at

    def title(self, current) -> str:
        return _("Änderungen: %(headline)s") % {
            "headline": feed_text(current.publication.document["headline"])
        }

    def subtitle(self, current) -> str:
        return _("Jede Fassung dieses Erklärstücks mit ihrem Hinweis.")

    def link(self, current) -> str:
        return self.base + current.get_absolute_url()

    def feed_url(self, current) -> str:
        return self.base + reverse("explainers:explainer_feed", args=[current.slug])

    def feed_guid(self, current) -> str:
        return public_urls.tag_uri(f"feed/explainer-{current.explainer_id}")

    def items(self, current):
        return self.public_publications().filter(explainer_id=current.explainer_id)[:FEED_SIZE]

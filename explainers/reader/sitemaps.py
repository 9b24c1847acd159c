"""The sitemap, addressed with the public base URL (explainers/domain/public_urls.py).

Django's sitemap view hands each sitemap the Sites row (`localhost` from the migration)
and the request's scheme; `sitemap` below gives each one the base URL instead."""

from django.contrib.flatpages.sitemaps import FlatPageSitemap
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views

from explainers.domain import public_urls
from explainers.reader.public import current_listing


class PublicAddress:
    """A sitemap whose URLs start with the base URL it was made for."""

    def __init__(self, base_url: str) -> None:
        self.protocol, self.domain = public_urls.split(base_url)

    def get_domain(self, site=None) -> str:
        return self.domain


class ExplainerSitemap(PublicAddress, Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return current_listing().defer("publication__document", "publication__rendered_answers")

    def lastmod(self, current):
        return current.publication.published_at


class LegalPageSitemap(PublicAddress, FlatPageSitemap):
    pass


SITEMAPS = {"explainers": ExplainerSitemap, "pages": LegalPageSitemap}


def sitemap(request, sitemaps=SITEMAPS, **kwargs):
    base_url = public_urls.base_url(request)
    bound = {name: make(base_url) for name, make in sitemaps.items()}
    return sitemap_views.sitemap(request, bound, **kwargs)

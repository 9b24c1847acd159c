from django.contrib.flatpages.sitemaps import FlatPageSitemap
from django.contrib.sitemaps import Sitemap

from .public import current_listing


class ExplainerSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return current_listing().defer("publication__document", "publication__rendered_answers")

    def lastmod(self, current):
        return current.publication.published_at


SITEMAPS = {"explainers": ExplainerSitemap, "pages": FlatPageSitemap}

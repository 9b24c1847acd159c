from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.flatpages import views as flatpages
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from explainers.desk.admin_language import set_admin_language
from explainers.reader.health import healthz
from explainers.reader.held_responses import held_for_readers
from explainers.reader.sitemaps import SITEMAPS, sitemap
from explainers.reader.views import robots_txt

admin.site.site_header = _("Newsroom Erklärstücke")
admin.site.site_title = _("Newsroom Erklärstücke")
admin.site.index_title = _("Redaktion")


class FaviconRedirect(RedirectView):
    """Browsers ask for /favicon.ico on their own; the icon itself is a static file."""

    def get_redirect_url(self, *args, **kwargs):
        return static_url("explainers/favicon.ico")


urlpatterns = [
    path("admin/sprache/", admin.site.admin_view(set_admin_language), name="admin_language"),
    path("admin/", admin.site.urls),
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("healthz", healthz, name="healthz"),
    path(
        "sitemap.xml", held_for_readers(sitemap, uses=["p"]), {"sitemaps": SITEMAPS}, name="sitemap"
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("api/", include("explainers.api.urls")),
    path("impressum/", flatpages.flatpage, {"url": "/impressum/"}, name="impressum"),
    path("datenschutz/", flatpages.flatpage, {"url": "/datenschutz/"}, name="datenschutz"),
    path("", include("explainers.reader.urls")),
]
# The database unreachable: 503 with Retry-After instead of the 500 page (newsroom/outage.py).
handler500 = "newsroom.outage.server_error"
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

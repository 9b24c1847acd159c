from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.flatpages import views as flatpages
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from explainers.reader.health import healthz
from explainers.reader.held_responses import held_for_readers
from explainers.reader.sitemaps import SITEMAPS, sitemap
from explainers.reader.views import robots_txt

admin.site.site_header = _("Newsroom Erklärstücke")
admin.site.site_title = _("Newsroom Erklärstücke")
admin.site.index_title = _("Redaktion")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path(
        "sitemap.xml", held_for_readers(sitemap, uses=["p"]), {"sitemaps": SITEMAPS}, name="sitemap"
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("impressum/", flatpages.flatpage, {"url": "/impressum/"}, name="impressum"),
    path("datenschutz/", flatpages.flatpage, {"url": "/datenschutz/"}, name="datenschutz"),
    path("", include("explainers.reader.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

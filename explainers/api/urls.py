"""The read API's addresses (docs/api.md), included under /api/ by newsroom/urls.py."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from explainers.api import ingest_views, search_views, views
from explainers.api.docs import ApiDocs

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocs.as_view(url_name="api:schema"), name="docs"),
    path("v1/explainers/", ingest_views.ExplainerCollection.as_view(), name="explainers"),
    path("v1/explainers/<slug:slug>/", views.ExplainerDetail.as_view(), name="explainer"),
    path(
        "v1/explainers/<slug:slug>/questions/<str:key>/",
        views.QuestionDetail.as_view(),
        name="question",
    ),
    path("v1/explainers/<slug:slug>/versions/", views.VersionList.as_view(), name="versions"),
    path(
        "v1/explainers/<slug:slug>/revisions/",
        ingest_views.ExplainerRevisions.as_view(),
        name="revisions",
    ),
    re_path(
        r"^v1/explainers/(?P<slug>[-a-zA-Z0-9_]+)/versions/(?P<number>[0-9]{1,9})/$",
        views.VersionDetail.as_view(),
        name="version",
    ),
    path("v1/explainers/<slug:slug>/diff/<str:span>/", views.Diff.as_view(), name="diff"),
    path("v1/search/", search_views.Search.as_view(), name="search"),
    re_path(r"^(?P<rest>[\s\S]*/)$", views.Unknown.as_view(), name="unknown"),  # newlines too
]

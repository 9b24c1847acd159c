from django.urls import path

from . import feeds, search_views, views

app_name = "explainers"

urlpatterns = [
    path("", views.index, name="index"),
    path("suche/", search_views.search, name="search"),
    path("feed/", feeds.AllPublicationsFeed(), name="feed"),
    path("explainers/<slug:slug>/", views.detail, name="detail"),
    path("explainers/<slug:slug>/versions/", views.versions, name="versions"),
    path("explainers/<slug:slug>/v<int:number>/", views.version, name="version"),
    path("explainers/<slug:slug>/diff/<str:span>/", views.diff, name="diff"),
    path("explainers/<slug:slug>/preview/", views.preview, name="preview"),
    path("explainers/<slug:slug>/feed/", feeds.ExplainerFeed(), name="explainer_feed"),
]

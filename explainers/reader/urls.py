from django.urls import path

from explainers.reader import embed, feeds, oembed, search_views, views
from explainers.reader.held_responses import held_for_readers as held

app_name = "explainers"

urlpatterns = [
    path("", held(views.index, uses=["page"]), name="index"),
    path("suche/", held(search_views.search, uses=["q", "page"]), name="search"),
    path("feed/", held(feeds.AllPublicationsFeed()), name="feed"),
    path("explainers/<slug:slug>/", held(views.detail), name="detail"),
    path("explainers/<slug:slug>/versions/", held(views.versions), name="versions"),
    path("explainers/<slug:slug>/v<int:number>/", held(views.version), name="version"),
    path("explainers/<slug:slug>/diff/<str:span>/", held(views.diff), name="diff"),
    path("explainers/<slug:slug>/preview/", views.preview, name="preview"),
    path("explainers/<slug:slug>/feed/", held(feeds.ExplainerFeed()), name="explainer_feed"),
    path("explainers/<slug:slug>/frage/<slug:key>/", held(embed.card), name="card"),
    path("oembed/", oembed.oembed, name="oembed"),
]

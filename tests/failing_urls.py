"""The project's URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from newsroom.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("Geheimes Detail: Verbindung zu intern-db-7 verloren")


urlpatterns = [path("kaputt/", broken), *project_urlpatterns]

"""The benchmark's URLconf (ROOT_URLCONF when NEWSROOM_BENCH_FLOOR is set): the site's own
URLs, plus the floor view that reader pages are measured against."""

from django.urls import path

from bench.floor import floor
from newsroom.urls import urlpatterns as site

urlpatterns = [path("bench/floor/<int:size>/", floor, name="bench_floor"), *site]

"""The URLconf of Django's default floor (bench/default_floor_settings.py): the floor
view alone, at the same path as under our own stack."""

from django.urls import path

from bench.floor import floor

urlpatterns = [path("bench/floor/<int:size>/", floor, name="bench_floor")]

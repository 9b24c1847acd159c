"""The weighted German text-search vector of a search entry, said once: the query in
explainers/domain/search.py filters and ranks by it, and a PostgreSQL expression index
(migration 0009) is built on exactly this expression, so searches read the index
instead of analysing every entry's text on every query."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector

INDEX_NAME = "searchentry_german_vector"


def german_vector() -> SearchVector:
    return SearchVector("title", weight="A", config="german") + SearchVector(
        "body", weight="B", config="german"
    )

"""Search on PostgreSQL reads a GIN index instead of analysing every entry's text per
query; SQLite (development) has no such index and searches its own way."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from explainers.domain.publishing import publish
from explainers.domain.search import INDEX_NAME, german_vector, search
from explainers.models import SearchEntry
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, SearchEntry._meta.db_table)
    return set(constraints)


def test_the_search_query_can_use_the_index_on_postgresql(desk):
    publish(make_explainer(teaser="Sicherheitsgarantien für die Ukraine."), user=desk)
    assert search("Sicherheitsgarantien")
    if connection.vendor != "postgresql":
        assert INDEX_NAME not in index_names()
        return
    assert INDEX_NAME in index_names()
    query = SearchQuery("Sicherheitsgarantien", config="german", search_type="websearch")
    matching = SearchEntry.objects.annotate(vector=german_vector()).filter(vector=query).order_by()
    with connection.cursor() as cursor:
        # A tiny table is cheaper to scan whole (or along another index); leave the planner
        # only bitmap scans, which need an index that matches the search condition.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert f"Bitmap Index Scan on {INDEX_NAME}" in matching.explain()

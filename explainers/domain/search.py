"""Search over current publications: the index rebuilt on publish, and the query.

PostgreSQL ranks with its German full-text configuration and highlights snippets;
SQLite (development) falls back to a case-insensitive match on every word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from explainers.core.rendering import to_plain_text
from explainers.models import Publication, SearchEntry

MAX_QUERY_LENGTH = 200
MAX_HITS = 200
SNIPPET_CHARS = 220
# ts_headline does not escape; these markers (control characters never stored, see
# to_plain_text) are swapped for <mark> after the snippet has been escaped.
_START, _STOP = "\x02", "\x03"

# The weighted German text-search vector of a search entry, said once: the query below
# filters and ranks by it, and a PostgreSQL expression index (migration 0009) is built on
# exactly this expression, so searches read the index instead of analysing every entry's
# text on every query.
INDEX_NAME = "searchentry_german_vector"


def german_vector() -> SearchVector:
    return SearchVector("title", weight="A", config="german") + SearchVector(
        "body", weight="B", config="german"
    )


@dataclass
class Hit:
    slug: str
    anchor: str
    headline: str
    title: str
    language: str
    snippet: SafeString


def index_publication(publication: Publication) -> None:
    """Replace the explainer's search rows with the publication's text."""
    document = publication.document
    common = {
        "explainer_id": publication.explainer_id,
        "slug": publication.slug,
        "headline": document["headline"],
        "language": document["language"],
    }
    head = " ".join(to_plain_text(part) for part in (document["teaser"], document["intro"]))
    rows = [SearchEntry(**common, position=0, anchor="", title=document["headline"], body=head)]
    rows += [
        SearchEntry(
            **common,
            position=position,
            anchor=question["anchor"],
            title=question["question"],
            body=to_plain_text(question["answer"]),
        )
        for position, question in enumerate(document["questions"], start=1)
    ]
    SearchEntry.objects.filter(explainer_id=publication.explainer_id).delete()
    SearchEntry.objects.bulk_create(rows)


def search(query: str) -> list[Hit]:
    query = " ".join(query.split())
    if not query:
        return []
    if connection.vendor == "postgresql":
        return _search_postgres(query)
    return _search_plain(query)


def _search_postgres(query: str) -> list[Hit]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    vector = german_vector()  # the indexed expression (migration 0009)
    search_query = SearchQuery(query, config="german", search_type="websearch")
    rows = (
        SearchEntry.objects.annotate(vector=vector, rank=SearchRank(vector, search_query))
        .filter(vector=search_query)
        .annotate(
            snippet=SearchHeadline(
                "body",
                search_query,
                config="german",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
            )
        )
        .order_by("-rank", "explainer_id", "position")
        .values("slug", "anchor", "headline", "title", "language", "snippet")[:MAX_HITS]
    )
    return [Hit(**{**row, "snippet": _marked(row["snippet"])}) for row in rows]


def _search_plain(query: str) -> list[Hit]:
    words = [w for w in re.split(r"\W+", query.lower()) if w][:10]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(body__icontains=word)
    rows = SearchEntry.objects.filter(condition).values(
        "slug", "anchor", "headline", "title", "language", "body"
    )[:MAX_HITS]
    hits = [
        (
            sum(word in row["title"].lower() for word in words),
            Hit(
                slug=row["slug"],
                anchor=row["anchor"],
                headline=row["headline"],
                title=row["title"],
                language=row["language"],
                snippet=_marked(_plain_snippet(row["body"], words)),
            ),
        )
        for row in rows
    ]
    return [hit for _score, hit in sorted(hits, key=lambda pair: -pair[0])]


def _plain_snippet(body: str, words: list[str]) -> str:
    lower = body.lower()
    found = [lower.find(word) for word in words if word in lower]
    start = max(min(found) - SNIPPET_CHARS // 3, 0) if found else 0
    snippet = body[start : start + SNIPPET_CHARS]
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    snippet = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", snippet)
    return ("… " if start else "") + snippet + (" …" if start + SNIPPET_CHARS < len(body) else "")


def _marked(snippet: str) -> SafeString:
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 - escaped first  # nosec B308 B703

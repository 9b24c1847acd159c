"""In-process measurements through Django's test client and the domain API.

These run after the HTTP part (they write: admin saves, publications, revisions), in the
bench process with the same settings as the server (DEBUG off).
"""

from __future__ import annotations

import io
import json
import random
import statistics
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion import create_revision
from reversion.models import Version

from bench import dataset
from bench.http_load import BenchFailure
from explainers.core.diffing import DiffBudget, diff_documents
from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import record_revision, revisions_of
from explainers.models import Explainer, Publication, Question, RevisionRows
from explainers.reader import held_responses
from tests.admin_forms import change_form_data, encode


@dataclass
class Figure:
    name: str
    value: str


def reader_client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


def bench_admin():
    User = get_user_model()
    return User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench@example.org", None
    )


def admin_client() -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(bench_admin())
    return client


def timed(action: Callable[[], object], times: int) -> tuple[float, list]:
    """Median milliseconds of `times` calls, and what they returned."""
    durations, results = [], []
    for _ in range(times):
        started = time.perf_counter()
        results.append(action())
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations), results


def get_ok(client: Client, url: str, expect: int = 200, **extra):
    response = client.get(url, **extra)
    if response.status_code != expect:
        raise BenchFailure(f"in-process GET {url} answered {response.status_code}, not {expect}")
    return response


class QueryCount:
    """Counts the queries run inside the block through the connection's execute wrapper.
    Unlike CaptureQueriesContext it leaves the debug cursor off, which formats every
    query's SQL with its parameters (on SQLite by asking the database to quote them):
    time production never spends, and more of it the more text a query carries."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCount:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)


def count_queries(action: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def detail_url(slug: str) -> str:
    return reverse("explainers:detail", args=[slug])


# reader side


def forget_pages() -> None:
    """Empty the cache and this process's held responses (stored articles stay: they are
    not in memory)."""
    cache.clear()
    held_responses.clear()


def reader_queries(client: Client, slug: str) -> tuple[int, int, int]:
    """SQL queries of the explainer page: for its first reader (the article rendered and
    stored); with the article stored but no held response; and held."""
    forget_pages()
    Publication.objects.filter(explainer__current__slug=slug).update(article_bodies={})
    first = count_queries(lambda: get_ok(client, detail_url(slug)))
    held_responses.clear()
    stored = count_queries(lambda: get_ok(client, detail_url(slug)))
    held = count_queries(lambda: get_ok(client, detail_url(slug)))
    return first, stored, held


def cold_render_ms(client: Client, slug: str, times: int = 50) -> float:
    def render():
        forget_pages()
        get_ok(client, detail_url(slug))

    return timed(render, times)[0]


def warm_render_ms(client: Client, slug: str, times: int = 50) -> float:
    get_ok(client, detail_url(slug))
    return timed(lambda: get_ok(client, detail_url(slug)), times)[0]


# editing side


# With no file chosen the change form is sent as plain form data
# (explainers/static/explainers/plain_post.js), as tests/e2e/test_plain_post.py shows.
_PLAIN = "application/x-www-form-urlencoded"


def _post_change_form(client: Client, explainer: Explainer, teaser: str) -> tuple[float, int]:
    """Post the change form with the teaser edited, as an editor saves: the ms and SQL
    queries of the POST (building the form data, the browser's part, is not counted)."""
    url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    form = change_form_data(Explainer.objects.get(pk=explainer.pk))
    form["main"]["teaser"] = teaser
    # the browser encodes (line breaks as CRLF, as it sends textareas), the server parses
    body = urlencode({name: value.replace("\n", "\r\n") for name, value in encode(form).items()})
    started = time.perf_counter()
    with QueryCount() as queries:
        response = client.post(url, body, content_type=_PLAIN)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise BenchFailure(
            f"admin save of {explainer.slug} answered {response.status_code}, not 302:\n"
            + response.content.decode(errors="replace")[:2000]
        )
    return elapsed_ms, queries.count


def admin_save(client: Client, slug: str, times: int = 10) -> tuple[float, int]:
    """Median ms and queries of posting the change form with the teaser edited."""
    explainer = Explainer.objects.get(slug=slug)
    steps = [_post_change_form(client, explainer, f"Bench-Fassung {n}.") for n in range(times)]
    return (
        statistics.median(ms for ms, _ in steps),
        int(statistics.median(queries for _, queries in steps)),
    )


@dataclass
class SaveAndPublish:
    """Medians of one editor's step: the admin save, then publish() of what was saved."""

    total_ms: float
    total_sql: int
    save_ms: float
    save_sql: int
    publish_ms: float
    publish_sql: int


def save_and_publish(client: Client, slug: str, times: int = 10) -> SaveAndPublish:
    """The write path compared with Wagtail's `save_revision()` + `publish()`
    (bench/wagtail/): the admin change form posted with the teaser edited, then the
    working copy published as an update, timed and counted together and apart."""
    explainer = Explainer.objects.get(slug=slug)
    user = bench_admin()
    rows = []
    for n in range(times):
        save_ms, save_sql = _post_change_form(
            client, explainer, f"Bench: Speichern und Veröffentlichen {n}."
        )
        started = time.perf_counter()
        with QueryCount() as queries:
            publish(explainer, kind="update", note=f"Bench: Fassung {n}.", user=user)
        publish_ms = (time.perf_counter() - started) * 1000
        rows.append((save_ms, save_sql, publish_ms, queries.count))
    totals_ms = [save + pub for save, _, pub, _ in rows]
    totals_sql = [save + pub for _, save, _, pub in rows]

    def median(index: int) -> float:
        return statistics.median(row[index] for row in rows)

    return SaveAndPublish(
        statistics.median(totals_ms),
        int(statistics.median(totals_sql)),
        median(0),
        int(median(1)),
        median(2),
        int(median(3)),
    )


def publish_ms(slug: str, times: int = 10) -> float:
    """Median ms of publish() of a 12-question explainer after a one-word edit."""
    explainer = Explainer.objects.get(slug=slug)
    words = dataset.Words(dataset.SEED + 1)
    durations = []
    for n in range(times):
        dataset.small_edit(explainer, words, f"Bench: vor Veröffentlichung {n}")
        started = time.perf_counter()
        publish(explainer, kind="update", note=f"Bench-Aktualisierung {n}.")
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def rerender_seconds() -> tuple[float, int, int] | None:
    """Seconds `manage.py rerender --all` takes over the whole data set (every stored
    article body rendered again, as after a deploy of a new release), how many bodies it
    rendered and of how many publications; None while the command does not exist."""
    if "rerender" not in get_commands():
        return None
    out = io.StringIO()
    started = time.perf_counter()
    call_command("rerender", everything=True, stdout=out)
    seconds = time.perf_counter() - started
    rendered = int(out.getvalue().split()[0])
    public = Publication.objects.filter(explainer__current__withdrawn_at__isnull=True).count()
    return seconds, rendered, public


def build_history(slug: str, wanted: int, budget_s: float) -> tuple[int, float]:
    """Bring the explainer to `wanted` revisions by small edits, stopping at `budget_s`.
    Returns the number of revisions it has and the seconds spent."""
    explainer = Explainer.objects.get(slug=slug)
    words = dataset.Words(dataset.SEED + 2)
    started = time.perf_counter()
    have = revisions_of(explainer).count()
    while have < wanted and time.perf_counter() - started < budget_s:
        dataset.small_edit(explainer, words, f"Bench: Revision {have + 1}")
        have += 1
    return have, time.perf_counter() - started


def history_views(client: Client, slug: str, times: int = 5) -> dict[str, tuple[float, int]]:
    """Median ms and queries of the history's first and last page and of comparing the
    first revision with the latest."""
    explainer = Explainer.objects.get(slug=slug)
    revisions = revisions_of(explainer)
    first, latest = revisions.last(), revisions.first()
    history = reverse("admin:explainers_explainer_history", args=[explainer.pk])
    compare = reverse("admin:explainers_explainer_compare", args=[explainer.pk])
    urls = {
        "history, first page": (history, {}),
        "history, last page": (history, {"page": "999999"}),
        "compare first ↔ latest revision": (compare, {"a": first.pk, "b": latest.pk}),
    }
    figures = {}
    for name, (url, params) in urls.items():
        queries = count_queries(lambda url=url, params=params: get_ok(client, url, data=params))
        median_ms = timed(lambda url=url, params=params: get_ok(client, url, data=params), times)[0]
        figures[name] = (median_ms, queries)
    return figures


def diff_ms(slug: str, times: int = 20) -> float:
    """Median ms of diff_documents between the two publications of the 50-question one."""
    explainer = Explainer.objects.get(slug=slug)
    first, second = explainer.publications.order_by("number")[:2]
    return timed(lambda: diff_documents(first.document, second.document), times)[0]


# the worst case for a word diff: thousands of tokens drawn from thirty values

PUNCTUATION = string.punctuation.replace("[", "")  # "[" could start a citation marker


def punctuation_answer(seed: int, length: int = 20_000) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(PUNCTUATION) for _ in range(length))


def worst_case_diff(length: int = 20_000, times: int = 5) -> tuple[float, int, int]:
    """Median ms of diff_documents when an answer of `length` random punctuation marks is
    edited again (replaced by another such answer), the matching work it counted against
    its budget, and how many texts it compared coarser than word by word."""
    words = dataset.Words(dataset.SEED + 5)
    old = dataset.make_document(words, "bench-punctuation", 3, [])
    new = {**old, "questions": [dict(q) for q in old["questions"]]}
    old["questions"][0]["answer"] = punctuation_answer(1, length)
    new["questions"][0]["answer"] = punctuation_answer(2, length)

    def diff() -> DiffBudget:
        budget = DiffBudget()
        diff_documents(old, new, budget)
        return budget

    median_ms, budgets = timed(diff, times)
    return median_ms, budgets[0].spent, budgets[0].coarse


def worst_case_publish_ms(slug: str = "bench-punctuation", times: int = 3) -> float:
    """Median ms of publish() after that answer was edited again."""
    document = dataset.make_document(dataset.Words(dataset.SEED + 6), slug, 3, [])
    document["questions"][0]["answer"] = punctuation_answer(1)
    explainer = import_document(document, comment="Bench: importiert")
    publish(explainer)
    durations = []
    for n in range(times):
        with transaction.atomic(), create_revision():
            Question.objects.filter(explainer=explainer, position=1).update(
                answer=punctuation_answer(n + 2)
            )
            record_revision(explainer, comment="Bench: Satzzeichen neu")
        started = time.perf_counter()
        publish(explainer, kind="update", note=f"Bench: Satzzeichen {n}.")
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def bytes_per_revision(slug: str | None = None) -> tuple[float, int]:
    """Average UTF-8 bytes a revision stores (its versions' serialized_data and its
    RevisionRows, as JSON), for one explainer's revisions or for all; and how many."""
    versions, kept_together = Version.objects.all(), RevisionRows.objects.all()
    if slug is not None:
        explainer = Explainer.objects.get(slug=slug)
        revisions = revisions_of(explainer).values("pk")
        versions = versions.filter(revision__in=revisions)
        kept_together = kept_together.filter(revision__in=revisions)
    total, revision_ids = 0, set()
    for revision_id, data in versions.values_list("revision_id", "serialized_data").iterator(
        chunk_size=2000
    ):
        total += len(data.encode())
        revision_ids.add(revision_id)
    for rows in kept_together.values_list("rows", flat=True).iterator(chunk_size=2000):
        total += len(json.dumps(rows, ensure_ascii=False, cls=DjangoJSONEncoder).encode())
    return (total / len(revision_ids) if revision_ids else 0.0), len(revision_ids)

"""Settings and data for the load test: production-like settings on its own SQLite file in
the temp folder (or the PostgreSQL database in DATABASE_URL, if it is empty), the demo plus
the bench's 200 generated explainers, and the paths wrk cycles through."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.http_load import loopback_environment, prepare_database, remove_sqlite

LOADTEST_SQLITE = Path(tempfile.gettempdir()) / "newsroom-loadtest.sqlite3"
GENERATED = 200


def environment() -> tuple[dict[str, str], str]:
    """Settings for this process, gunicorn and the publisher; and a warning, if any."""
    return loopback_environment(LOADTEST_SQLITE, "the load test")


def fresh_sqlite() -> None:
    remove_sqlite(LOADTEST_SQLITE)


@dataclass
class Site:
    hot_slug: str = ""
    baseline_number: int = 0  # the hot explainer's publication showing step 0
    baseline_done: float = 0.0
    generated_slugs: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build(is_sqlite: bool, log) -> Site:
    """Migrate, collect static files, load the demo and 200 generated explainers, and
    publish the hot explainer (the demo) once with step 0, so every page shows a step."""
    from bench import dataset
    from explainers.domain.demo import load_demo
    from explainers.domain.publishing import publish
    from loadtest.publisher import edit_and_publish, hot_question

    started = time.perf_counter()
    prepare_database(is_sqlite, "The load test", "newsroom_loadtest")
    site = Site()
    demo, _login = load_demo()
    site.hot_slug = demo.slug
    words = dataset.Words(dataset.SEED)
    for n in range(GENERATED):
        slug = f"bench-{n:03d}"
        publish(dataset.create(words, slug, dataset.QUESTIONS, site.generated_slugs[-2:]))
        site.generated_slugs.append(slug)
    question = hot_question(demo)
    site.baseline_number = edit_and_publish(demo, question, question.answer, 0).number
    site.baseline_done = time.time()
    site.seconds = time.perf_counter() - started
    log(f"  demo + {GENERATED} explainers published in {site.seconds:.1f} s")
    return site


def reader_paths(site: Site) -> list[str]:
    """Each generated explainer and its versions page; every tenth, also the demo (the hot
    explainer), its versions page, the index and the feed."""
    paths = []
    for n, slug in enumerate(site.generated_slugs):
        paths += [f"/explainers/{slug}/", f"/explainers/{slug}/versions/"]
        if n % 10 == 0:
            hot = f"/explainers/{site.hot_slug}/"
            paths += [hot, f"{hot}versions/", "/", "/feed/"]
    return paths

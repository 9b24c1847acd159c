"""Settings and data for the load test: production-like settings on its own SQLite file in
the temp folder (or the PostgreSQL database in DATABASE_URL, if it is empty), the demo plus
the bench's 200 generated explainers, and the paths wrk cycles through."""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

LOADTEST_SQLITE = Path(tempfile.gettempdir()) / "newsroom-loadtest.sqlite3"
GENERATED = 200


def environment() -> tuple[dict[str, str], str]:
    """Settings for this process, gunicorn and the publisher; and a warning, if any."""
    warning = ""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        warning = "DATABASE_URL is PostgreSQL: the load test WRITES its data into that database."
    else:
        if database_url:
            warning = f"DATABASE_URL={database_url!r} ignored: the load test uses its own SQLite."
        database_url = f"sqlite:///{LOADTEST_SQLITE}"
    env = {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "NEWSROOM_BENCH_FLOOR": "1",  # bench.http_load.Server waits for the floor view
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "PYTHONUNBUFFERED": "1",
    }
    return env, warning


def fresh_sqlite() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{LOADTEST_SQLITE}{suffix}").unlink(missing_ok=True)


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
    from django.core.management import call_command

    from bench import dataset
    from explainers.demo import load_demo
    from explainers.models import Explainer
    from explainers.publishing import publish
    from loadtest.publisher import edit_and_publish, hot_question

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if not is_sqlite and Explainer.objects.exists():
        raise SystemExit(
            "The PostgreSQL database in DATABASE_URL already holds explainers. The load test "
            "builds its own data: point DATABASE_URL at an empty database (e.g. createdb "
            "newsroom_loadtest) and run again."
        )
    call_command("collectstatic", interactive=False, verbosity=0)
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

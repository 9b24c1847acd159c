"""`make bench`: build a data set, load the reader pages over HTTP, measure the editing
side in-process, and write one Markdown report (bench/results/latest.md).

Run from the project root: `.venv/bin/python bench/run.py [--rounds 3] [--seconds 5]`.
Exits non-zero if any measured response was not the intended 200/304.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_SQLITE = Path(tempfile.gettempdir()) / "newsroom-bench.sqlite3"
RESULTS = ROOT / "bench" / "results" / "latest.md"
GUNICORN_LOG = Path(tempfile.gettempdir()) / "newsroom-bench-gunicorn.log"
COLD_GUNICORN_LOG = Path(tempfile.gettempdir()) / "newsroom-bench-gunicorn-cold.log"
DEFAULT_FLOOR_LOG = Path(tempfile.gettempdir()) / "newsroom-bench-gunicorn-default-floor.log"
DEFAULT_FLOOR_SETTINGS = "bench.default_floor_settings"
DEFAULT_FLOOR = "floor, Django's default (startproject middleware)"
WORKERS = 2
HISTORY_REVISIONS = 2000
HISTORY_BUDGET_S = 90.0
SEARCH_TERM = "Sicherheitsgarantien"


def log(message: str) -> None:
    print(message, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds over all targets")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per target")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (-c)")
    return parser.parse_args()


# machine


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of all cores busy over `seconds` (from /proc/stat), before we add load."""

    def sample():
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    idle_a, total_a = sample()
    time.sleep(seconds)
    idle_b, total_b = sample()
    return 1 - (idle_b - idle_a) / max(1, total_b - total_a)


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def git_state() -> str:
    """Read-only: the commit and whether the checkout has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty else "")


def the_command() -> str:
    direct = shlex.join([os.path.relpath(sys.executable, ROOT), *sys.argv])
    return f"make bench  →  {direct}" if os.environ.get("MAKELEVEL") else direct


# settings


def bench_environment() -> tuple[dict[str, str], str]:
    from bench.http_load import loopback_environment, pinned_release

    env, warning = loopback_environment(BENCH_SQLITE, "the bench")
    return env | pinned_release(), warning


def fresh_sqlite() -> None:
    from bench.http_load import remove_sqlite

    remove_sqlite(BENCH_SQLITE)


def prepare_database(vendor_is_sqlite: bool) -> None:
    from bench.http_load import prepare_database as prepare

    prepare(vendor_is_sqlite, "The bench", "newsroom_bench")


# the HTTP part


def reader_targets(data, page_size: int, etag: str, cold_paths: Path):
    from django.conf import settings

    from bench.http_load import Target
    from explainers.models import Publication

    main = data.heavy_slugs[0]
    latest = Publication.objects.filter(explainer__slug=main).count()
    notes = latest - 1  # every publication after the first lists its note
    page = f"/explainers/{main}/"
    floor = f"/bench/floor/{page_size}/"
    ours = f"floor, our stack ({len(settings.MIDDLEWARE)} middleware)"
    eight = f"/explainers/{data.eight_slug}/"
    return [
        Target(DEFAULT_FLOOR, floor, server="default"),
        Target(ours, floor),
        Target("explainer, warm", page, goal=0.8),
        Target("explainer, warm, 50 questions", f"/explainers/{data.large_slug}/"),
        Target("explainer, cold, 8 questions", eight, server="cold", goal=0.14),
        Target(f"explainer, cold, 12 questions, {notes} notes", page, server="cold", goal=0.10),
        Target(
            "explainer, 200 distinct pages in turn",
            page,
            paths_file=cold_paths,
            shown_path="/explainers/bench-000/ … bench-199/",
            goal=0.4,
        ),
        Target("explainer, If-None-Match → 304", page, 304, {"If-None-Match": etag}),
        Target(f"versions page ({latest} publications)", f"{page}versions/"),
        Target("old version v1", f"{page}v1/"),
        Target(f"diff v1..v{latest}", f"{page}diff/1..{latest}/"),
        Target("index", "/"),
        Target("Atom feed", "/feed/"),
        Target(f"search „{SEARCH_TERM}“", f"/suche/?q={SEARCH_TERM}"),
        Target("API explainer, warm", f"/api/v1/explainers/{main}/"),
        Target("API explainer, cold", f"/api/v1/explainers/{main}/", server="cold"),
    ]


def baked_targets(data):
    from bench.http_load import Target

    page = f"/explainers/{data.heavy_slugs[0]}/"
    return [
        Target("baked explainer page via nginx", page, server="nginx"),
        Target("baked index via nginx", "/", server="nginx"),
    ]


@contextlib.contextmanager
def baked_nginx(binary: str, upstream: str):
    """The data set baked in-process (`manage.py bake`, plain HTTP like the rest of the
    bench) and served by nginx, with the main gunicorn as the app behind it; yields nginx
    and a line on the bake."""
    from django.core.management import CommandError, call_command
    from django.db import connections

    from bench import http_load
    from tests.support import servers

    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-bake-"))
    try:
        started = time.perf_counter()
        out = io.StringIO()
        try:
            call_command("bake", str(folder / "bake"), scheme="http", upstream=upstream, stdout=out)
        except CommandError as error:
            raise http_load.BenchFailure(f"manage.py bake failed: {error}") from error
        connections.close_all()
        note = f"{out.getvalue().splitlines()[0]} ({time.perf_counter() - started:.1f} s)"
        snippet = folder / "bake" / "nginx.conf"
        with servers.Nginx(binary, snippet, folder / "nginx", workers=WORKERS) as nginx:
            yield nginx, note
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def http_part(args, env, data, failures: list[str]):
    from bench import http_load
    from tests.support import servers

    wrk = http_load.ensure_wrk(log)
    nginx_binary = http_load.ensure_nginx(log)
    cold_paths = Path(tempfile.gettempdir()) / "newsroom-bench-paths.txt"
    cold_paths.write_text("".join(f"/explainers/{slug}/\n" for slug in data.generated_slugs))
    cold_env = os.environ | env | {"NEWSROOM_READER_CACHE": "0"}
    default_env = os.environ | env | {"DJANGO_SETTINGS_MODULE": DEFAULT_FLOOR_SETTINGS}
    with (
        servers.Server(os.environ | env, WORKERS, GUNICORN_LOG) as server,
        servers.Server(cold_env, WORKERS, COLD_GUNICORN_LOG) as cold_server,
        servers.Server(default_env, WORKERS, DEFAULT_FLOOR_LOG) as default_server,
        baked_nginx(nginx_binary, server.base) as (nginx, bake_note),
    ):
        log(f"gunicorn ({WORKERS} sync workers) answers on {server.base}")
        log(f"and with page caching off (NEWSROOM_READER_CACHE=0) on {cold_server.base}")
        log(f"Django's default floor ({DEFAULT_FLOOR_SETTINGS}) on {default_server.base}")
        log(f"static bake: {bake_note}; nginx ({WORKERS} workers) serves it on {nginx.base}")
        bases = {
            "main": server.base,
            "cold": cold_server.base,
            "default": default_server.base,
            "nginx": nginx.base,
        }
        status, headers, body = servers.fetch(server.base, f"/explainers/{data.heavy_slugs[0]}/")
        if status != 200 or not headers.get("ETag"):
            raise http_load.BenchFailure(f"explainer page answered {status} (ETag {headers})")
        targets = reader_targets(data, len(body), headers["ETag"], cold_paths)
        targets += baked_targets(data)
        http_load.check(bases, targets)
        log(f"all {len(targets)} targets answer as intended; explainer page is {len(body)} bytes")
        summaries = http_load.measure(
            wrk,
            bases,
            targets,
            rounds=args.rounds,
            seconds=args.seconds,
            threads=args.threads,
            connections=args.connections,
            log=log,
        )
    for summary in summaries:
        unexpected = summary.unexpected()
        if unexpected:
            failures.append(
                f"{summary.target.name}: responses other than {summary.target.expect}: {unexpected}"
            )
    return summaries, targets, len(body), bake_note


# the in-process part


class Figures(list):
    """In-process figures, each logged as it is measured."""

    def add(self, name: str, value: str) -> None:
        from bench.inprocess import Figure

        self.append(Figure(name, value))
        log(f"  {name}: {value}")


def reader_figures(figures: Figures, data) -> None:
    from bench import inprocess

    reader = inprocess.reader_client()
    main = data.heavy_slugs[0]
    for label, slug in (("5", data.small_slug), ("12", main), ("50", data.large_slug)):
        first, stored, held = inprocess.reader_queries(reader, slug)
        figures.add(
            f"explainer page SQL queries, {label} questions",
            f"{first} for the first reader (article rendered and stored) / {stored} with "
            f"the article stored / {held} held",
        )
    for label, slug in (("8", data.eight_slug), ("12", main), ("50", data.large_slug)):
        cold_ms = inprocess.cold_render_ms(reader, slug)
        warm_ms = inprocess.warm_render_ms(reader, slug)
        figures.add(
            f"explainer page render, {label} questions (median of 50)",
            f"{cold_ms:.1f} ms cold (nothing held, article stored) / {warm_ms:.2f} ms held",
        )


def editing_figures(figures: Figures, data) -> None:
    from bench import dataset, inprocess
    from explainers.core.documents import DIFF_WORK_BUDGET
    from explainers.domain.publishing import publish

    editor = inprocess.admin_client()
    for label, slug in (("5", data.small_slug), ("50", data.large_slug)):
        median_ms, queries = inprocess.admin_save(editor, slug)
        figures.add(
            f"admin save, {label} questions (median of 10)", f"{median_ms:.0f} ms, {queries} SQL"
        )
    step = inprocess.save_and_publish(editor, data.eight_slug)
    figures.add(
        "admin save + publish(), 8 questions (median of 10; Wagtail: bench/wagtail/)",
        f"{step.total_ms:.0f} ms, {step.total_sql} SQL (save {step.save_ms:.0f} ms, "
        f"{step.save_sql} SQL; publish {step.publish_ms:.0f} ms, {step.publish_sql} SQL)",
    )
    words = dataset.Words(dataset.SEED + 3)
    publish(dataset.create(words, "bench-publish", dataset.QUESTIONS))
    figures.add(
        "publish(), 12 questions (median of 10)", f"{inprocess.publish_ms('bench-publish'):.0f} ms"
    )
    figures.add(
        "diff_documents of two 50-question publications (median of 20)",
        f"{inprocess.diff_ms(data.large_slug):.1f} ms",
    )
    # 20,000 marks (the longest answer) are refused word by word at once; 12,000 spend
    # nearly the whole budget on one search first, the slowest case the budget allows.
    for length in (20_000, 12_000):
        worst_ms, spent, coarse = inprocess.worst_case_diff(length)
        figures.add(
            f"diff_documents, a {length:,}-character punctuation answer edited again (median of 5)",
            f"{worst_ms:.1f} ms, {spent:,} of {DIFF_WORK_BUDGET:,} matching steps, "
            f"{coarse} text(s) compared coarser than by words",
        )
    figures.add(
        "publish(), that punctuation answer edited again (median of 3)",
        f"{inprocess.worst_case_publish_ms():.0f} ms",
    )


def rerender_figures(figures: Figures) -> None:
    from bench import inprocess

    timing = inprocess.rerender_seconds()
    if timing is None:
        figures.add("manage.py rerender", "not measured: the command does not exist yet")
        return
    seconds, bodies, publications = timing
    figures.add(
        f"manage.py rerender --all, whole data set ({publications:,} publications, "
        f"{bodies:,} bodies)",
        f"{seconds:.1f} s, {seconds / max(1, publications) * 1000:.1f} s per 1,000 publications",
    )


def history_figures(figures: Figures) -> None:
    from bench import dataset, inprocess

    dataset.create(dataset.Words(dataset.SEED + 4), "bench-history", dataset.QUESTIONS)
    have, seconds = inprocess.build_history("bench-history", HISTORY_REVISIONS, HISTORY_BUDGET_S)
    built = f"{have} in {seconds:.1f} s ({seconds / max(1, have) * 1000:.1f} ms each)"
    if have < HISTORY_REVISIONS:
        built += f" — ONLY {have}, NOT {HISTORY_REVISIONS}: stopped at the {HISTORY_BUDGET_S:.0f} s"
        built += " budget"
    figures.add("revisions built for the history explainer (12 questions)", built)
    editor = inprocess.admin_client()
    for name, (median_ms, queries) in inprocess.history_views(editor, "bench-history").items():
        figures.add(
            f"admin {name} ({have} revisions, median of 5)", f"{median_ms:.0f} ms, {queries} SQL"
        )
    per_revision, count = inprocess.bytes_per_revision("bench-history")
    figures.add(
        "stored bytes per revision, 12-question explainer", f"{per_revision:,.0f} B ({count} rev.)"
    )
    per_revision, count = inprocess.bytes_per_revision()
    figures.add(
        "stored bytes per revision, whole data set", f"{per_revision:,.0f} B ({count} rev.)"
    )


def inprocess_part(data) -> Figures:
    figures = Figures()
    reader_figures(figures, data)
    rerender_figures(figures)
    editing_figures(figures, data)
    history_figures(figures)
    return figures


# report


def header_lines(args, warning, busy_before, busy_after, load_start, build_s) -> list[str]:
    import django
    from django.db import connection

    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        vendor += f" {sqlite3.sqlite_version} ({BENCH_SQLITE}, WAL)"
    else:
        vendor += f" {connection.pg_version if hasattr(connection, 'pg_version') else ''}"
    lines = [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"command: `{the_command()}`",
        f"machine: nproc {os.cpu_count()}, {platform.machine()}, Python "
        f"{platform.python_version()}, Django {django.get_version()}, DB {vendor}",
        f"commit: {git_state()}",
        f"server: gunicorn, {WORKERS} sync workers, DEBUG off, DJANGO_CONN_MAX_AGE=60, "
        f"local-memory cache per worker, 127.0.0.1 (loopback); a second one with "
        f"NEWSROOM_READER_CACHE=0 (cold); a third with {DEFAULT_FLOOR_SETTINGS} "
        f"(Django's default floor)",
        f"load: wrk -t{args.threads} -c{args.connections} --latency, {args.rounds} rounds × "
        f"{args.seconds} s per target, targets alternating within each round",
        f"machine busy before the bench: {busy_before:.0%} of all cores (other processes); "
        f"after: {busy_after:.0%}; load average at start {load_start}, at end {load_average()}",
        f"data build: {build_s:.0f} s",
    ]
    if warning:
        lines.append(f"WARNING: {warning}")
    return lines


NOTES = [
    "Ratios are what counts: absolute numbers move with whatever else runs on the machine, "
    "and wrk shares the cores with gunicorn. The floor is Django's default floor: the same "
    "trivial view (a constant page of the explainer page's size) under the MIDDLEWARE of "
    "`django-admin startproject`, served by its own gunicorn (bench/default_floor_settings.py, "
    "same worker count, no app code) and measured in the same alternating rounds. "
    "`req/s ÷ floor` is the share of that floor's throughput a target reaches (1.00 = as "
    "fast as Django's default stack returning a constant string); `p50 ÷ floor` how many "
    "times slower its median response is. Both are the median of per-round ratios (each "
    "target against the floor measured in the same round). “floor, our stack” is the same "
    "view under our own settings and middleware: its ratio is what our stack costs.",
    "Goals (issue 12) are printed, never asserted: warm ≥ 0.8, cold 8 questions ≥ 0.14, cold "
    "12 questions with 30 change notes ≥ 0.10, 200 distinct pages in turn ≥ 0.4.",
    "“explainer, warm” is a 12-question explainer (3 sources, 2 recommended explainers) with 31 "
    "publications (30 change notes) and 300 revisions; versions, v1 and the diff are of the "
    "same explainer. “cold, 8 questions” is an 8-question explainer published once (no "
    "change notes). The data set: the demo seed, 200 explainers of 12 questions × ~150 words "
    "(3 of them with 31 publications / 300 revisions), one with 50 questions, one with 5, "
    "one with 8.",
    "Warm pages are held whole by each worker for up to READER_HOLD_SECONDS (1 s) and "
    "dropped at once when the reader signal moves (publish, withdraw, redact). “cold” is "
    "the same page from a second gunicorn with NEWSROOM_READER_CACHE=0: nothing held, no "
    "fragment cache, every request renders from the stored publication. “200 distinct "
    "pages in turn”: wrk cycles through the 200 generated explainers on the caching server.",
    "The 304 target sends the ETag of a first response as If-None-Match.",
    "“API explainer” is /api/v1/explainers/<slug>/ of the same 12-question explainer (JSON: "
    "the document, the stored answer HTML, the 30 change notes); API answers are not held by "
    "the workers, so “warm” (the caching server) renders every request too, and “cold” is "
    "the NEWSROOM_READER_CACHE=0 server as for the page.",
    "gunicorn's sync workers close the connection after each response: every request, the "
    "floor's too, opens a new TCP connection.",
    "Production settings (DEBUG off) redirect to HTTPS; the bench measures plain HTTP on "
    "loopback, so it sets DJANGO_SECURE_SSL_REDIRECT=0, and checks every response's status.",
    "`manage.py collectstatic` writes staticfiles/ in the project root (STATIC_ROOT), which "
    "whitenoise's manifest storage needs with DEBUG off.",
    "“via nginx”: `manage.py bake` of the data set into a temporary folder (plain HTTP), "
    "served by nginx (2 workers, its own config around the generated snippet) on loopback; "
    "nginx keeps connections alive, gunicorn's sync workers do not. Their ratio is to the "
    "same default floor.",
]


def results_path(is_sqlite: bool) -> Path:
    """SQLite results in latest.md, PostgreSQL's beside them."""
    return RESULTS if is_sqlite else RESULTS.with_name("latest-postgresql.md")


def write_report(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# main


def main() -> int:
    args = parse_args()
    log("measuring how busy the machine is (2 s) …")
    busy_before, load_start = cpu_busy(), load_average()
    env, warning = bench_environment()
    if warning:
        log(f"WARNING: {warning}")
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)  # the page cache is per-worker local memory here
    is_sqlite = env["DATABASE_URL"].startswith("sqlite")
    if is_sqlite:
        fresh_sqlite()

    import django

    django.setup()
    from django.db import connections

    from bench import dataset, http_load, report

    log("building the data set …")
    started = time.perf_counter()
    prepare_database(is_sqlite)
    data = dataset.build(log)
    build_s = time.perf_counter() - started
    log(f"data set built in {build_s:.1f} s")
    connections.close_all()

    failures: list[str] = []
    try:
        log("HTTP part …")
        summaries, targets, page_size, bake_note = http_part(args, env, data, failures)
        log("in-process part …")
        figures = inprocess_part(data)
    except http_load.BenchFailure as failure:
        log(f"\nBENCH FAILED: {failure}")
        return 1

    busy_after = cpu_busy()
    text = report.document(
        header=header_lines(args, warning, busy_before, busy_after, load_start, build_s),
        goals=report.goals_list(summaries, DEFAULT_FLOOR),
        http=report.http_table(summaries, DEFAULT_FLOOR),
        figures=report.figures_table(figures),
        notes=[
            f"floor page: {page_size} bytes (the explainer page's size).",
            f"static bake of the data set (in-process): {bake_note}.",
            *NOTES,
        ],
        failures=failures,
    )
    written = results_path(is_sqlite)
    write_report(text, written)
    log("\n" + text)
    log(f"written to {written.relative_to(ROOT)}")
    if failures:
        log("BENCH FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

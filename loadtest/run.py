"""`make loadtest`: gunicorn under wrk for a minute while another process publishes every
second, a worker killed with SIGKILL partway, then PostgreSQL crashed during a publish (on a
throwaway cluster); writes loadtest/results/latest.md.

Run from the project root: `.venv/bin/python loadtest/run.py [--seconds 60] [--connections 64]`.
Exits non-zero on any 5xx or other non-200, a page mixing two versions, a publication
reaching readers later than promised, anything half-written, or a fault not survived.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import platform
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import cpu_busy, git_state, load_average  # noqa: E402

RESULTS = ROOT / "loadtest" / "results" / "latest.md"
GUNICORN_LOG = Path(tempfile.gettempdir()) / "newsroom-loadtest-gunicorn.log"
PATHS_FILE = Path(tempfile.gettempdir()) / "newsroom-loadtest-paths.txt"
WRK_OUTPUT = Path(tempfile.gettempdir()) / "newsroom-loadtest-wrk.txt"
WORKERS = 2


def log(message: str) -> None:
    print(message, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long wrk loads the server")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (-c)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument("--kill-at", type=float, default=20, help="SIGKILL a worker after (s)")
    parser.add_argument("--samples-per-second", type=float, default=10)
    parser.add_argument(
        "--no-pg-outage", action="store_true", help="skip the PostgreSQL outage scenario"
    )
    parser.add_argument(
        "--no-cache-outage",
        action="store_true",
        help="skip PostgreSQL crashing under load with Varnish in front and without",
    )
    return parser.parse_args()


def the_command() -> str:
    direct = shlex.join([os.path.relpath(sys.executable, ROOT), *sys.argv])
    return f"make loadtest  →  {direct}" if os.environ.get("MAKELEVEL") else direct


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL, its own file in the temp folder)"
    return f"PostgreSQL {connection.pg_version} ({connection.settings_dict['NAME']})"


def header(args, warning, busy, loads, build_s, paths) -> list[str]:
    import django

    lines = [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"command: `{the_command()}`",
        f"machine: nproc {os.cpu_count()}, {platform.machine()}, Python "
        f"{platform.python_version()}, Django {django.get_version()}, DB {database_label()}",
        f"commit: {git_state()}",
        f"server: gunicorn, {WORKERS} sync workers, DEBUG off, DJANGO_CONN_MAX_AGE=60, "
        "local-memory cache per worker, 127.0.0.1 (loopback)",
        f"load: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s over {paths} paths "
        "in turn (each generated explainer and its versions page; the demo explainer, its "
        "versions page, the index and the feed every tenth)",
        "desk: a second OS process edits the demo explainer's teaser and first answer and "
        "publishes it every second; a sampler reads that page "
        f"{args.samples_per_second:g}×/s and checks both parts and the version number",
        f"machine busy (other processes) before: {busy[0]:.0%} of all cores; after: "
        f"{busy[1]:.0%}; load average at start {loads[0]}, at end {loads[1]} (wrk, gunicorn "
        "and the publisher share the same cores)",
        f"data build: {build_s:.0f} s",
    ]
    if warning:
        lines.append(f"WARNING: {warning}")
    return lines


NOTES = [
    "Staleness is measured from the moment publish() returned in the publisher process to the "
    "end of the first sampled response showing that version or a newer one, so it includes "
    "the sampler's 0.1 s interval and the response time under load.",
    "“Pages older than the promise”: sampled requests sent more than 2 s after a newer "
    "publication had been committed that still showed an older one.",
    "A sync worker serves one request at a time: SIGKILL loses at most the one in its hands "
    "(a wrk read error or a sampler connection reset); requests waiting in the listen "
    "backlog belong to the master's socket and are served by the other worker and the "
    "replacement.",
    "The PostgreSQL scenario runs on its own throwaway cluster (initdb into the temp folder, "
    "a free port), never the server on 5432; the same scenario is tests/test_faults.py.",
    "The outage under load (loadtest/cache_outage.py) runs on another throwaway cluster with "
    "two gunicorns (one behind Varnish with deploy/varnish/newsroom.vcl) and its own wrk "
    "script (loadtest/outage_status.lua); the same scenario is "
    "tests/test_outage_behind_caches.py.",
    "Raw wrk output: the temp folder's newsroom-loadtest-wrk.txt; gunicorn's log: "
    "newsroom-loadtest-gunicorn.log.",
]


def published_steps(site, run):
    from loadtest.consistency import Published

    published = [Published(0, site.baseline_number, site.baseline_done, site.baseline_done)]
    for record in run.publishes:
        if "error" not in record:
            published.append(
                Published(record["step"], record["number"], record["started"], record["done"])
            )
    return published


def judge(results, run, site, hot_numbers) -> list[str]:
    failures = list(results.consistency.failures())
    if run.load is None:
        failures.append(f"wrk: {run.load_error}")
    else:
        if run.load.other_than_200:
            failures.append(f"responses other than 200: {run.load.other_than_200}")
        # a killed sync worker loses the one request in its hands: wrk's or the sampler's
        lost = sum(run.load.socket_errors.values()) + len(results.consistency.lost_at_kill)
        allowed = 1 if run.kill is not None else 0
        if lost > allowed:
            failures.append(
                f"requests lost: wrk socket errors {run.load.socket_errors}, sampler "
                f"{len(results.consistency.lost_at_kill)} at the kill; at most {allowed} expected"
            )
    errors = [r for r in run.publishes if "error" in r]
    if errors or run.publisher_exit != 0:
        failures.append(f"publisher: exit {run.publisher_exit}, errors {errors[:3]}, "
                        f"{run.publisher_stderr[-500:]}")  # fmt: skip
    if run.kill_error or (run.kill is not None and not run.kill.replaced):
        failures.append(f"killed worker not replaced: {run.kill_error or run.kill}")
    if not run.master_alive or len(run.workers_after) != WORKERS:
        failures.append(f"at the end: master alive {run.master_alive}, {run.workers_after}")
    failures += [f"integrity: {problem}" for problem in results.integrity]
    expected = list(range(1, site.baseline_number + 1 + len(results.published) - 1))
    if hot_numbers != expected:
        failures.append(f"hot explainer publications {hot_numbers}, expected 1..{expected[-1]}")
    if results.outage is not None:
        failures += [f"PostgreSQL outage: {problem}" for problem in results.outage.failures()]
    elif results.outage_skipped.startswith("FAILED"):
        failures.append(f"PostgreSQL outage: {results.outage_skipped}")
    if results.cache_outage is not None:
        failures += [f"outage under load: {problem}" for problem in results.cache_outage.failures()]
    elif results.cache_outage_skipped.startswith("FAILED"):
        failures.append(f"outage under load: {results.cache_outage_skipped}")
    return failures


def pg_outage_part(args, env, results) -> None:
    from loadtest import pg_cluster, pg_outage

    if args.no_pg_outage:
        results.outage_skipped = "skipped (--no-pg-outage)"
        return
    reason = pg_cluster.missing_reason()
    if reason:
        results.outage_skipped = reason
        log(f"PostgreSQL outage skipped: {reason}")
        return
    log("PostgreSQL outage during a publish (throwaway cluster) …")
    try:
        results.outage = pg_outage.run_outage(os.environ | env, log)
    except Exception as error:
        results.outage_skipped = f"FAILED: {type(error).__name__}: {error}"
        log(results.outage_skipped)


def cache_outage_part(args, env, results) -> None:
    from loadtest import cache_outage, pg_cluster

    if args.no_cache_outage:
        results.cache_outage_skipped = "skipped (--no-cache-outage)"
        return
    reason = pg_cluster.missing_reason() or cache_outage.missing_reason()
    if reason:
        results.cache_outage_skipped = reason
        log(f"outage under load skipped: {reason}")
        return
    log("PostgreSQL crashed under load, Varnish in front and gunicorn alone (throwaway cluster) …")
    try:
        results.cache_outage = cache_outage.run_cache_outage(os.environ | env, log)
    except Exception as error:
        results.cache_outage_skipped = f"FAILED: {type(error).__name__}: {error}"
        log(results.cache_outage_skipped)


def main() -> int:
    args = parse_args()
    log("measuring how busy the machine is (2 s) …")
    busy_before, load_start = cpu_busy(), load_average()
    from loadtest import data

    env, warning = data.environment()
    if warning:
        log(f"WARNING: {warning}")
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)  # one host: per-worker memory and the signal file
    os.environ.pop("READER_SIGNAL_FILE", None)
    is_sqlite = env["DATABASE_URL"].startswith("sqlite")
    if is_sqlite:
        data.fresh_sqlite()

    import django

    django.setup()
    logging.getLogger("newsroom.desk").setLevel(logging.WARNING)  # one line per publish
    from django.db import connections

    from bench import http_load
    from explainers.models import Explainer, Publication
    from loadtest import consistency, report, under_load
    from loadtest.integrity import check_integrity
    from tests.support import servers

    log("building the data set …")
    site = data.build(is_sqlite, log)
    connections.close_all()
    paths = data.reader_paths(site)
    PATHS_FILE.write_text("".join(f"{path}\n" for path in paths))
    wrk = http_load.ensure_wrk(log)
    plan = under_load.Plan(
        args.seconds, args.connections, args.threads, args.kill_at, args.samples_per_second
    )
    with servers.Server(dict(os.environ), WORKERS, GUNICORN_LOG) as server:
        log(f"gunicorn ({WORKERS} sync workers) on {server.base}; checking {len(paths)} paths …")
        http_load.check(
            {"main": server.base}, [http_load.Target("reader", "/", paths_file=PATHS_FILE)]
        )
        run = under_load.run_under_load(
            server, plan, PATHS_FILE, site.hot_slug, wrk, dict(os.environ), WORKERS, log
        )
    if run.load is not None:
        WRK_OUTPUT.write_text(run.load.output)

    published = published_steps(site, run)
    kill_at = run.kill.at if run.kill else None
    results = report.Results(
        header=[],
        run=run,
        consistency=consistency.analyse(run.samples, published, kill_at),
        published=published,
        integrity=check_integrity(),
        explainers=Explainer.objects.count(),
        publications=Publication.objects.count(),
    )
    hot_numbers = list(
        Publication.objects.filter(explainer__slug=site.hot_slug)
        .order_by("number")
        .values_list("number", flat=True)
    )
    connections.close_all()
    pg_outage_part(args, env, results)
    cache_outage_part(args, env, results)

    busy_after = cpu_busy()
    results.header = header(
        args, warning, (busy_before, busy_after), (load_start, load_average()), site.seconds,
        len(paths),
    )  # fmt: skip
    results.failures = judge(results, run, site, hot_numbers)
    text = report.document(results, NOTES)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    log("\n" + text)
    log(f"written to {RESULTS.relative_to(ROOT)}")
    if results.failures:
        log("LOAD TEST FAILED: " + "; ".join(results.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

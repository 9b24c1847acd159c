"""PostgreSQL goes away while the desk publishes, on a throwaway cluster (loadtest/pg_cluster.py).

Two outages, each a crash (`pg_ctl stop -m immediate`), then a restart:

1. *before*: the cluster is down when `manage.py publish_explainer` starts;
2. *during*: the publish is inside its transaction (the revision of the edited working copy
   is written, the INSERT of the publication waits on a table lock another session holds)
   when the cluster dies.

After each restart nothing of the failed publish may exist: still exactly v1, the pointer on
v1, no new revision, nothing half-written (loadtest/integrity.py). Then the same command
publishes v2, and a gunicorn serving that database shows it to readers. What the desk and
readers saw during the outage is kept word for word.

While the cluster is down (the first outage), readers never get a 500: the probe page, which
every gunicorn worker read before the crash, comes back as the last good copy (200,
`X-Newsroom-Stale`), a page no worker read answers 503 with Retry-After and the German outage
page, and /healthz says 503 (newsroom/outage.py, newsroom/held_pages.py).

Everything runs in subprocesses with the caller's environment, so the caller's own
database connection is never involved.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from loadtest.pg_cluster import ThrowawayCluster
from tests.support.servers import Server, fetch

ROOT = Path(__file__).resolve().parent.parent
SLUG = "ausfall-probe"
DATABASE = "newsroom_faults"
FIRST_TEASER = "Vorspann der ersten Fassung."
SECOND_TEASER = "Vorspann der zweiten Fassung."
PROMISE_SECONDS = 2.0
WORKERS = 2
PAGE = f"/explainers/{SLUG}/"
UNREAD_PAGE = f"/explainers/{SLUG}/versions/"  # no reader asks for it before the crash
DURING_READS = 2 * WORKERS  # reads of the probe page while the cluster is down
STALE = "database-unreachable"  # X-Newsroom-Stale on a last good copy
SEED_TEXT = f"""Titel: Probe: Was passiert, wenn die Datenbank ausfällt?

{FIRST_TEASER}

Eine Einleitung in einem Satz.

Was passiert beim Veröffentlichen?

Es wird in einer Transaktion geschrieben.
"""
EDIT = (
    "from explainers.models import Explainer; "
    f"Explainer.objects.filter(slug={SLUG!r}).update(teaser={SECOND_TEASER!r})"
)
WAITING = (
    "SELECT left(query, 60) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@dataclass
class CommandRun:
    """One command as the desk ran it, and everything it printed."""

    command: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return (self.stdout + self.stderr).strip()

    @property
    def has_traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.output

    @property
    def last_line(self) -> str:
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    @property
    def error_line(self) -> str:
        """The last line naming an exception (`CommandError: …` or a traceback's end), or
        the last line."""
        named = [
            line.strip()
            for line in self.output.splitlines()
            if re.match(r"[\w.]*(Error|Exception)\b[^:]*: ", line.strip())
        ]
        return named[-1] if named else self.last_line

    @property
    def is_clear_failure(self) -> bool:
        """Failed, in German, naming the database, without a Python traceback."""
        return self.returncode != 0 and not self.has_traceback and "Datenbank" in self.output


@dataclass
class Reading:
    """One reader's GET: the status, the page's title and teaser, and the outage headers."""

    status: int
    title: str
    teaser: str = ""
    stale: str = ""  # X-Newsroom-Stale
    retry_after: str = ""

    @property
    def summary(self) -> str:
        extra = f", X-Newsroom-Stale: {self.stale}" if self.stale else ""
        extra += f", Retry-After: {self.retry_after}" if self.retry_after else ""
        return f"HTTP {self.status} “{self.title}”{extra}"


@dataclass
class Outcome:
    before: CommandRun | None = None  # publish with the cluster already down
    during: CommandRun | None = None  # publish cut off inside its transaction
    after: CommandRun | None = None  # publish after the restart
    waiting_query: str = ""  # what the publish was waiting on when the cluster died
    states: dict[str, dict] = field(default_factory=dict)  # loadtest.integrity summaries
    # while it was down, past the 1 s hold: the probe page every worker had read, several
    # times, and its versions page, which none had
    reader_during: list[Reading] = field(default_factory=list)
    unread_during: Reading | None = None
    healthz_during: int = 0
    reader_after: str = ""  # the teaser readers got after the final publish
    reader_after_seconds: float = 0.0
    seconds: float = 0.0

    def failures(self) -> list[str]:
        """What broke a promise (the wording of the desk's error is judged separately)."""
        problems = []
        for name, run in (("before", self.before), ("during", self.during)):
            if run is None or run.returncode == 0:
                problems.append(f"publish {name} the outage did not fail")
        if not self.waiting_query.startswith("INSERT"):
            problems.append(f"publish was not cut off at its INSERT ({self.waiting_query!r})")
        start = self.states.get("published v1", {})
        for name in ("after outage before", "after outage during"):
            state = self.states.get(name, {})
            if state.get("publications", {}).get(SLUG) != [1]:
                problems.append(f"{name}: publications {state.get('publications')} not just v1")
            if state.get("current", {}).get(SLUG) != 1:
                problems.append(f"{name}: current publication is not v1")
            if state.get("revisions") != start.get("revisions"):
                problems.append(f"{name}: revisions {state.get('revisions')} ≠ {start}")
            if state.get("problems"):
                problems.append(f"{name}: {state['problems']}")
        final = self.states.get("published v2", {})
        if self.after is None or self.after.returncode != 0:
            problems.append("publish after the restart failed")
        if final.get("publications", {}).get(SLUG) != [1, 2] or final.get("problems"):
            problems.append(f"after the restart: {final}")
        elif final.get("revisions") != start.get("revisions", 0) + 1:
            # the successful publish records the edited working copy as one revision: the
            # cut-off one had written that revision too (it got as far as its INSERT)
            problems.append(f"after the restart: {final['revisions']} revisions, not {start}+1")
        if self.reader_after != SECOND_TEASER:
            problems.append(f"readers did not get v2 after the restart ({self.reader_after!r})")
        problems += self.reader_failures()
        return problems

    def reader_failures(self) -> list[str]:
        """Readers during the outage: the last good copy of the page read before the crash,
        else a 503 with Retry-After and the German outage page; never a 500."""
        problems = []
        if len(self.reader_during) != DURING_READS:
            problems.append(f"the probe page was read {len(self.reader_during)} times while down")
        for reading in self.reader_during:
            if (reading.status, reading.stale, reading.teaser) != (200, STALE, FIRST_TEASER):
                problems.append(f"the page read before the crash: {reading.summary}, not stale v1")
        unread = self.unread_during
        if unread is None or (unread.status, unread.retry_after) != (503, "30"):
            problems.append(f"a page not read before: {unread and unread.summary}, not 503")
        elif "nicht erreichbar" not in unread.title:
            problems.append(f"a page not read before: not the German outage page ({unread.title})")
        if self.healthz_during != 503:
            problems.append(f"/healthz answered {self.healthz_during} while the database was down")
        return problems


class Desk:
    """manage.py commands against the throwaway database, as the desk would run them."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "manage.py", *args]

    def run(self, *args: str, timeout: float = 60) -> CommandRun:
        started = time.monotonic()
        done = subprocess.run(
            self.command(*args),
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return CommandRun(
            "manage.py " + shlex.join(args),
            done.returncode,
            done.stdout,
            done.stderr,
            time.monotonic() - started,
        )

    def must(self, *args: str) -> CommandRun:
        run = self.run(*args)
        if run.returncode != 0:
            raise RuntimeError(f"{run.command} failed:\n{run.output}")
        return run

    def state(self) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "loadtest.integrity"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"loadtest.integrity failed:\n{done.stdout}{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def publish(self) -> list[str]:
        return ["publish_explainer", SLUG, "--note", "Zweite Fassung nach dem Ausfall."]


def scenario_env(base_env: dict[str, str], database_url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in base_env.items() if k not in ("REDIS_URL", "READER_SIGNAL_FILE")}
    return env | {
        "DATABASE_URL": database_url,
        "READER_SIGNAL_FILE": str(folder / "reader-signal"),
        "NEWSROOM_BENCH_FLOOR": "1",  # bench.http_load.Server waits for that view
        "DJANGO_CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
    }


def reader_page(server: Server, path: str = PAGE) -> Reading:
    """The page as a reader got it; status 0 and the error if none came."""
    try:
        status, headers, body = fetch(server.base, path)
    except (OSError, http.client.HTTPException) as error:
        return Reading(0, f"{type(error).__name__}: {error}")
    text = body.decode(errors="replace")
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    teaser = re.search(r'<div class="teaser">\s*(?:<p>)?(.*?)(?:</p>)?\s*</div>', text, re.S)
    return Reading(
        status, title.group(1).strip() if title else "", teaser.group(1) if teaser else "",
        headers.get("X-Newsroom-Stale", ""), headers.get("Retry-After", ""),
    )  # fmt: skip


def read_on_every_worker(server: Server, path: str) -> list[int]:
    """The page read once by each gunicorn worker, so each holds it, as a page
    many readers ask for is held by all; the statuses. A sync worker serves one request at
    a time and the kernel hands connections out in the order they came: each of the first
    WORKERS - 1 keeps a worker waiting for the rest of its request, the last is answered by
    the one left, then the others are finished."""
    host, port = server.base.removeprefix("http://").split(":")
    start = f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n".encode()
    waiting = []
    try:
        for _ in range(WORKERS - 1):
            waiting.append(socket.create_connection((host, int(port)), timeout=30))
            waiting[-1].sendall(start)
        statuses = [reader_page(server, path).status]
        for connection in waiting:
            connection.sendall(b"\r\n")
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
            statuses.append(int(answer.split(b" ", 2)[1]) if answer else 0)
    finally:
        for connection in waiting:
            connection.close()
    return statuses


def run_outage(base_env: dict[str, str], log=print) -> Outcome:
    """The whole scenario on a fresh throwaway cluster, removed afterwards."""
    started = time.monotonic()
    outcome = Outcome()
    with (
        tempfile.TemporaryDirectory(prefix="newsroom-outage-") as work,
        ThrowawayCluster() as cluster,
    ):
        folder = Path(work)
        desk = Desk(scenario_env(base_env, cluster.create_database(DATABASE), folder))
        log(f"  throwaway PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.folder})")
        desk.must("migrate", "--noinput", "-v0")
        seed = folder / "probe.txt"
        seed.write_text(SEED_TEXT, encoding="utf-8")
        desk.must("import_explainer", str(seed), "--slug", SLUG, "--publish")
        outcome.states["published v1"] = desk.state()
        with Server(desk.env, WORKERS, folder / "gunicorn.log") as server:
            _outage_before(cluster, desk, server, outcome, log)
            _outage_during(cluster, desk, outcome, log)
            outcome.after = desk.run(*desk.publish())
            log(f"  after the restart: {outcome.after.last_line}")
            outcome.states["published v2"] = desk.state()
            _readers_after(server, outcome)
    outcome.seconds = time.monotonic() - started
    return outcome


def _outage_before(cluster, desk, server, outcome, log) -> None:
    desk.must("shell", "-c", EDIT)  # the working copy changes; no revision yet
    statuses = read_on_every_worker(server, PAGE)
    if statuses != [200] * WORKERS:
        raise RuntimeError(f"the probe page answered {statuses} before the outage")
    cluster.stop("immediate")
    stopped = time.monotonic()
    log("  PostgreSQL stopped (immediate); publishing …")
    outcome.before = desk.run(*desk.publish())
    time.sleep(max(0.0, 1.2 - (time.monotonic() - stopped)))  # past the 1 s hold
    outcome.reader_during = [reader_page(server) for _ in range(DURING_READS)]
    outcome.unread_during = reader_page(server, UNREAD_PAGE)
    try:
        outcome.healthz_during = fetch(server.base, "/healthz")[0]
    except (OSError, http.client.HTTPException):
        outcome.healthz_during = 0
    log(f"  desk: exit {outcome.before.returncode}, {outcome.before.error_line}")
    read = sorted({reading.summary for reading in outcome.reader_during})
    log(f"  readers of the page read before the crash: {'; '.join(read)}")
    log(f"  readers of a page not read before: {outcome.unread_during.summary}")
    log(f"  /healthz {outcome.healthz_during}")
    cluster.start()
    outcome.states["after outage before"] = desk.state()


def _outage_during(cluster, desk, outcome, log) -> None:
    """Hold a lock the publish's INSERT must wait for, so the cluster dies mid-transaction."""
    lock = subprocess.Popen(
        cluster.psql_command(DATABASE),
        cwd="/",
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    publishing = None
    try:
        lock.stdin.write("BEGIN;\nLOCK TABLE explainers_publication IN EXCLUSIVE MODE;\n")
        lock.stdin.flush()
        held = (
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'explainers_publication' AND l.mode = 'ExclusiveLock' AND l.granted"
        )
        _wait(lambda: cluster.sql(held, DATABASE) == "1", "the table lock")
        command = desk.command(*desk.publish())
        started = time.monotonic()
        publishing = subprocess.Popen(
            command, cwd=ROOT, env=desk.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip

        def waiting() -> bool:
            if publishing.poll() is not None:
                raise RuntimeError(f"the publish ended early:\n{publishing.communicate()}")
            return cluster.sql(WAITING, DATABASE) != ""

        _wait(waiting, "the publish to wait on the lock")
        outcome.waiting_query = cluster.sql(WAITING, DATABASE)
        cluster.stop("immediate")
        log(
            f"  PostgreSQL stopped (immediate) while the publish waited in: {outcome.waiting_query}"
        )
        stdout, stderr = publishing.communicate(timeout=60)
        outcome.during = CommandRun(
            "manage.py " + shlex.join(desk.publish()), publishing.returncode, stdout, stderr,
            time.monotonic() - started,
        )  # fmt: skip
        log(f"  desk: exit {outcome.during.returncode}, {outcome.during.error_line}")
    finally:
        for process in (lock, publishing):
            if process is None:
                continue
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
            for pipe in (process.stdin, process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
    cluster.start()
    outcome.states["after outage during"] = desk.state()


def _readers_after(server, outcome) -> None:
    started = time.monotonic()
    while time.monotonic() - started < PROMISE_SECONDS + 1:
        reading = reader_page(server)
        if reading.status == 200 and reading.teaser == SECOND_TEASER:
            break
        time.sleep(0.05)
    outcome.reader_after = reading.teaser
    outcome.reader_after_seconds = time.monotonic() - started


def _wait(check, what: str, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {within:.0f} s")
        time.sleep(0.05)


def main() -> int:
    """`python -m loadtest.pg_outage`: the scenario alone, with DEBUG on."""
    env = dict(os.environ) | {"DJANGO_DEBUG": "1"}
    outcome = run_outage(env)
    for run in (outcome.before, outcome.during, outcome.after):
        print(f"\n$ {run.command}  (exit {run.returncode}, {run.seconds:.1f} s)\n{run.output}")
    failures = outcome.failures()
    print("\nfailures:", failures or "none", f"({outcome.seconds:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

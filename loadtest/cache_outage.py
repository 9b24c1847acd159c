"""PostgreSQL crashes for a while under wrk load, with Varnish in front of gunicorn
(deploy/varnish/newsroom.vcl) and without it, on a throwaway cluster (loadtest/pg_cluster.py).

1. A few explainers are imported and published; two gunicorns serve them (2 sync workers
   each, DEBUG off, READER_CACHE_SECONDS=2, READER_STALE_IF_ERROR_SECONDS=60): one behind
   Varnish, one alone.
2. Every page is read once through both; then a passage of one explainer is redacted and
   another explainer is withdrawn (the desk's process bans the pages at Varnish), and both
   are checked gone; every page is read again.
3. wrk loads both (loadtest/outage_status.lua: statuses per group of pages, Retry-After,
   stale answers and their Age, any body holding the redacted passage or the withdrawn
   headline) while PostgreSQL is crashed (`pg_ctl stop -m immediate`) for OUTAGE_SECONDS and
   started again.
4. A new version of a third explainer is published; how long until readers see it through
   Varnish and from gunicorn alone.

Groups: "read" (pages read before the crash), "withdrawn" (the withdrawn explainer's page),
"unread" (a search nobody made before: a new query on every request).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from loadtest.pg_cluster import ThrowawayCluster
from loadtest.pg_outage import Desk, scenario_env
from tests.support.servers import Server, fetch
from tests.support.varnish import find_varnishd, varnish_in_front_of

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "loadtest" / "outage_status.lua"
DATABASE = "newsroom_cache_outage"
OUTAGE_SECONDS = 20.0
CACHE_SECONDS = 2  # READER_CACHE_SECONDS: max-age; stale-while-revalidate is ten times that
STALE_IF_ERROR_SECONDS = 60  # READER_STALE_IF_ERROR_SECONDS: Varnish's grace
PROMISE_SECONDS = 2.0  # readers see a new publication within two seconds
CONNECTIONS = 2  # wrk threads and connections, for each of the two servers

PASSAGE = "Der Pegel wurde heimlich abgesenkt"
WITHDRAWN_HEADLINE = "Warum ist die Talsperre gesperrt?"
NEW_TEASER = "Vorspann der Fassung nach dem Ausfall."
EXPLAINERS = {
    "ausfall-strom": ("Wie kommt der Strom ins Netz?", "Ein Vorspann über den Strom.", ""),
    "ausfall-regen": ("Warum regnet es so viel?", "Ein Vorspann über den Regen.", ""),
    "ausfall-pegel": ("Was ist am Stausee passiert?", "Ein Vorspann über den Pegel.", PASSAGE),
    "ausfall-sperre": (WITHDRAWN_HEADLINE, "Ein Vorspann über die Talsperre.", ""),
    "ausfall-neu": ("Was gilt ab morgen?", "Vorspann der ersten Fassung.", ""),
}
REDACTED, WITHDRAWN, NEW_VERSION = "ausfall-pegel", "ausfall-sperre", "ausfall-neu"

SEED = """
from pathlib import Path
from django.core.management import call_command
for text in sorted(Path({folder!r}).glob("*.txt")):
    call_command("import_explainer", str(text), "--slug", text.stem, "--publish", verbosity=0)
"""
TAKEDOWN = f"""
from explainers.domain.takedown import redact, withdraw
from explainers.models import Explainer
redact(Explainer.objects.get(slug={REDACTED!r}), passage={PASSAGE!r},
       reason="Einstweilige Verfügung.")
withdraw(Explainer.objects.get(slug={WITHDRAWN!r}), note="Wird rechtlich geprüft.")
"""
PUBLISH = f"""
import time
from explainers.domain.publishing import publish
from explainers.models import Explainer
Explainer.objects.filter(slug={NEW_VERSION!r}).update(teaser={NEW_TEASER!r})
publish(Explainer.objects.get(slug={NEW_VERSION!r}), note="Nach dem Ausfall.")
print("PUBLISHED", time.time())
"""


def missing_reason() -> str:
    """Why the scenario cannot run here, or "" if it can (the cluster is checked apart)."""
    if find_varnishd() is None:
        return "varnish is missing: apt-get install -y varnish"
    if shutil.which("wrk") is None:
        return "wrk is missing: apt-get install -y wrk"
    return ""


@dataclass
class Group:
    """What wrk counted for one group of pages."""

    statuses: dict[int, int] = field(default_factory=dict)
    retry_after: int = 0  # 503s carrying Retry-After
    stale: int = 0  # answers marked Warning: 110
    oldest_age: int = 0  # the largest Age of a stale answer (seconds)
    forbidden: int = 0  # bodies holding the redacted passage or the withdrawn headline

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def count(self, low: int, high: int | None = None) -> int:
        high = low if high is None else high
        return sum(n for status, n in self.statuses.items() if low <= status <= high)


@dataclass
class Load:
    """One wrk run: its groups, its socket errors and its output."""

    command: str
    groups: dict[str, Group]
    socket_errors: int
    output: str

    def group(self, name: str) -> Group:
        return self.groups.get(name, Group())

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups.values())

    def count(self, low: int, high: int | None = None) -> int:
        return sum(group.count(low, high) for group in self.groups.values())

    @property
    def forbidden(self) -> int:
        return sum(group.forbidden for group in self.groups.values())


@dataclass
class Outcome:
    outage_seconds: float = OUTAGE_SECONDS
    cache_seconds: int = CACHE_SECONDS
    stale_if_error_seconds: int = STALE_IF_ERROR_SECONDS
    before: dict[str, object] = field(default_factory=dict)  # the takedown, checked
    behind_varnish: Load | None = None
    alone: Load | None = None
    crashed_at: float = 0.0  # seconds into the load
    healthz_during: int = 0
    new_version_seconds: dict[str, float | None] = field(default_factory=dict)
    seconds: float = 0.0

    def failures(self) -> list[str]:
        problems = []
        before = self.before
        if before.get("passage_gone") is not True or before.get("withdrawn_status") != 410:
            problems.append(f"before the crash the takedown did not show: {before}")
        if self.healthz_during != 503:
            problems.append(f"/healthz answered {self.healthz_during} during the outage")
        for name, load in (("behind Varnish", self.behind_varnish), ("alone", self.alone)):
            if load is None:
                problems.append(f"{name}: no load ran")
                continue
            read, unread = load.group("read"), load.group("unread")
            if load.count(500):
                problems.append(f"{name}: {load.count(500)} × 500")
            if load.forbidden:
                problems.append(f"{name}: the redacted or withdrawn text came back "
                                f"{load.forbidden} times")  # fmt: skip
            if load.group("withdrawn").count(200):
                problems.append(f"{name}: the withdrawn page answered 200")
            if unread.count(503) != unread.retry_after:
                problems.append(f"{name}: a 503 without Retry-After")
            if name == "behind Varnish" and read.count(500, 599):
                problems.append(f"{name}: {read.count(500, 599)} × 5xx on pages read before")
            if name == "alone" and not read.count(200):
                problems.append(f"{name}: no held page was answered")
            if not unread.count(503):
                problems.append(f"{name}: pages nobody read never answered 503")
        if self.behind_varnish is not None:
            oldest = self.behind_varnish.group("read").oldest_age
            if oldest > self.cache_seconds + self.stale_if_error_seconds:
                problems.append(f"behind Varnish: a page {oldest} s old, past its grace")
        for name, seconds in self.new_version_seconds.items():
            if seconds is None or seconds > PROMISE_SECONDS:
                problems.append(f"{name}: the new version was not seen within the promise")
        return problems


def production_env(base_env: dict[str, str], database_url: str, folder: Path) -> dict[str, str]:
    from bench.http_load import pinned_release

    return scenario_env(base_env, database_url, folder) | pinned_release() | {
        "DJANGO_SETTINGS_MODULE": "loadtest.outage_settings",
        "NEWSROOM_OUTAGE_STATIC_ROOT": str(folder / "static"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "READER_CACHE_SECONDS": str(CACHE_SECONDS),
        "READER_STALE_IF_ERROR_SECONDS": str(STALE_IF_ERROR_SECONDS),
        "CACHE_PURGE_REPEAT_SECONDS": "0",
    }  # fmt: skip


def seed(desk: Desk, folder: Path) -> None:
    texts = folder / "seed"
    texts.mkdir()
    for slug, (headline, teaser, secret) in EXPLAINERS.items():
        answer = f"Es heißt: {secret}." if secret else "Das erklären wir hier."
        (texts / f"{slug}.txt").write_text(
            f"Titel: {headline}\n\n{teaser}\n\nEine Einleitung in einem Satz.\n\n"
            f"Was ist bekannt?\n\n{answer}\n",
            encoding="utf-8",
        )
    desk.must("shell", "-c", SEED.format(folder=str(texts)))


def read_paths() -> list[str]:
    paths = ["/", "/feed/"]
    for slug in EXPLAINERS:
        if slug != WITHDRAWN:
            paths += [f"/explainers/{slug}/", f"/explainers/{slug}/versions/"]
    return paths


def paths_file(folder: Path) -> Path:
    lines = [f"read {path}" for path in read_paths()]
    lines += [f"withdrawn /explainers/{WITHDRAWN}/", "unread /suche/?q=ausfall{n}"]
    path = folder / "paths.txt"
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def read_everything(base: str, times: int = 1) -> list[tuple[str, int]]:
    """Every page read `times` times; the (path, status) of any that did not answer 200."""
    wrong = []
    for path in read_paths():
        for _ in range(times):
            status = fetch(base, path)[0]
            if status != 200:
                wrong.append((path, status))
    return wrong


def check_takedown(base: str) -> dict[str, object]:
    _status, _headers, body = fetch(base, f"/explainers/{REDACTED}/")
    withdrawn_status = fetch(base, f"/explainers/{WITHDRAWN}/")[0]
    index = fetch(base, "/")[2].decode()
    return {
        "passage_gone": PASSAGE not in body.decode(),
        "withdrawn_status": withdrawn_status,
        "withdrawn_on_index": WITHDRAWN_HEADLINE in index,
    }


def start_wrk(base: str, seconds: float, paths: Path, forbidden: Path) -> subprocess.Popen:
    command = [shutil.which("wrk"), f"-t{CONNECTIONS}", f"-c{CONNECTIONS}"]
    command += [f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(LUA), base + "/"]
    env = os.environ | {"OUTAGE_PATHS": str(paths), "OUTAGE_FORBIDDEN": str(forbidden)}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def finish_wrk(process: subprocess.Popen, seconds: float) -> Load:
    stdout, stderr = process.communicate(timeout=seconds + 60)
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}): {stderr or stdout}")
    groups: dict[str, Group] = defaultdict(Group)
    for name, figure, n in re.findall(r"^OUTAGE (\S+) (\S+) (\d+)$", stdout, re.M):
        group = groups[name]
        if figure.startswith("status:"):
            group.statuses[int(figure.removeprefix("status:"))] = int(n)
        else:
            setattr(group, figure, int(n))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       stdout)  # fmt: skip
    command = " ".join(["wrk", *process.args[1:-3], "loadtest/outage_status.lua"])
    return Load(command, dict(groups), sum(map(int, errors.groups())) if errors else 0, stdout)


def first_sighting(base: str, since: float, within: float = PROMISE_SECONDS + 3) -> float | None:
    """Seconds from `since` (a time.time()) until the new version's page shows its teaser."""
    while time.time() - since < within:
        status, _headers, body = fetch(base, f"/explainers/{NEW_VERSION}/")
        if status == 200 and NEW_TEASER in body.decode():
            return time.time() - since
        time.sleep(0.02)
    return None


def run_cache_outage(base_env: dict[str, str], log=print, outage_seconds=OUTAGE_SECONDS):
    """The whole scenario on a fresh throwaway cluster, removed afterwards."""
    started = time.monotonic()
    outcome = Outcome(outage_seconds=outage_seconds)
    with (
        tempfile.TemporaryDirectory(prefix="newsroom-cache-outage-") as work,
        ThrowawayCluster() as cluster,
    ):
        folder = Path(work)
        desk = Desk(production_env(base_env, cluster.create_database(DATABASE), folder))
        log(f"  throwaway PostgreSQL on 127.0.0.1:{cluster.port}; migrating, seeding …")
        collecting = subprocess.Popen(  # no database needed: beside the migration
            desk.command("collectstatic", "--noinput", "-v0"), cwd=ROOT, env=desk.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        desk.must("migrate", "--noinput", "-v0")
        collected = collecting.communicate(timeout=120)[0]
        if collecting.returncode != 0:
            raise RuntimeError(f"collectstatic failed:\n{collected}")
        seed(desk, folder)
        log(f"  data ready after {time.monotonic() - started:.1f} s")
        with (
            Server(desk.env, 2, folder / "gunicorn-behind.log") as behind,
            Server(desk.env, 2, folder / "gunicorn-alone.log") as alone,
            varnish_in_front_of(behind.port, folder / "varnish") as cache,
        ):
            desk.env["CACHE_PURGE_URLS"] = cache + "/"
            _under_outage(cluster, desk, cache, alone, folder, outcome, log)
    outcome.seconds = time.monotonic() - started
    return outcome


def _under_outage(cluster, desk, cache, alone, folder, outcome, log) -> None:
    for base in (cache, alone.base):
        wrong = read_everything(base)
        if wrong:
            raise RuntimeError(f"before the outage {base} answered {wrong}")
    desk.must("shell", "-c", TAKEDOWN)
    outcome.before = check_takedown(cache)
    outcome.before["alone"] = check_takedown(alone.base)
    read_everything(cache)
    read_everything(alone.base, times=4)  # each worker holds them
    forbidden = folder / "forbidden.txt"
    forbidden.write_text(f"{PASSAGE}\n{WITHDRAWN_HEADLINE}\n", encoding="utf-8")
    paths = paths_file(folder)
    seconds = outcome.outage_seconds + 2  # from 1 s before the crash to 1 s after the restart
    loads = [start_wrk(base, seconds, paths, forbidden) for base in (cache, alone.base)]
    load_started = time.monotonic()
    time.sleep(1)
    cluster.stop("immediate")
    outcome.crashed_at = time.monotonic() - load_started
    log(f"  PostgreSQL crashed under load; down for {outcome.outage_seconds:.0f} s …")
    time.sleep(outcome.outage_seconds / 2)
    outcome.healthz_during = fetch(alone.base, "/healthz")[0]
    time.sleep(max(0.0, load_started + outcome.crashed_at + outcome.outage_seconds
                   - time.monotonic()))  # fmt: skip
    cluster.start()
    outcome.behind_varnish, outcome.alone = (finish_wrk(load, seconds) for load in loads)
    published = desk.must("shell", "-c", PUBLISH)
    done = float(re.search(r"^PUBLISHED (\S+)$", published.stdout, re.M).group(1))
    outcome.new_version_seconds = {
        "behind Varnish": first_sighting(cache, done),
        "alone": first_sighting(alone.base, done),
    }
    log(f"  new version seen after {outcome.new_version_seconds}")


def summary(outcome: Outcome) -> dict:
    """The figures, as plain data (for `python -m loadtest.cache_outage`)."""
    loads = {"behind Varnish": outcome.behind_varnish, "alone": outcome.alone}
    return {
        "before": outcome.before,
        "healthz_during": outcome.healthz_during,
        "loads": {
            name: {group: vars(counts) for group, counts in load.groups.items()}
            for name, load in loads.items()
            if load is not None
        },
        "new_version_seconds": outcome.new_version_seconds,
        "seconds": round(outcome.seconds, 1),
    }


def main() -> int:
    """`python -m loadtest.cache_outage`: the scenario alone; prints its figures."""
    outcome = run_cache_outage(dict(os.environ))
    print(json.dumps(summary(outcome), indent=2, default=str))
    failures = outcome.failures()
    print("failures:", failures or "none")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

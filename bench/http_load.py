"""The HTTP part: gunicorn as in production, and nginx serving the static bake, loaded
with wrk over loopback."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.servers import ServerFailure, fetch, find_nginx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
WRK_SCRIPT = BENCH_DIR / "wrk_status.lua"


BenchFailure = ServerFailure  # one failure type for servers and measurements


@dataclass
class Target:
    name: str
    path: str
    expect: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    paths_file: Path | None = None  # wrk cycles through these paths instead of `path`
    shown_path: str = ""  # for the report, when `path` alone would mislead
    server: str = "main"  # which of the running servers answers it (see run.py)
    goal: float | None = None  # req/s ÷ Django's default floor to reach; printed, not asserted


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: int


@dataclass
class Summary:
    target: Target
    rounds: list[WrkResult]

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.rounds)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.rounds)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.rounds)

    def unexpected(self) -> dict[int | str, int]:
        """Responses that were not the intended status, and socket errors, over all rounds."""
        bad: dict[int | str, int] = {}
        for result in self.rounds:
            for status, n in result.statuses.items():
                if status != self.target.expect:
                    bad[status] = bad.get(status, 0) + n
            if result.socket_errors:
                bad["socket errors"] = bad.get("socket errors", 0) + result.socket_errors
        return bad


# wrk


def ensure_wrk(log) -> str:
    """Path of wrk, installed with apt-get when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk not found: apt-get update && apt-get install -y wrk")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise BenchFailure("wrk could not be installed")
    return found


def run_wrk(wrk: str, base: str, target: Target, seconds: int, threads: int, connections: int):
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(WRK_SCRIPT)]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(base + target.path)
    env = os.environ | {"BENCH_PATHS": str(target.paths_file or "")}
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise BenchFailure(f"wrk failed on {target.name}: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise BenchFailure(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Requests/sec, the 50 % and 99 % latencies, the status counts of our Lua script and
    the socket errors from wrk's output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    status_line = re.search(r"^STATUS(.*)$", output, re.M)
    if not (rps and p50 and p99 and status_line):
        raise BenchFailure(f"unreadable wrk output:\n{output}")
    statuses = {
        int(status): int(n) for status, n in re.findall(r"(\d+)=(\d+)", status_line.group(1))
    }
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = sum(int(n) for n in errors.groups()) if errors else 0
    return WrkResult(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), statuses,
                     socket_errors)  # fmt: skip


def measure(wrk, bases, targets, *, rounds, seconds, threads, connections, log) -> list[Summary]:
    """Every target once per round, rounds alternating, so drift hits all targets alike.
    `bases` maps a target's server name to its base URL."""
    results: dict[str, list[WrkResult]] = {t.name: [] for t in targets}
    for round_number in range(1, rounds + 1):
        for target in targets:
            base = bases[target.server]
            result = run_wrk(wrk, base, target, seconds, threads, connections)
            results[target.name].append(result)
            log(
                f"  round {round_number}/{rounds} {target.name:<42} {result.rps:8.1f} req/s"
                f"  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
            )
    return [Summary(t, results[t.name]) for t in targets]


# settings


def loopback_environment(own_sqlite: Path, who: str) -> tuple[dict[str, str], str]:
    """Production settings for this process and gunicorn on loopback (plain HTTP), on
    `own_sqlite` unless DATABASE_URL names PostgreSQL; and a warning, if any."""
    warning = ""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        warning = f"DATABASE_URL is PostgreSQL: {who} WRITES its data set into that database."
    else:
        if database_url:
            warning = f"DATABASE_URL={database_url!r} ignored: {who} uses its own SQLite file."
        database_url = f"sqlite:///{own_sqlite}"
    env = {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": "http://127.0.0.1",  # required with DEBUG off; nothing follows it
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "NEWSROOM_BENCH_FLOOR": "1",  # the floor view; Server waits for it
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "PYTHONUNBUFFERED": "1",
    }
    return env, warning


def pinned_release() -> dict[str, str]:
    """RELEASE for this process and every server it starts, as a deploy sets it: computed
    once now, so an edit to the checkout during a run does not make the servers disown the
    article bodies stored while the data set was built (newsroom/release.py)."""
    from newsroom.release import code_release

    return {"RELEASE": os.environ.get("RELEASE") or code_release(ROOT)}


def prepare_database(is_sqlite: bool, who: str, example_database: str) -> None:
    """Migrate and collect static files (whitenoise's manifest, DEBUG off); refuse a
    PostgreSQL database that already holds explainers, since `who` writes its own."""
    from django.core.management import call_command

    from explainers.models import Explainer

    call_command("migrate", interactive=False, verbosity=0)
    if not is_sqlite and Explainer.objects.exists():
        raise SystemExit(
            f"The PostgreSQL database in DATABASE_URL already holds explainers. {who} builds "
            f"its own data set: point DATABASE_URL at an empty database (e.g. createdb "
            f"{example_database}) and run again."
        )
    call_command("collectstatic", interactive=False, verbosity=0)


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# gunicorn


# nginx serving the static bake (manage.py bake)


def ensure_nginx(log) -> str:
    """Path of nginx, installed with apt-get when missing."""
    found = find_nginx()
    if found:
        return found
    log("nginx not found: apt-get update && apt-get install -y nginx")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True)
    found = find_nginx()
    if not found:
        raise BenchFailure("nginx could not be installed")
    return found


# checks before measuring


def check(bases: dict[str, str], targets: list[Target]) -> None:
    """Every URL that will be measured answers as intended, or the bench stops here."""
    wrong = []
    for target in targets:
        base = bases[target.server]
        paths = target.paths_file.read_text().split() if target.paths_file else [target.path]
        for path in paths:
            status = fetch(base, path, target.headers)[0]
            if status != target.expect:
                wrong.append(f"{target.name}: GET {path} answered {status}, not {target.expect}")
    if wrong:
        raise BenchFailure("URLs to measure do not answer as intended:\n" + "\n".join(wrong))

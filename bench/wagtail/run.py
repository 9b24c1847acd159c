"""Wagtail beside us, in one sitting: a pinned Wagtail in its own venv, a minimal Wagtail
project generated at run time with an ExplainerPage of 8 question/answer blocks made of the
same text as our 8-question explainer, then the write path (ours: admin save + publish();
Wagtail: save_revision() + publish()) and the page render in-process, and both pages over
HTTP (gunicorn, wrk) against Django's default floor in alternating rounds.

Not part of CI or `make bench`. From the project root (a few minutes, PyPI reachable):
`.venv/bin/python bench/wagtail/run.py [--rounds 3] [--seconds 5]`
Writes bench/results/wagtail.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import importlib.metadata
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_load, report  # noqa: E402
from bench.texts import SEED, Words, make_document  # noqa: E402
from bench.wagtail import project  # noqa: E402
from tests.support import servers  # noqa: E402

WAGTAIL = "wagtail==7.4.4"  # the newest 7.x on PyPI supporting Django 5.2 (December 2026)
TMP = Path(tempfile.gettempdir())
VENV = TMP / "newsroom-wagtail-bench-venv"
OURS_SQLITE = TMP / "newsroom-bench-wagtail-ours.sqlite3"
RESULTS = ROOT / "bench" / "results" / "wagtail.md"
WORKERS = 2
DEFAULT_FLOOR = "floor, Django's default (startproject middleware)"


def log(message: str) -> None:
    print(message, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds over all targets")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per target")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (-c)")
    return parser.parse_args()


def pins() -> list[str]:
    """Wagtail pinned; Django and gunicorn at the versions our own venv runs."""
    same = [f"{name}=={importlib.metadata.version(name)}" for name in ("Django", "gunicorn")]
    return [WAGTAIL, *same]


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        log(f"creating {VENV} …")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    log(f"pip install {' '.join(pins())} …")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins()],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise http_load.BenchFailure(f"pip install failed:\n{done.stdout}{done.stderr}")
    return python


class Side:
    """One side's measuring process (measure_wagtail.py or measure_ours.py): started, it
    builds its page and says READY; each `round()` asks for one round of measurements."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict, folder: Path):
        self.name = name
        self.out = folder / f"{name}.jsonl"
        self.errors = folder / f"{name}.log"
        with self.errors.open("w") as errors:
            self.process = subprocess.Popen(
                [*command, str(self.out)],
                cwd=cwd,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        self.wait_for("READY")

    def wait_for(self, word: str) -> None:
        for line in self.process.stdout:  # log lines may come first
            if line.strip() == word:
                return
        self.process.wait()
        tail = self.errors.read_text(errors="replace")[-4000:]
        raise http_load.BenchFailure(f"{self.name} measurement failed:\n{tail}")

    def round(self) -> None:
        self.process.stdin.write("round\n")
        self.process.stdin.flush()
        self.wait_for("DONE")

    def results(self) -> list[dict]:
        return [json.loads(line) for line in self.out.read_text().splitlines()]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def in_process(python: Path, folder: Path, secret: str, env: dict, rounds: int):
    """Both sides built, then their measurement rounds alternating (Wagtail, ours, …), so a
    machine that gets busier or quieter meanwhile moves both alike. Returns each side's
    median over the rounds, with the rounds' values."""
    project.write(folder, make_document(Words(SEED + 8), "bench-eight-questions", 8, []))
    shutil.copy(HERE / "measure_wagtail.py", folder / "measure_wagtail.py")
    wagtail_env = {"PATH": os.environ["PATH"], "DJANGO_SECRET_KEY": secret}
    wagtail_env["DJANGO_SETTINGS_MODULE"] = "wagbench.settings"
    http_load.remove_sqlite(OURS_SQLITE)
    sides = []
    try:
        log(f"Wagtail project in {folder}: migrate, build and publish the page …")
        sides.append(Side("wagtail", [str(python), "measure_wagtail.py"], folder, wagtail_env,
                          folder))  # fmt: skip
        log("ours: migrate, import and publish the same document …")
        sides.append(Side("ours", [sys.executable, str(HERE / "measure_ours.py")], ROOT,
                          os.environ | env, folder))  # fmt: skip
        for number in range(1, rounds + 1):
            for side in sides:
                side.round()
                last = side.results()[-1]
                log(f"  round {number}/{rounds} {side.name:<8} save + publish "
                    f"{last['save_publish_ms']:6.1f} ms ({last['save_publish_sql']} SQL), "
                    f"render {last['render_ms']:5.1f} ms")  # fmt: skip
    finally:
        for side in sides:
            side.close()
    return [summarise(side.results()) for side in sides]


def summarise(rounds: list[dict]) -> dict:
    summary = dict(rounds[-1])
    for key in rounds[-1]:
        if key.endswith(("_ms", "_sql")):
            summary[key] = statistics.median(r[key] for r in rounds)
            summary[f"{key}_rounds"] = [r[key] for r in rounds]
    return summary


class WagtailServer:
    """gunicorn from the Wagtail venv serving the generated project."""

    def __init__(self, python: Path, folder: Path, secret: str, path: str) -> None:
        self.port = servers.free_port()
        self.base = f"http://{servers.HOST}:{self.port}"
        self.command = [str(python.parent / "gunicorn"), "wagbench.wsgi:application"]
        self.command += ["--bind", f"{servers.HOST}:{self.port}", "--workers", str(WORKERS)]
        self.command += ["--worker-class", "sync", "--log-level", "warning"]
        self.folder, self.path = folder, path
        self.env = {"PATH": os.environ["PATH"], "DJANGO_SECRET_KEY": secret}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> WagtailServer:
        self.log_file = (self.folder / "gunicorn.log").open("w")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.folder,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if servers.fetch(self.base, self.path)[0] == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        self.__exit__()
        log_text = (self.folder / "gunicorn.log").read_text(errors="replace")[-3000:]
        raise http_load.BenchFailure(f"Wagtail's gunicorn did not answer:\n{log_text}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def http_part(args, python, folder, secret, env, ours, wagtail) -> list[http_load.Summary]:
    Target = http_load.Target
    wrk = http_load.ensure_wrk(log)
    floor = f"/bench/floor/{ours['bytes']}/"
    default_env = os.environ | env | {"DJANGO_SETTINGS_MODULE": "bench.default_floor_settings"}
    cold_env = os.environ | env | {"NEWSROOM_READER_CACHE": "0"}
    logs = {name: folder / f"gunicorn-{name}.log" for name in ("default", "main", "cold")}
    with (
        servers.Server(default_env, WORKERS, logs["default"]) as default_server,
        servers.Server(os.environ | env, WORKERS, logs["main"]) as main_server,
        servers.Server(cold_env, WORKERS, logs["cold"]) as cold_server,
        WagtailServer(python, folder, secret, wagtail["url"]) as wagtail_server,
    ):
        bases = {
            "default": default_server.base,
            "main": main_server.base,
            "cold": cold_server.base,
            "wagtail": wagtail_server.base,
        }
        targets = [
            Target(DEFAULT_FLOOR, floor, server="default"),
            Target("ours, 8 questions, cold (page caching off)", ours["url"], server="cold"),
            Target(
                "Wagtail, 8 question blocks (renders every request)",
                wagtail["url"],
                server="wagtail",
            ),  # fmt: skip
            Target("ours, 8 questions, warm", ours["url"]),
        ]
        http_load.check(bases, targets)
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
        if summary.unexpected():
            raise http_load.BenchFailure(f"{summary.target.name}: {summary.unexpected()}")
    return summaries


def document(args, ours: dict, wagtail: dict, summaries, seconds: float) -> str:
    def row(name: str, side: dict, ms: str, sql: str) -> str:
        rounds = " / ".join(f"{v:.0f}" for v in side[f"{ms}_rounds"])
        return f"| {name} | {side[ms]:.1f} ms | {side[sql]:.0f} | {rounds} |"

    by_name = {s.target.name: s for s in summaries}
    cold = by_name["ours, 8 questions, cold (page caching off)"]
    wagtail_page = by_name["Wagtail, 8 question blocks (renders every request)"]
    pairs = zip(cold.rounds, wagtail_page.rounds, strict=True)
    cold_vs_wagtail = statistics.median(o.rps / w.rps for o, w in pairs)
    # each round's two write paths ran minutes apart at most: their ratio drifts less with
    # the machine's speed than the two medians do
    writes = zip(ours["save_publish_ms_rounds"], wagtail["save_publish_ms_rounds"], strict=True)
    write_vs_wagtail = statistics.median(o / w for o, w in writes)
    lines = [
        "# Wagtail beside us",
        "",
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- command: `.venv/bin/python bench/wagtail/run.py --rounds {args.rounds} "
        f"--seconds {args.seconds}`",
        f"- machine: nproc {os.cpu_count()}, {platform.machine()}, Python "
        f"{platform.python_version()}, SQLite both sides, DEBUG off both sides; load average "
        f"at the end {' / '.join(f'{v:.2f}' for v in os.getloadavg())}",
        f"- Wagtail {wagtail['wagtail']} (Django {wagtail['django']}); ours on Django "
        f"{ours['django']}; took {seconds:.0f} s",
        f"- page size: ours {ours['bytes']:,} bytes, Wagtail's {wagtail['bytes']:,} bytes "
        f"(same 8 questions, answers, sources and teaser text: bench/texts.py)",
        "",
        f"## Write path (in-process: median of 10 per round, median of {args.rounds} rounds, "
        f"the two sides alternating)",
        "",
        "| step | time | SQL | ms per round |",
        "|---|---:|---:|---|",
        row(
            "ours: admin save (change form POST) + publish()",
            ours,
            "save_publish_ms",
            "save_publish_sql",
        ),  # fmt: skip
        row("— of which the admin save", ours, "save_ms", "save_sql"),
        row("— of which publish()", ours, "publish_ms", "publish_sql"),
        row(
            "Wagtail: save_revision() + publish()", wagtail, "save_publish_ms", "save_publish_sql"
        ),  # fmt: skip
        "",
        f"Save + publish, ours ÷ Wagtail's time (median of the per-round ratios): "
        f"{write_vs_wagtail:.2f}×.",
        "",
        f"## Render (in-process, Django test client: median of 50 per round, median of "
        f"{args.rounds} rounds)",
        "",
        "| page | time | SQL | ms per round |",
        "|---|---:|---:|---|",
        row("ours, cold (caches emptied each time)", ours, "render_ms", "render_sql"),
        row("Wagtail (no page cache: renders every request)", wagtail, "render_ms", "render_sql"),
        "",
        f"## HTTP (gunicorn {WORKERS} sync workers each, wrk -t{args.threads} "
        f"-c{args.connections}, {args.rounds} rounds × {args.seconds} s, targets alternating)",
        "",
        report.http_table(summaries, DEFAULT_FLOOR),
        "",
        f"Cold page, ours ÷ Wagtail's req/s (median of the per-round ratios): "
        f"{cold_vs_wagtail:.2f}×.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    secret = secrets.token_urlsafe(50)
    env, _warning = http_load.loopback_environment(OURS_SQLITE, "the Wagtail comparison")
    env["DATABASE_URL"] = f"sqlite:///{OURS_SQLITE}"  # never a PostgreSQL from the shell
    env["DJANGO_SECRET_KEY"] = secret
    env |= http_load.pinned_release()
    folder = Path(tempfile.mkdtemp(prefix="newsroom-wagtail-bench-"))
    try:
        python = ensure_venv()
        wagtail, ours = in_process(python, folder, secret, env, args.rounds)
        log("HTTP …")
        summaries = http_part(args, python, folder, secret, env, ours, wagtail)
    except http_load.BenchFailure as failure:
        log(f"\nWAGTAIL BENCH FAILED: {failure}")
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        http_load.remove_sqlite(OURS_SQLITE)
    text = document(args, ours, wagtail, summaries, time.perf_counter() - started)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    log("\n" + text)
    log(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

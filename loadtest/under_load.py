"""The run itself: wrk, the publisher process and the sampler at the same time against one
gunicorn, and one of its workers killed with SIGKILL partway through."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from loadtest.consistency import PROMISE_SECONDS
from loadtest.load import LoadResult, run_load
from loadtest.publisher import PREFIX
from loadtest.sampler import Sample, Sampler
from loadtest.workers import Kill, children, kill_one_worker
from tests.support.servers import Server

ROOT = Path(__file__).resolve().parent.parent
PUBLISHER_STDERR = Path(tempfile.gettempdir()) / "newsroom-loadtest-publisher.log"


@dataclass
class Plan:
    seconds: int
    connections: int
    threads: int
    kill_at: float  # seconds into the run; negative: no kill
    samples_per_second: float


@dataclass
class Run:
    started: float = 0.0  # time.time() of "go"
    load: LoadResult | None = None
    load_error: str = ""
    publishes: list[dict] = field(default_factory=list)  # the publisher's JSON lines
    publisher_exit: int | None = None
    publisher_stderr: str = ""
    samples: list[Sample] = field(default_factory=list)
    samples_skipped: int = 0  # due while the sampler had 8 requests out already
    kill: Kill | None = None
    kill_error: str = ""
    workers_after: set[int] = field(default_factory=set)
    master_alive: bool = False


class Publisher:
    """loadtest/publisher.py in its own OS process; its lines are collected as they come,
    its stderr goes to a file (a full pipe would stall it)."""

    def __init__(self, slug: str, seconds: int, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "loadtest.publisher", slug, "--seconds", str(seconds)]
        self.stderr = PUBLISHER_STDERR.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
        )  # fmt: skip
        self.records: list[dict] = []
        self.other_output: list[str] = []  # Django's log lines
        for line in self.process.stdout:
            if line.startswith(PREFIX) and json.loads(line.removeprefix(PREFIX)).get("ready"):
                break
            self.other_output.append(line)
        else:
            self.finish(timeout=10)
            raise RuntimeError(f"publisher did not start:\n{''.join(self.other_output)}")
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            if line.startswith(PREFIX):
                self.records.append(json.loads(line.removeprefix(PREFIX)))
            else:
                self.other_output.append(line)

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def finish(self, timeout: float) -> tuple[int, str]:
        """Its exit status and the end of its stderr."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:  # reported through its exit status (-9)
            self.process.kill()
            self.process.wait()
        if hasattr(self, "reader"):
            self.reader.join(timeout=10)
        for pipe in (self.process.stdin, self.process.stdout, self.stderr):
            pipe.close()
        return self.process.returncode, PUBLISHER_STDERR.read_text(errors="replace")[-2000:]


def run_under_load(server: Server, plan: Plan, paths_file: Path, hot_slug: str, wrk: str,
                   env: dict[str, str], workers: int, log) -> Run:  # fmt: skip
    run = Run()
    publisher = Publisher(hot_slug, plan.seconds, env)
    sampler = Sampler(server.base, f"/explainers/{hot_slug}/", plan.samples_per_second)

    def load() -> None:
        try:
            run.load = run_load(
                wrk, server.base, paths_file, seconds=plan.seconds,
                connections=plan.connections, threads=plan.threads,
            )  # fmt: skip
        except Exception as error:  # reported, and the run fails
            run.load_error = f"{type(error).__name__}: {error}"

    loader = threading.Thread(target=load, name="wrk", daemon=True)
    try:
        run.started = time.time()
        publisher.go()
        loader.start()
        sampler.start()
        log(f"  under load for {plan.seconds} s: wrk -c{plan.connections}, publishing every second")
        if plan.kill_at >= 0:
            time.sleep(max(0.0, run.started + plan.kill_at - time.time()))
            try:
                run.kill = kill_one_worker(server.process.pid, workers, within=30)
                log(
                    f"  SIGKILL worker {run.kill.victim} at {run.kill.at - run.started:.1f} s: "
                    f"replaced by {run.kill.replacement} after {run.kill.replaced_after:.2f} s"
                )
            except Exception as error:
                run.kill_error = f"{type(error).__name__}: {error}"
        loader.join(timeout=plan.seconds + 120)
        run.publisher_exit, run.publisher_stderr = publisher.finish(timeout=60)
        time.sleep(PROMISE_SECONDS + 0.5)  # the last publication must reach the sampler too
    finally:
        sampler.stop()
        if run.publisher_exit is None:
            run.publisher_exit, run.publisher_stderr = publisher.finish(timeout=5)
    run.publishes = publisher.records
    run.samples = sampler.samples
    run.samples_skipped = sampler.skipped
    run.workers_after = children(server.process.pid)
    run.master_alive = server.process.poll() is None
    return run

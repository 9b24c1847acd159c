"""One long wrk run over many reader paths (bench/wrk_status.lua cycles through them and counts
every status), read with the bench's parser plus what a load test also needs: the number
of requests, the maximum latency and the socket errors by kind."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.http_load import WRK_SCRIPT, BenchFailure, WrkResult, parse_wrk


@dataclass
class LoadResult:
    command: str
    seconds: int
    connections: int
    wrk: WrkResult
    requests: int
    p90_ms: float
    max_ms: float
    socket_errors: dict[str, int]
    output: str

    @property
    def five_xx(self) -> int:
        return sum(n for status, n in self.wrk.statuses.items() if status >= 500)

    @property
    def other_than_200(self) -> dict[int, int]:
        return {status: n for status, n in self.wrk.statuses.items() if status != 200}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_load(
    wrk: str, base: str, paths_file: Path, *, seconds: int, connections: int, threads: int
) -> LoadResult:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(WRK_SCRIPT), base + "/"]
    done = subprocess.run(
        command,
        env=os.environ | {"BENCH_PATHS": str(paths_file)},
        capture_output=True,
        text=True,
        timeout=seconds + 90,
        check=False,
    )
    if done.returncode != 0:
        raise BenchFailure(f"wrk failed: {done.stderr or done.stdout}")
    output = done.stdout
    requests = re.search(r"^\s*(\d+) requests in", output, re.M)
    p90 = re.search(r"^\s+90%\s+(\S+)", output, re.M)
    latency = re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", output, re.M)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    kinds = ("connect", "read", "write", "timeout")
    return LoadResult(
        command=" ".join([Path(wrk).name, *command[1:-1], base + "/ (BENCH_PATHS)"]),
        seconds=seconds,
        connections=connections,
        wrk=parse_wrk(output),
        requests=int(requests.group(1)) if requests else 0,
        p90_ms=_ms(p90.group(1)) if p90 else 0.0,
        max_ms=_ms(latency.group(1)) if latency else 0.0,
        socket_errors=dict(zip(kinds, map(int, errors.groups()), strict=True))
        if errors
        else dict.fromkeys(kinds, 0),
        output=output,
    )

"""The results as Markdown: one HTTP table with ratios to the floor, the in-process figures."""

from __future__ import annotations

import statistics

from bench.http_load import Summary
from bench.inprocess import Figure


def _ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def http_table(summaries: list[Summary], floor_name: str) -> str:
    floor = next(s for s in summaries if s.target.name == floor_name)
    lines = [
        "| target | path | req/s | p50 | p99 | req/s ÷ floor | p50 ÷ floor | req/s per round |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in summaries:
        rounds = " / ".join(f"{r.rps:.0f}" for r in s.rounds)
        path = s.target.shown_path or s.target.path
        # Each round against the floor of the same round, then the median: a machine that
        # gets busier between rounds moves both sides of a ratio alike.
        pairs = list(zip(s.rounds, floor.rounds, strict=True))
        rps_ratio = statistics.median(r.rps / f.rps for r, f in pairs)
        p50_ratio = statistics.median(r.p50_ms / f.p50_ms for r, f in pairs)
        lines.append(
            f"| {s.target.name} | `{path}` | {s.rps:.1f} | {_ms(s.p50_ms)} "
            f"| {_ms(s.p99_ms)} | {rps_ratio:.2f} | {p50_ratio:.1f}× "
            f"| {rounds} |"
        )
    return "\n".join(lines)


def figures_table(figures: list[Figure]) -> str:
    lines = ["| measurement | value |", "|---|---|"]
    lines += [f"| {f.name} | {f.value} |" for f in figures]
    return "\n".join(lines)


def document(
    *, header: list[str], http: str, figures: str, notes: list[str], failures: list[str]
) -> str:
    parts = [
        "# Benchmark results",
        "",
        *[f"- {line}" for line in header],
        "",
        "## HTTP (gunicorn, wrk; median of the rounds)",
        "",
        http,
        "",
        "## In-process (Django test client / domain API, same settings)",
        "",
        figures,
        "",
        "## Notes",
        "",
        *[f"- {line}" for line in notes],
    ]
    if failures:
        parts += ["", "## FAILURES", "", *[f"- {line}" for line in failures]]
    return "\n".join(parts) + "\n"

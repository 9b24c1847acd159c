"""The results as Markdown: the goals, one HTTP table with ratios to Django's default floor,
the in-process figures."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

from bench.http_load import Summary

if TYPE_CHECKING:  # inprocess needs Django set up; bench/wagtail/ reports without it
    from bench.inprocess import Figure


def _ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def ratios(summary: Summary, floor: Summary) -> tuple[float, float]:
    """req/s ÷ floor and p50 ÷ floor: each round against the floor of the same round, then
    the median, so a machine that gets busier between rounds moves both sides alike."""
    pairs = list(zip(summary.rounds, floor.rounds, strict=True))
    rps_ratio = statistics.median(r.rps / f.rps for r, f in pairs)
    p50_ratio = statistics.median(r.p50_ms / f.p50_ms for r, f in pairs)
    return rps_ratio, p50_ratio


def verdict(ratio: float, goal: float | None) -> str:
    if goal is None:
        return "–"
    return f"≥ {goal:.2f} {'met' if ratio >= goal else '**missed**'}"


def http_table(summaries: list[Summary], floor_name: str) -> str:
    floor = next(s for s in summaries if s.target.name == floor_name)
    lines = [
        "| target | path | req/s | p50 | p99 | req/s ÷ floor | goal | p50 ÷ floor "
        "| req/s per round |",
        "|---|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for s in summaries:
        rounds = " / ".join(f"{r.rps:.0f}" for r in s.rounds)
        path = s.target.shown_path or s.target.path
        rps_ratio, p50_ratio = ratios(s, floor)
        lines.append(
            f"| {s.target.name} | `{path}` | {s.rps:.1f} | {_ms(s.p50_ms)} "
            f"| {_ms(s.p99_ms)} | {rps_ratio:.2f} | {verdict(rps_ratio, s.target.goal)} "
            f"| {p50_ratio:.1f}× | {rounds} |"
        )
    return "\n".join(lines)


def goals_list(summaries: list[Summary], floor_name: str) -> list[str]:
    """One line per target with a goal, for the top of the report."""
    floor = next(s for s in summaries if s.target.name == floor_name)
    return [
        f"{s.target.name}: {ratios(s, floor)[0]:.2f} × the default floor, "
        f"{verdict(ratios(s, floor)[0], s.target.goal)}"
        for s in summaries
        if s.target.goal is not None
    ]


def figures_table(figures: list[Figure]) -> str:
    lines = ["| measurement | value |", "|---|---|"]
    lines += [f"| {f.name} | {f.value} |" for f in figures]
    return "\n".join(lines)


def document(
    *,
    header: list[str],
    goals: list[str],
    http: str,
    figures: str,
    notes: list[str],
    failures: list[str],
) -> str:
    parts = [
        "# Benchmark results",
        "",
        *[f"- {line}" for line in header],
        "",
        "## Goals (req/s ÷ Django's default floor; printed, never asserted)",
        "",
        *[f"- {line}" for line in goals],
        "",
        "## HTTP (gunicorn, wrk; median of the rounds; floor = Django's default floor)",
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

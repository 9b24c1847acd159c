"""loadtest/results/latest.md: what ran, the figures under load, the faults injected and
what survived them, and every failure."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from loadtest import cache_outage
from loadtest.consistency import PROMISE_SECONDS, Consistency, Published
from loadtest.pg_outage import Outcome
from loadtest.under_load import Run


@dataclass
class Results:
    header: list[str]
    run: Run
    consistency: Consistency
    published: list[Published]  # the baseline (step 0) first
    integrity: list[str]
    explainers: int
    publications: int
    outage: Outcome | None = None
    outage_skipped: str = ""
    cache_outage: cache_outage.Outcome | None = None
    cache_outage_skipped: str = ""
    failures: list[str] = field(default_factory=list)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def load_rows(results: Results) -> list[tuple[str, str]]:
    run, consistency = results.run, results.consistency
    rows = []
    if run.load is None:
        return [("wrk", f"FAILED: {run.load_error}")]
    load = run.load
    statuses = ", ".join(f"{s}: {_n(n)}" for s, n in sorted(load.wrk.statuses.items()))
    errors = load.socket_errors
    rows += [
        ("requests served (wrk)", f"{_n(load.requests)} in {load.seconds} s"),
        ("throughput", f"{load.wrk.rps:.0f} req/s"),
        ("latency p50 / p90 / p99 / max",
         " / ".join(_ms(v) for v in (load.wrk.p50_ms, load.p90_ms, load.wrk.p99_ms, load.max_ms))),
        ("responses by status", statuses),
        ("5xx", str(load.five_xx)),
        ("other non-200", str(sum(load.other_than_200.values()) - load.five_xx)),
        ("socket errors (wrk)", ", ".join(f"{k} {v}" for k, v in errors.items())),
    ]  # fmt: skip
    publishes = results.published[1:]
    durations = [(p.done - p.started) * 1000 for p in publishes]
    errors_published = [r for r in run.publishes if "error" in r]
    numbers = f"v{publishes[0].number}–v{publishes[-1].number}" if publishes else "none"
    rows.append(
        (
            "publications by the second process",
            f"{len(publishes)} ({numbers}), {len(errors_published)} failed"
            + (
                f"; publish() median {statistics.median(durations):.0f} ms, "
                f"max {max(durations):.0f} ms"
                if durations
                else ""
            ),
        )
    )
    rows += [
        (
            "hot page samples",
            f"{consistency.samples} ({consistency.consistent} consistent 200s; "
            f"{run.samples_skipped} skipped while 8 were out)",
        ),
        ("pages mixing two versions", str(len(consistency.mixes))),
        ("pages showing an unpublished version", str(len(consistency.unknown))),
        (
            "staleness, publish → first sighting",
            f"median {consistency.median_staleness:.2f} s, max "
            f"{consistency.max_staleness:.2f} s over {len(consistency.staleness)} publications "
            f"(promise {PROMISE_SECONDS:.0f} s)",
        ),
        ("pages older than the promise", str(len(consistency.late))),
        ("publications never seen by the sampler", str(len(consistency.unseen))),
    ]
    return rows


def fault_rows(results: Results) -> list[tuple[str, str, str]]:
    run, consistency = results.run, results.consistency
    rows = []
    if run.kill is not None:
        kill = run.kill
        at = kill.at - run.started
        after = [s for s in run.samples if kill.at <= s.started <= kill.at + 5]
        socket = sum(run.load.socket_errors.values()) if run.load else "?"
        rows.append(
            (
                f"SIGKILL to gunicorn worker {kill.victim} at {at:.1f} s",
                f"master started worker {kill.replacement} after {kill.replaced_after:.2f} s; "
                f"wrk socket errors over the whole run: {socket}; sampler requests lost at the "
                f"kill: {len(consistency.lost_at_kill)}; sampler in the 5 s after: "
                f"{sum(s.status == 200 for s in after)} × 200 of {len(after)}; workers at the "
                f"end: {len(run.workers_after)}, master alive: {run.master_alive}",
                "yes" if kill.replaced and run.master_alive else "NO",
            )
        )
    elif run.kill_error:
        rows.append(("SIGKILL to a gunicorn worker", f"FAILED: {run.kill_error}", "NO"))
    rows.append(
        (
            "half-written publications after the run",
            f"{len(results.integrity)} problems over {results.explainers} explainers and "
            f"{results.publications} publications (numbers 1..N without gaps, current pointer "
            "on the latest, document, rendered answers, hashes, search rows, revisions)",
            "yes" if not results.integrity else "NO",
        )
    )
    rows += outage_rows(results)
    return rows


def _clear(run) -> str:
    return "clear German message" if run.is_clear_failure else "NOT clear: Python traceback"


def outage_rows(results: Results) -> list[tuple[str, str, str]]:
    outage = results.outage
    if outage is None:
        return [("PostgreSQL stopped during a publish", f"not run: {results.outage_skipped}", "–")]
    before, during, after = outage.before, outage.during, outage.after
    states = outage.states
    rows = [
        (
            "PostgreSQL crash (`pg_ctl stop -m immediate`) before `publish_explainer`",
            f"exit {before.returncode}, {_clear(before)}: `{before.error_line}`; afterwards "
            f"publications {states['after outage before']['publications']}",
            "no partial rows: " + ("yes" if not outage.failures() else "see failures"),
        ),
        (
            "PostgreSQL crash while `publish_explainer` was inside its transaction",
            f"waiting in `{outage.waiting_query}…`; exit {during.returncode}, "
            f"{_clear(during)}: `{during.error_line}`; afterwards publications "
            f"{states['after outage during']['publications']}, revisions "
            f"{states['after outage during']['revisions']} (before: "
            f"{states['published v1']['revisions']})",
            "no partial rows: " + ("yes" if not outage.failures() else "see failures"),
        ),
        (
            "readers while PostgreSQL was down, past the 1 s hold",
            f"page every worker read before: "
            f"{'; '.join(sorted({r.summary for r in outage.reader_during}))} "
            f"({len(outage.reader_during)} reads); a page not read before: "
            f"{outage.unread_during.summary if outage.unread_during else 'not read'}; "
            f"/healthz {outage.healthz_during}",
            "no 500: last good copy or 503" if not outage.reader_failures() else "NO",
        ),
        (
            "after the restart, the same command",
            f"exit {after.returncode}: `{after.last_line}`; readers saw v2 after "
            f"{outage.reader_after_seconds:.2f} s; {states['published v2']['publications']}",
            "yes" if after.returncode == 0 else "NO",
        ),
    ]
    return rows


def _statuses(group: cache_outage.Group) -> str:
    if not group.total:
        return "–"
    text = ", ".join(f"{status}: {_n(n)}" for status, n in sorted(group.statuses.items()))
    if group.count(503):
        text += f" ({_n(group.retry_after)} of the 503s with Retry-After)"
    return text


def cache_outage_lines(results: Results) -> list[str]:
    """The PostgreSQL crash under load with Varnish in front and without (cache_outage.py)."""
    lines = ["", "## Varnish in front during a PostgreSQL outage", ""]
    outcome = results.cache_outage
    if outcome is None:
        return [*lines, f"Not run: {results.cache_outage_skipped}"]
    loads = [outcome.behind_varnish, outcome.alone]
    lines += [
        f"PostgreSQL crashed (`pg_ctl stop -m immediate`) {outcome.crashed_at:.1f} s into "
        f"the load and started again {outcome.outage_seconds:.0f} s later; gunicorn with "
        f"READER_CACHE_SECONDS={outcome.cache_seconds}, "
        f"READER_STALE_IF_ERROR_SECONDS={outcome.stale_if_error_seconds}; wrk "
        f"(`{loads[0].command}`) on each; /healthz during it: {outcome.healthz_during}. "
        "Counts include the second before the crash and the one after the restart.",
        "",
        "| | behind Varnish | gunicorn alone |",
        "|---|---|---|",
        "| responses | " + " | ".join(_n(load.total) for load in loads) + " |",
        "| 5xx / 500 | "
        + " | ".join(f"{load.count(500, 599)} / {load.count(500)}" for load in loads)
        + " |",
    ]
    for group, label in (
        ("read", "pages read before the crash"),
        ("unread", "a search nobody made before (new on every request)"),
        ("withdrawn", "the explainer withdrawn before the crash"),
    ):
        lines.append(f"| {label} | " + " | ".join(_statuses(load.group(group)) for load in loads)
                     + " |")  # fmt: skip
    stale = [load.group("read") for load in loads]
    lines += [
        "| stale answers (Warning 110) on pages read before | "
        f"{_n(stale[0].stale)}, oldest Age {stale[0].oldest_age} s (grace "
        f"{outcome.stale_if_error_seconds} s) | {_n(stale[1].stale)} |",
        "| bodies with the redacted passage or the withdrawn headline | "
        + " | ".join(str(load.forbidden) for load in loads)
        + " |",
        "| publish after the restart → first sighting | "
        + " | ".join(
            "not within 5 s" if seconds is None else f"{seconds:.2f} s"
            for seconds in outcome.new_version_seconds.values()
        )
        + f" (promise {PROMISE_SECONDS:.0f} s) |",
        "",
        "Judged: no 500, no 5xx behind Varnish on pages read before the crash, every 503 "
        "with Retry-After, no takedown undone, stale copies within their grace, the new "
        "version within the promise: " + ("; ".join(outcome.failures()) or "all met") + ".",
    ]
    return lines


def document(results: Results, notes: list[str]) -> str:
    lines = ["# Load and fault test results", ""]
    lines += [f"- {line}" for line in results.header]
    lines += ["", "## Under load", "", "| figure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in load_rows(results)]
    lines += ["", "## Faults injected", "", "| fault | what happened | survived |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in fault_rows(results)]
    lines += cache_outage_lines(results)
    lines += ["", "## Verdict", ""]
    if results.failures:
        lines += ["FAILED:", ""] + [f"- {failure}" for failure in results.failures]
    else:
        lines.append("PASSED: no 5xx, no mixed page, every publication within the promise, "
                     "nothing half-written.")  # fmt: skip
    outage = results.outage
    if outage is not None and not all(r.is_clear_failure for r in (outage.before, outage.during)):
        lines += [
            "",
            "Not met (reported, does not fail the run): the desk's error during a PostgreSQL "
            "outage is a Python traceback, not a clear German message.",
        ]
    lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"

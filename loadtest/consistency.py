"""Judging the sampled pages against what was published: every page one version, a version
that was published, never older than the freshness promise allows."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from loadtest.sampler import Sample

PROMISE_SECONDS = 2.0


@dataclass
class Published:
    step: int
    number: int
    started: float  # time.time() around publish(): it was visible to readers from
    done: float  # some moment in between (the commit)


@dataclass
class Consistency:
    samples: int = 0
    consistent: int = 0  # 200, one step, the publication number of that step
    other_statuses: Counter = field(default_factory=Counter)
    lost_at_kill: list[Sample] = field(default_factory=list)  # no response: the killed worker's
    lost: list[Sample] = field(default_factory=list)  # no response, any other time
    mixes: list[str] = field(default_factory=list)  # parts of different versions in one page
    unknown: list[str] = field(default_factory=list)  # a version that was never published
    late: list[str] = field(default_factory=list)  # older than the promise allows
    staleness: dict[int, float] = field(default_factory=dict)  # step → publish to first sighting
    unseen: list[int] = field(default_factory=list)  # steps no sample ever showed

    @property
    def max_staleness(self) -> float:
        return max(self.staleness.values(), default=0.0)

    @property
    def median_staleness(self) -> float:
        return statistics.median(self.staleness.values()) if self.staleness else 0.0

    def failures(self) -> list[str]:
        problems = []
        if self.samples == 0:
            problems.append("the sampler took no samples")
        if self.other_statuses:
            problems.append(f"hot page answered {dict(self.other_statuses)}")
        if self.lost:
            problems.append(f"{len(self.lost)} sampled requests got no response: {self.lost[:3]}")
        for name in ("mixes", "unknown", "late"):
            found = getattr(self, name)
            if found:
                problems.append(f"{len(found)} {name}: {found[:3]}")
        if self.max_staleness > PROMISE_SECONDS:
            problems.append(f"a publication reached readers after {self.max_staleness:.2f} s")
        if self.unseen:
            problems.append(f"steps never seen by readers: {self.unseen}")
        return problems


def analyse(
    samples: list[Sample], published: list[Published], kill_at: float | None
) -> Consistency:
    """`published` holds every successful publish, the baseline (step 0) first."""
    result = Consistency(samples=len(samples))
    number_of = {p.step: p.number for p in published}
    consistent: list[Sample] = []
    for sample in samples:
        if sample.status == 0:
            at_kill = kill_at is not None and sample.started <= kill_at <= sample.finished + 0.1
            (result.lost_at_kill if at_kill else result.lost).append(sample)
            continue
        if sample.status != 200:
            result.other_statuses[sample.status] += 1
            continue
        problem = _mix_or_unknown(sample, number_of)
        if problem is None:
            consistent.append(sample)
            late = _late(sample, published)
            if late:
                result.late.append(late)
        elif problem.startswith("mix"):
            result.mixes.append(problem)
        else:
            result.unknown.append(problem)
    result.consistent = len(consistent)
    _staleness(result, consistent, published)
    return result


def _mix_or_unknown(sample: Sample, number_of: dict[int, int]) -> str | None:
    seen = sample.seen
    step, number = seen.step, seen.number
    if step is None or number is None:
        return (
            f"mix at {sample.started:.2f}: teaser {sorted(seen.teasers)}, answer "
            f"{sorted(seen.answers)}, publication {sorted(seen.numbers)}"
        )
    if step not in number_of:
        return f"unknown at {sample.started:.2f}: step {step} was never published"
    if number_of[step] != number:
        return (
            f"mix at {sample.started:.2f}: step {step} is v{number_of[step]}, page says v{number}"
        )
    return None


def _late(sample: Sample, published: list[Published]) -> str:
    """The newest version published (committed) more than the promise before this request
    was sent; a page older than it breaks the promise."""
    due = [p for p in published if p.done <= sample.started - PROMISE_SECONDS]
    if due and due[-1].step > sample.seen.step:
        return (
            f"at {sample.started:.2f} step {sample.seen.step}, though step {due[-1].step} "
            f"was published at {due[-1].done:.2f}"
        )
    return ""


def _staleness(result: Consistency, consistent: list[Sample], published: list[Published]) -> None:
    """Publish to the first consistent page showing that version or a newer one."""
    showing = [(s.finished, s.seen.step) for s in consistent]
    for publication in published[1:]:
        sightings = [at for at, step in showing if step >= publication.step]
        if not sightings:
            result.unseen.append(publication.step)
            continue
        result.staleness[publication.step] = max(0.0, min(sightings) - publication.done)

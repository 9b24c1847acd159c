"""gunicorn's workers, found as children of its master in /proc, and killed with SIGKILL the
way the kernel's OOM killer would: no chance to finish the request in hand."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path


def children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry.name))
    return found


@dataclass
class Kill:
    victim: int
    at: float  # time.time() of the SIGKILL
    workers_before: set[int]
    replacement: int = 0
    replaced_after: float = -1.0  # seconds until the master had a full set again; -1: never

    @property
    def replaced(self) -> bool:
        return self.replaced_after >= 0


def kill_one_worker(master: int, expected_workers: int, within: float = 30.0) -> Kill:
    """SIGKILL the oldest worker of `master` and wait until the master has replaced it."""
    before = children(master)
    if len(before) != expected_workers:
        raise RuntimeError(
            f"gunicorn {master} has workers {sorted(before)}, not {expected_workers}"
        )
    victim = min(before)
    kill = Kill(victim, time.time(), before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        now = children(master)
        new = now - before
        if victim not in now and len(now) == expected_workers and new:
            kill.replacement = new.pop()
            kill.replaced_after = time.time() - kill.at
            break
        time.sleep(0.02)
    return kill

"""A reader who reads the hot explainer about ten times a second during the load, keeping
each response's timing and the versions it shows (loadtest/markers.py)."""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass

from loadtest import markers
from tests.support.servers import fetch


@dataclass
class Sample:
    started: float  # time.time() when the request was sent
    finished: float
    status: int = 0  # 0: no response (connection error)
    error: str = ""
    seen: markers.Seen | None = None


class Sampler(threading.Thread):
    """Sends a request every `1 / per_second` seconds, whether or not the previous ones have
    answered (a few at a time at most), so slow responses under load do not thin it out."""

    def __init__(self, base: str, path: str, per_second: float = 10.0, parallel: int = 8) -> None:
        super().__init__(name="sampler", daemon=True)
        self.base, self.path = base, path
        self.interval = 1.0 / per_second
        self.samples: list[Sample] = []
        self.skipped = 0  # due while `parallel` requests were still out
        self._slots = threading.Semaphore(parallel)
        self._stopping = threading.Event()
        self._requests: list[threading.Thread] = []

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=60)
        for request in self._requests:
            request.join(timeout=60)
        self.samples.sort(key=lambda sample: sample.started)

    def run(self) -> None:
        due = time.monotonic()
        while not self._stopping.is_set():
            wait = due - time.monotonic()
            if wait > 0:
                self._stopping.wait(wait)
                continue
            due = max(due + self.interval, time.monotonic())  # late: no catching up in bursts
            if not self._slots.acquire(blocking=False):
                self.skipped += 1
                continue
            request = threading.Thread(target=self._sample, daemon=True)
            self._requests.append(request)
            request.start()

    def _sample(self) -> None:
        try:
            self.samples.append(self.sample())
        finally:
            self._slots.release()

    def sample(self) -> Sample:
        started = time.time()
        try:
            status, _headers, body = fetch(self.base, self.path)
        except (OSError, http.client.HTTPException) as error:  # reset, cut off mid-response
            return Sample(started, time.time(), error=f"{type(error).__name__}: {error}")
        seen = markers.read(body.decode(errors="replace")) if status == 200 else None
        return Sample(started, time.time(), status, seen=seen)

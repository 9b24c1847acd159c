"""Faults, for real: a gunicorn worker killed with SIGKILL, and PostgreSQL crashing while the
desk publishes (on a throwaway cluster on another port, never the one the suite runs on).
`make loadtest` injects the same faults under load (loadtest/)."""

import http.client
import os
import threading
import time

import pytest

from explainers.domain.publishing import publish
from explainers.models import Explainer
from loadtest import markers, pg_cluster, pg_outage
from loadtest.consistency import Published, analyse
from loadtest.integrity import check_integrity
from loadtest.sampler import Sample
from loadtest.workers import children, kill_one_worker
from tests.factories import make_explainer
from tests.support.live_servers import gunicorn, wait_for
from tests.support.missing_tools import missing
from tests.support.servers import fetch

PROMISE_SECONDS = 2.0


# A gunicorn worker killed


class Readers(threading.Thread):
    """Reads one page over and over until stopped; keeps every status and connection error."""

    def __init__(self, base: str, path: str) -> None:
        super().__init__(daemon=True)
        self.base, self.path = base, path
        self.stopping = threading.Event()
        self.seen: list[tuple[float, int | str]] = []

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                status = fetch(self.base, self.path)[0]
            except (OSError, http.client.HTTPException) as error:  # cut off by the kill
                status = type(error).__name__
            self.seen.append((time.time(), status))
            time.sleep(0.01)


def everyone_reads(server, path, text, requests=8) -> bool:
    for _ in range(requests):
        status, _headers, body = fetch(server.base, path)
        if status != 200 or text not in body.decode():
            return False
    return True


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_is_replaced_and_readers_and_the_desk_carry_on(tmp_path, desk):
    explainer = make_explainer(teaser="Erste Fassung des Vorspanns.")
    publish(explainer, user=desk)
    path = f"/explainers/{explainer.slug}/"
    with gunicorn(tmp_path / "gunicorn.log", workers=2) as server:
        assert everyone_reads(server, path, "Erste Fassung des Vorspanns.")
        readers = Readers(server.base, path)
        readers.start()
        time.sleep(0.3)
        kill = kill_one_worker(server.process.pid, expected_workers=2, within=15)
        time.sleep(1.0)
        readers.stopping.set()
        readers.join(timeout=35)
        assert kill.replaced, (kill, server.log_tail())
        assert server.process.poll() is None  # the master lives on
        assert children(server.process.pid) == kill.workers_before - {kill.victim} | {
            kill.replacement
        }
        server.log_file.flush()
        assert f"Worker (pid:{kill.victim}) was sent SIGKILL" in server.log_path.read_text()

        statuses = [status for _at, status in readers.seen]
        after_kill = [status for at, status in readers.seen if at > kill.at]
        assert not [s for s in statuses if isinstance(s, int) and s != 200], statuses
        # only the request the killed worker had in hand can be lost
        assert sum(isinstance(s, str) for s in statuses) <= 1, statuses
        assert after_kill.count(200) >= 5, after_kill

        Explainer.objects.filter(pk=explainer.pk).update(teaser="Zweite Fassung des Vorspanns.")
        publish(explainer, note="Nach dem Neustart eines Workers.", user=desk)
        wait_for(
            lambda: everyone_reads(server, path, "Zweite Fassung des Vorspanns."),
            within=PROMISE_SECONDS,
        )
    assert check_integrity() == []


# PostgreSQL crashing during a publish


@pytest.fixture(scope="module")
def outage():
    """The scenario of loadtest/pg_outage.py once for this module (about 10 s)."""
    reason = pg_cluster.missing_reason()
    if reason:
        missing(reason)
    return pg_outage.run_outage(os.environ | {"DJANGO_DEBUG": "1"}, log=lambda _message: None)


def test_a_publish_fails_when_postgresql_is_down_before_or_during_it(outage):
    assert outage.before.returncode != 0
    assert outage.during.returncode != 0
    # the second publish was inside its transaction, at the INSERT of the publication
    assert outage.waiting_query.startswith('INSERT INTO "explainers_publication"')


def test_a_failed_publish_leaves_no_partial_rows(outage):
    start = outage.states["published v1"]
    for name in ("after outage before", "after outage during"):
        state = outage.states[name]
        assert state["publications"] == {pg_outage.SLUG: [1]}, name
        assert state["current"] == {pg_outage.SLUG: 1}, name
        assert state["revisions"] == start["revisions"], name  # no revision half-written
        assert state["problems"] == [], name


def test_after_the_restart_the_same_publish_succeeds_and_readers_get_it(outage):
    assert outage.after.returncode == 0, outage.after.output
    assert f"Veröffentlicht: {pg_outage.SLUG} v2" in outage.after.stdout
    final = outage.states["published v2"]
    assert final["publications"] == {pg_outage.SLUG: [1, 2]}
    assert final["current"] == {pg_outage.SLUG: 2}
    assert final["problems"] == []
    # the edited working copy became one revision: the one the cut-off publish had written
    # inside its transaction is gone
    assert final["revisions"] == outage.states["published v1"]["revisions"] + 1
    assert outage.reader_after == pg_outage.SECOND_TEASER
    assert outage.reader_after_seconds <= PROMISE_SECONDS


def test_while_it_is_down_readers_get_the_last_good_copy_or_a_503_never_a_500(outage):
    # the page every worker read before the crash, past its 1 s hold: v1 as last good copy
    assert [reading.status for reading in outage.reader_during] == [200] * pg_outage.DURING_READS
    assert {reading.stale for reading in outage.reader_during} == {"database-unreachable"}
    assert {reading.teaser for reading in outage.reader_during} == {pg_outage.FIRST_TEASER}
    # a page no worker read: the German outage page, and when to try again
    assert outage.unread_during.status == 503
    assert outage.unread_during.retry_after == "30"
    assert outage.unread_during.title.startswith("Vorübergehend nicht erreichbar")
    assert outage.healthz_during == 503
    assert outage.reader_failures() == []


def test_nothing_else_went_wrong(outage):
    assert outage.failures() == []


def test_the_desk_is_told_clearly_in_german_that_nothing_was_published(outage):
    for run in (outage.before, outage.during):
        assert run.is_clear_failure, run.output


# The load test's own check (loadtest/consistency.py) would see what it must catch


def page(teaser_step: int, answer_step: int, number: int) -> str:
    return (
        f'<meta name="description" content="{markers.teaser(teaser_step)}">'
        f'<div class="teaser"><p>{markers.teaser(teaser_step)}</p></div>'
        f"<a>Fassung v{number} – alle Fassungen</a>"
        f"<p>{markers.answer(answer_step, 'Die Antwort.')}</p>"
    )


def sample(at: float, body: str) -> Sample:
    return Sample(at, at + 0.05, 200, seen=markers.read(body))


def test_the_load_tests_check_catches_mixed_unpublished_and_late_pages():
    published = [
        Published(0, 4, 0.0, 0.0),
        Published(1, 5, 10.0, 10.1),
        Published(2, 6, 11.0, 11.1),
    ]
    result = analyse(
        [
            sample(10.2, page(1, 1, 5)),  # consistent, 0.15 s after step 1
            sample(10.3, page(1, 0, 5)),  # teaser of step 1, answer of step 0
            sample(10.4, page(1, 1, 4)),  # step 1 under the number of step 0
            sample(10.5, page(3, 3, 7)),  # never published
            sample(13.5, page(1, 1, 5)),  # step 2 was published 2.4 s before
            sample(13.6, page(2, 2, 6)),
        ],
        published,
        kill_at=None,
    )
    assert result.consistent == 3
    assert len(result.mixes) == 2
    assert len(result.unknown) == 1
    assert len(result.late) == 1
    assert result.staleness == {1: pytest.approx(0.15), 2: pytest.approx(2.55)}
    assert result.failures()

"""PostgreSQL crashed for 20 s under wrk load (loadtest/cache_outage.py, on a throwaway
cluster): readers behind Varnish with the shipped VCL get the last good page of everything
they read before, and readers of gunicorn alone get the pages its workers hold or a 503 with
Retry-After – never a 500, never a redacted passage or a withdrawn explainer again."""

import os

import pytest

from loadtest import cache_outage, pg_cluster
from tests.support.missing_tools import missing


@pytest.fixture(scope="module")
def outage():
    """The scenario once for this module (about 40 s)."""
    reason = pg_cluster.missing_reason() or cache_outage.missing_reason()
    if reason:
        missing(reason)
    return cache_outage.run_cache_outage(dict(os.environ), log=lambda _message: None)


@pytest.fixture
def behind_varnish(outage):
    return outage.behind_varnish


@pytest.fixture
def alone(outage):
    return outage.alone


def test_before_the_crash_the_redaction_and_the_withdrawal_reached_readers(outage):
    for seen in (outage.before, outage.before["alone"]):
        assert seen["passage_gone"] is True
        assert seen["withdrawn_status"] == 410
        assert seen["withdrawn_on_index"] is False


def test_behind_varnish_every_page_read_before_the_crash_stays_readable(behind_varnish):
    read = behind_varnish.group("read")
    assert read.total > 1000  # under load
    assert read.count(500, 599) == 0
    assert read.statuses == {200: read.total}
    assert read.stale > 0  # served from grace while the database was down


def test_behind_varnish_a_stale_page_is_never_older_than_its_grace(outage, behind_varnish):
    oldest = behind_varnish.group("read").oldest_age
    assert oldest >= outage.outage_seconds / 2  # the copies from before the crash were served
    assert oldest <= outage.cache_seconds + outage.stale_if_error_seconds


def test_a_page_nobody_read_answers_503_with_retry_after_never_500(behind_varnish, alone):
    for load in (behind_varnish, alone):
        unread = load.group("unread")
        assert unread.count(503) > 0
        assert unread.retry_after == unread.count(503)
        assert set(unread.statuses) <= {200, 503}  # 200 before the crash and after the restart


def test_gunicorn_alone_answers_the_pages_it_holds_and_never_500(alone):
    read = alone.group("read")
    assert read.total > 100
    assert read.count(200) > 0 and read.stale > 0  # the last good copies, marked stale
    assert alone.count(500) == 0
    assert set(read.statuses) <= {200, 503}
    assert read.count(503) == read.retry_after


def test_no_redacted_passage_or_withdrawn_explainer_reappears(behind_varnish, alone):
    for load in (behind_varnish, alone):
        assert load.forbidden == 0
        assert load.group("withdrawn").count(200) == 0
        assert load.group("withdrawn").total > 0
        assert set(load.group("withdrawn").statuses) <= {410, 503}


def test_health_says_503_while_the_database_is_down(outage):
    assert outage.healthz_during == 503


def test_after_the_restart_a_new_version_reaches_readers_within_the_promise(outage):
    for where in ("behind Varnish", "alone"):
        seconds = outage.new_version_seconds[where]
        assert seconds is not None, where
        assert seconds <= cache_outage.PROMISE_SECONDS, where


def test_nothing_else_went_wrong(outage):
    assert outage.failures() == []

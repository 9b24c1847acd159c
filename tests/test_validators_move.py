"""Caches in front revalidate with ETag and Last-Modified: whenever the bytes a reader
gets change – a redaction, a withdrawal, a renamed or withdrawn recommendation – the
old validators no longer get 304, and Last-Modified never moves back."""

import pytest
from django.urls import reverse
from django.utils.http import parse_http_date

from explainers.domain.publishing import publish
from explainers.domain.takedown import redact, withdraw
from explainers.models import Explainer, Question
from explainers.reader import held_responses
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

PASSAGE = "Minister X sei bestochen worden"


@pytest.fixture
def target(desk):
    explainer = make_explainer(headline=f"Es heißt, {PASSAGE}")
    Question.objects.filter(explainer=explainer, position=1).update(answer=f"{PASSAGE}.")
    publish(explainer, user=desk)
    return explainer


@pytest.fixture
def referrer(desk, target):
    explainer = make_explainer(related=[target.slug])
    publish(explainer, user=desk)
    return explainer


def detail(explainer) -> str:
    return reverse("explainers:detail", args=[explainer.slug])


def validators(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response["ETag"], response["Last-Modified"], response.content


def still_fresh(client, path, etag, last_modified) -> dict:
    """What a cache holding the old copy is told: 304 means 'keep it'."""
    held_responses.clear()  # a worker that has not yet seen the change
    return {
        "etag": client.get(path, HTTP_IF_NONE_MATCH=etag).status_code,
        "date": client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code,
    }


def test_a_repeated_request_gets_304_by_either_validator(client, target):
    etag, last_modified, _ = validators(client, detail(target))
    assert still_fresh(client, detail(target), etag, last_modified) == {"etag": 304, "date": 304}


def test_after_a_redaction_the_explainer_and_its_referrers_are_not_fresh(
    client, target, referrer, desk
):
    paths = [detail(target), detail(referrer), "/", "/feed/", f"{detail(target)}versions/"]
    before = {path: validators(client, path) for path in paths}
    redact(target, passage=PASSAGE, reason="Einstweilige Verfügung.", user=desk)
    for path in paths:
        etag, last_modified, content = before[path]
        after_etag, after_date, after_content = validators(client, path)
        assert after_content != content, path
        assert after_etag != etag, path
        assert parse_http_date(after_date) > parse_http_date(last_modified), path
        assert still_fresh(client, path, etag, last_modified) == {"etag": 200, "date": 200}


def test_a_withdrawal_moves_the_index_and_feed_forward_not_back(client, target, referrer, desk):
    paths = ["/", "/feed/", detail(referrer)]
    before = {path: validators(client, path) for path in paths}
    withdraw(referrer, note="Geprüft.", user=desk)
    withdraw(target, note="Geprüft.", user=desk)
    for path in ["/", "/feed/"]:
        etag, last_modified, _ = before[path]
        after_etag, after_date, _ = validators(client, path)
        assert after_etag != etag
        assert parse_http_date(after_date) > parse_http_date(last_modified)
        assert still_fresh(client, path, etag, last_modified) == {"etag": 200, "date": 200}


def test_a_withdrawn_recommendation_changes_the_referring_page(client, target, referrer, desk):
    etag, last_modified, content = validators(client, detail(referrer))
    assert target.headline.encode() in content
    withdraw(target, note="Geprüft.", user=desk)
    after_etag, after_date, after_content = validators(client, detail(referrer))
    assert target.headline.encode() not in after_content
    assert after_etag != etag
    assert parse_http_date(after_date) > parse_http_date(last_modified)


def test_two_changes_in_one_second_still_move_last_modified(client, target, desk):
    dates = [validators(client, "/")[1]]
    for n in range(3):
        Explainer.objects.filter(pk=target.pk).update(teaser=f"Fassung {n}.")
        publish(target, note=f"Neu {n}.", user=desk)
        held_responses.clear()
        dates.append(validators(client, "/")[1])
    moments = [parse_http_date(date) for date in dates]
    assert moments == sorted(set(moments))


def test_the_explainer_feed_moves_with_a_redaction(client, target, desk):
    path = reverse("explainers:explainer_feed", args=[target.slug])
    etag, last_modified, _ = validators(client, path)
    redact(target, passage=PASSAGE, reason="Einstweilige Verfügung.", user=desk)
    after_etag, after_date, _ = validators(client, path)
    assert after_etag != etag
    assert parse_http_date(after_date) > parse_http_date(last_modified)


def test_a_feed_without_entries_keeps_its_bytes_from_second_to_second(client, target, desk):
    import time

    withdraw(target, note="Geprüft.", user=desk)
    first = client.get("/feed/")
    held_responses.clear()
    time.sleep(1.1)  # the feed's <updated> once said "now" when it had no entries
    second = client.get("/feed/")
    assert first.content == second.content
    assert first["Last-Modified"] == second["Last-Modified"]


def test_a_renamed_recommendation_stays_and_moves_the_referring_page_forward(client, desk):
    recommended = make_explainer(headline="Was Bee erklärt")
    publish(recommended, user=desk)
    referrer = make_explainer(related=[recommended.slug])
    publish(referrer, user=desk)
    Explainer.objects.filter(pk=recommended.pk).update(teaser="Neu.")
    publish(recommended, note="Neu gefasst.", user=desk)
    etag, last_modified, content = validators(client, detail(referrer))
    Explainer.objects.filter(pk=recommended.pk).update(slug="bee-neu")
    publish(recommended, note="Umbenannt.", user=desk)
    held_responses.clear()
    after_etag, after_date, after_content = validators(client, detail(referrer))
    assert b"Was Bee erkl" in after_content and b"/explainers/bee-neu/" in after_content
    assert after_etag != etag
    assert parse_http_date(after_date) > parse_http_date(last_modified)


def test_saving_a_draft_changes_no_reader_page(client, desk):
    recommended = make_explainer(headline="Was Bee erklärt")
    publish(recommended, user=desk)
    Explainer.objects.filter(pk=recommended.pk).update(slug="bee-kuenftig")  # a draft save
    referrer = make_explainer(related=["bee-kuenftig"])
    publish(referrer, user=desk)
    before = validators(client, detail(referrer))
    assert b"Was Bee erkl" not in before[2]  # a slug never published names nothing yet
    Explainer.objects.filter(pk=recommended.pk).update(slug="bee-anders")
    held_responses.clear()
    assert validators(client, detail(referrer)) == before

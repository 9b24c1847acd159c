"""Each worker holds whole reader pages for a moment; changes readers must see at once
(publication, withdrawal, redaction) drop them through the reader signal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.domain.takedown import REDACTED, redact, withdraw
from explainers.models import Question
from explainers.reader import held_responses, reader_signal
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(desk):
    explainer = make_explainer(teaser="Erste Fassung des Vorspanns.")
    publish(explainer, user=desk)
    return explainer


@pytest.fixture
def clock(monkeypatch):
    """time.monotonic as the held responses see it, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(held_responses.time, "monotonic", lambda: now[0])
    return now


def page(explainer):
    return reverse("explainers:detail", args=[explainer.slug])


def test_a_crowd_on_one_explainer_costs_the_database_nothing_after_the_first_reader(client, online):
    assert client.get(page(online)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            response = client.get(page(online))
            assert response.status_code == 200
    assert len(queries) == 0
    assert "Erste Fassung des Vorspanns." in response.text
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(page(online), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_publication_whose_signal_is_lost_still_reaches_readers_within_two_seconds(
    client, online, desk, clock, settings, monkeypatch
):
    # e.g. another host without a shared cache: only the hold time bounds the delay
    monkeypatch.setattr(reader_signal, "current_mark", lambda: "never moves")
    client.get(page(online))
    type(online).objects.filter(pk=online.pk).update(teaser="Zweite Fassung des Vorspanns.")
    publish(online, note="Neu gefasst.", user=desk)
    clock[0] += settings.READER_HOLD_SECONDS - 0.1
    assert "Erste Fassung des Vorspanns." in client.get(page(online)).text
    clock[0] += 0.2
    assert "Zweite Fassung des Vorspanns." in client.get(page(online)).text
    assert settings.READER_HOLD_SECONDS <= 2


def test_a_new_publication_replaces_held_pages_at_once(client, online, desk):
    client.get(page(online))
    client.get(reverse("explainers:index"))
    type(online).objects.filter(pk=online.pk).update(teaser="Zweite Fassung des Vorspanns.")
    publish(online, note="Neu gefasst.", user=desk)
    assert "Zweite Fassung des Vorspanns." in client.get(page(online)).text
    assert "Zweite Fassung des Vorspanns." in client.get(reverse("explainers:index")).text


def test_a_withdrawal_takes_effect_at_once(client, online, desk):
    assert client.get(page(online)).status_code == 200
    withdraw(online, note="Rechtliche Prüfung.", user=desk)
    response = client.get(page(online))
    assert response.status_code == 410
    assert "Rechtliche Prüfung." in response.text


def test_a_redaction_takes_effect_at_once(client, desk):
    explainer = make_explainer()
    Question.objects.filter(explainer=explainer, position=1).update(
        answer="Es heißt, Minister X sei bestochen worden."
    )
    publish(explainer, user=desk)
    assert "Minister X" in client.get(page(explainer)).text
    redact(explainer, passage="Minister X", reason="Einstweilige Verfügung", user=desk)
    text = client.get(page(explainer)).text
    assert "Minister X" not in text
    assert REDACTED in text


def test_held_pages_keep_languages_apart(client, online):
    german = client.get(page(online), HTTP_ACCEPT_LANGUAGE="de")
    english = client.get(page(online), HTTP_ACCEPT_LANGUAGE="en")
    assert german["Content-Language"] == "de"
    assert english["Content-Language"] == "en"
    assert german.content != english.content


def test_only_successful_pages_are_held(client, online):
    assert client.get("/explainers/gibt-es-nicht/").status_code == 404
    assert held_responses.held_bytes() == 0


def test_query_parameters_a_page_does_not_read_share_one_held_copy(client, online):
    client.get(page(online))
    held = held_responses.held_bytes()
    with CaptureQueriesContext(connection) as queries:
        for n in range(20):
            assert client.get(f"{page(online)}?utm_source={n}&fbclid=x").status_code == 200
    assert len(queries) == 0
    assert held_responses.held_bytes() == held


def test_the_index_holds_one_copy_per_page_number(client, online):
    client.get("/?page=1&utm_source=a")
    one = held_responses.held_bytes()
    client.get("/?utm_source=b&page=1")
    assert held_responses.held_bytes() == one
    client.get("/?page=2")
    assert held_responses.held_bytes() > one


def test_a_thousand_query_strings_stay_under_the_byte_budget(client, desk, settings):
    settings.READER_HOLD_BYTES = 200_000
    explainer = make_explainer(questions=40)
    publish(explainer, user=desk)
    size = len(client.get(page(explainer)).content)
    assert size > 15_000  # a page big enough that the budget holds only a few
    for n in range(500):  # 1,000 distinct query strings: search pages and tracking tags
        client.get(f"/suche/?q=frage+{n}")
        client.get(f"{page(explainer)}?utm_source={n}")
        assert held_responses.held_bytes() <= settings.READER_HOLD_BYTES
    assert client.get(page(explainer)).status_code == 200


def test_expired_pages_are_freed_when_others_are_held(client, online, clock, settings):
    settings.READER_STALE_IF_ERROR_SECONDS = 0  # else kept: tests/test_database_outage.py
    client.get(page(online))
    assert held_responses.held_bytes() > 0
    clock[0] += settings.READER_HOLD_SECONDS + 0.1
    client.get("/?page=1")
    index_only = held_responses.held_bytes()
    held_responses.clear()
    client.get("/?page=1")
    assert index_only == held_responses.held_bytes()


def test_a_page_larger_than_the_budget_is_served_but_not_held(client, online, settings):
    settings.READER_HOLD_BYTES = 1_000
    assert client.get(page(online)).status_code == 200
    assert held_responses.held_bytes() == 0


def test_with_page_caching_off_every_request_renders(client, online, settings):
    settings.READER_CACHE = False
    client.get(page(online))
    with CaptureQueriesContext(connection) as queries:
        client.get(page(online))
    assert len(queries) >= 1
    assert held_responses.held_bytes() == 0


def test_the_reader_signal_moves_with_every_change(online, desk):
    before = reader_signal.current_mark()
    withdraw(online, note="Geprüft.", user=desk)
    after_withdrawal = reader_signal.current_mark()
    assert after_withdrawal != before
    type(online).objects.filter(pk=online.pk).update(teaser="Wieder da.")
    publish(online, note="Neu gefasst.", user=desk)
    assert reader_signal.current_mark() != after_withdrawal


def test_a_conditional_request_is_answered_304_from_the_held_page(client, online):
    etag = client.get(page(online))["ETag"]
    held_responses.clear()
    assert client.get(page(online), HTTP_IF_NONE_MATCH=etag).status_code == 304
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page(online), HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(page(online), HTTP_IF_NONE_MATCH='"anders"').status_code == 200
    assert len(queries) == 0

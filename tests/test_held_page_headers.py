"""A held reader page is replayed with exactly the headers it was held with (names as
they were set, in their order), and every replay is a response of its own: what the outer
layers add to one reader's answer never reaches the next reader's."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.reader import held_responses, reader_signal
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db
PER_REPLY = {"x-request-id"}


def names_and_values(response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.items() if name.lower() not in PER_REPLY]


def hold(response) -> held_responses.Held:
    request = RequestFactory().get("/erklaert/")
    note = held_responses.Note((), reader_signal.current_mark(), time.monotonic(), "de")
    assert held_responses.keep(request, note, response)
    return held_responses.lookup(held_responses.key(request, (), "de"))


def test_a_held_https_page_carries_every_header_of_the_whole_stack_names_and_order_kept(
    client, desk, settings
):
    settings.SECURE_HSTS_SECONDS = 3600  # HSTS only on secure requests
    explainer = make_explainer()
    publish(explainer, user=desk)
    page = reverse("explainers:detail", args=[explainer.slug])
    fresh = client.get(page, secure=True)
    held = client.get(page, secure=True)
    settings.READER_CACHE = False
    whole = client.get(page, secure=True)
    assert names_and_values(held) == names_and_values(fresh) == names_and_values(whole)
    assert held.content == whole.content
    for name in ("Strict-Transport-Security", "Content-Security-Policy", "ETag",
                 "Cache-Control", "Vary", "Content-Language", "X-Request-ID"):  # fmt: skip
        assert held[name], name
    assert held["X-Request-ID"] != fresh["X-Request-ID"]


def test_a_replay_keeps_header_names_as_the_view_set_them():
    response = HttpResponse(b"<p>Seite</p>", content_type="text/html; charset=utf-8")
    response["x-Ungewoehnliche-SCHREIBWEISE"] = "ja"
    response["Cache-Control"] = "public, max-age=60"
    held = hold(response)
    assert list(held_responses.replay(held).items()) == list(response.items())
    assert held_responses.replay(held)["X-UNGEWOEHNLICHE-schreibweise"] == "ja"


def test_what_one_reader_s_answer_gains_never_reaches_the_next_reader():
    held = hold(HttpResponse(b"<p>Seite</p>"))
    first = held_responses.replay(held)
    first["X-Request-ID"] = "nur-fuer-den-ersten"
    first["Vary"] = "Cookie"
    del first["Content-Type"]
    second = held_responses.replay(held)
    assert "X-Request-ID" not in second
    assert "Vary" not in second
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second.content == b"<p>Seite</p>"


def test_a_page_held_without_a_content_type_is_replayed_without_one():
    response = HttpResponse(b"Seite")
    del response["Content-Type"]
    replayed = held_responses.replay(hold(response))
    assert "Content-Type" not in replayed
    assert replayed.content == b"Seite"

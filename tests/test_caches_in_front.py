"""A shared cache in front (Varnish 7 from Debian, with deploy/varnish/newsroom.vcl):
one copy per page whatever the tracking parameters, one per language, and after a
redaction every cached variant is banned by the app – nothing redacted stays cached."""

import http.client
from urllib.parse import urlsplit

import pytest

from explainers.domain.publishing import publish
from explainers.domain.takedown import REDACTED, redact
from explainers.models import Explainer, Question
from tests.factories import make_explainer
from tests.support.live_servers import fetch, gunicorn
from tests.support.varnish import varnish_in_front_of

pytestmark = pytest.mark.django_db(transaction=True)

PASSAGE = "Minister X sei bestochen worden"


def get(base, path, language="de"):
    status, headers, body = fetch(base, path, {"Accept-Language": language})
    return status, headers, body.decode()


@pytest.fixture
def three_versions(desk):
    explainer = make_explainer(teaser="Erste Fassung.")
    publish(explainer, user=desk)
    Question.objects.filter(explainer=explainer, position=1).update(answer=f"Es heißt, {PASSAGE}.")
    publish(explainer, note="Neue Vorwürfe.", user=desk)
    Explainer.objects.filter(pk=explainer.pk).update(teaser="Dritte Fassung.")
    publish(explainer, note="Neu gefasst.", user=desk)
    return explainer


@pytest.fixture
def cache(tmp_path, settings):
    with gunicorn(tmp_path / "gunicorn.log") as server:
        port = urlsplit(server.base).port
        with varnish_in_front_of(port, tmp_path / "varnish") as base:
            settings.CACHE_PURGE_URLS = [base + "/"]
            settings.CACHE_PURGE_REPEAT_SECONDS = 0
            yield base


def test_tracking_parameters_share_one_cached_copy_per_language(cache, three_versions):
    page = f"/explainers/{three_versions.slug}/"
    assert get(cache, page + "?utm_source=1")[1]["X-Cache"] == "MISS"
    assert get(cache, page + "?utm_source=2&fbclid=x")[1]["X-Cache"] == "HIT"
    assert get(cache, page)[1]["X-Cache"] == "HIT"
    english = get(cache, page + "?utm_source=1", "en-GB,en;q=0.9")
    assert english[1]["X-Cache"] == "MISS"  # its own copy, not the German one
    assert 'lang="en"' in english[2]
    assert 'lang="de"' in get(cache, page + "?utm_source=3", "de-DE")[2]


def test_the_cache_serves_the_language_the_app_would_pick(cache, three_versions):
    page = f"/explainers/{three_versions.slug}/"
    for header, language in [
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7", "en"),
        ("de;q=0.1, en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de"),
        ("fr, *", "de"),
        ("en-US", "en"),
        ("", "de"),
    ]:
        for _ in range(2):  # fetched, then from the cache
            assert f'lang="{language}"' in get(cache, page, header)[2], header


def test_only_the_parameters_a_page_reads_make_another_copy(cache, three_versions):
    assert get(cache, "/?page=1&utm_source=a")[1]["X-Cache"] == "MISS"
    assert get(cache, "/?utm_source=b&page=1")[1]["X-Cache"] == "HIT"
    assert get(cache, "/suche/?q=frage&utm_source=x")[1]["X-Cache"] == "MISS"
    assert get(cache, "/suche/?utm_medium=y&q=frage")[1]["X-Cache"] == "HIT"
    detail = f"/explainers/{three_versions.slug}/"
    get(cache, detail)
    assert get(cache, detail + "?q=zufall&page=9")[1]["X-Cache"] == "HIT"


def test_a_redaction_bans_every_cached_variant(cache, three_versions, desk):
    slug = three_versions.slug
    pages = [f"/explainers/{slug}/?utm_source=1", f"/explainers/{slug}/diff/1..3/"]
    for path in pages:
        for language in ("de", "en"):
            status, _headers, body = get(cache, path, language)
            assert status == 200 and PASSAGE in body
            status, headers, body = get(cache, path, language)
            assert headers["X-Cache"] == "HIT" and PASSAGE in body

    redact(three_versions, passage=PASSAGE, reason="Einstweilige Verfügung.", user=desk)

    for path in pages:
        for language in ("de", "en"):
            status, _headers, body = get(cache, path, language)
            assert status == 200
            assert PASSAGE not in body, (path, language)
            assert REDACTED in body, (path, language)
    index = get(cache, "/")[2]
    assert PASSAGE not in index


def test_a_withdrawal_bans_the_index_and_the_feed(cache, three_versions, desk):
    from explainers.domain.takedown import withdraw

    headline = three_versions.headline
    for path in ("/", "/feed/", f"/explainers/{three_versions.slug}/"):
        get(cache, path)
        assert get(cache, path)[1]["X-Cache"] == "HIT"
    withdraw(three_versions, note="Rechtliche Prüfung.", user=desk)
    assert headline not in get(cache, "/")[2]
    assert headline not in get(cache, "/feed/")[2]
    assert get(cache, f"/explainers/{three_versions.slug}/")[0] == 410


def ban_status(cache, *, source="127.0.0.1", **headers) -> int:
    host, port = urlsplit(cache).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        connection.request("BAN", "/", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_cache_takes_bans_from_the_app_host_only(cache):
    assert ban_status(cache) == 400  # no expression
    assert ban_status(cache, source="127.0.0.2", **{"X-Ban-Url": "^/"}) == 403
    assert ban_status(cache, **{"X-Ban-Url": "^/feed/"}) == 200

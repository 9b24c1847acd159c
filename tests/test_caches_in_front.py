"""A shared cache in front (Varnish 7 from Debian, with deploy/varnish/newsroom.vcl):
one copy per page whatever the tracking parameters, one per language, and after a
redaction every cached variant is banned by the app – nothing redacted stays cached.
In front of a backend that fails on demand: the health probe, grace for stale-if-error,
and a 5xx that never replaces the copy in grace (tests/test_outage_behind_caches.py has the
same with the app, PostgreSQL crashed under load)."""

import http.client
import time
from urllib.parse import urlsplit

import pytest

from explainers.domain.publishing import publish
from explainers.domain.takedown import REDACTED, redact, withdraw
from explainers.models import Explainer, Question
from tests.factories import make_explainer
from tests.support.live_servers import fetch, gunicorn, wait_for
from tests.support.varnish import Script, ScriptedBackend, varnish_in_front_of

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


# Grace: the VCL in front of a backend that fails on demand. Its pages say max-age=1,
# stale-while-revalidate=2, stale-if-error=60.

MAX_AGE, STALE_WHILE_REVALIDATE = 1, 2


@pytest.fixture
def scripted(tmp_path):
    script = Script()
    with (
        ScriptedBackend(script) as backend,
        varnish_in_front_of(backend.port, tmp_path / "varnish") as base,
    ):
        yield script, backend, base


def read(base, path):
    status, headers, body = fetch(base, path)
    return status, headers, body.decode()


def past(seconds: float, since: float) -> None:
    time.sleep(max(0.0, since + seconds - time.monotonic()))


def test_while_the_app_is_healthy_a_page_is_stale_only_within_stale_while_revalidate(scripted):
    script, _backend, cache = scripted
    assert read(cache, "/a")[2] == "<p>/a v1</p>"
    fetched = time.monotonic()  # the copy is at least this old from here on
    script.version = 2
    past(MAX_AGE + STALE_WHILE_REVALIDATE + 1, fetched)  # grace (60 s) is not for readers
    status, headers, body = read(cache, "/a")
    assert (status, headers["X-Cache"], body) == (200, "MISS", "<p>/a v2</p>")

    fetched = time.monotonic()
    script.version = 3
    past(MAX_AGE + STALE_WHILE_REVALIDATE / 4, fetched)
    status, headers, body = read(cache, "/a")  # expired, within stale-while-revalidate
    assert (status, headers["X-Cache"], body) == (200, "STALE", "<p>/a v2</p>"), headers["Age"]
    assert headers["Warning"] == '110 - "Response is Stale"'
    wait_for(lambda: read(cache, "/a")[2] == "<p>/a v3</p>", within=5)  # renewed behind it


def test_a_5xx_never_replaces_the_copy_in_grace(scripted):
    script, _backend, cache = scripted
    assert read(cache, "/a")[2] == "<p>/a v1</p>"
    fetched = time.monotonic()
    script.pages_fail = True  # /healthz still says 200: the probe sees nothing
    past(MAX_AGE + 0.2, fetched)
    for _ in range(3):  # renewing in the background gets 503s, and is dropped
        assert read(cache, "/a")[:3:2] == (200, "<p>/a v1</p>")
        time.sleep(0.1)
    past(MAX_AGE + STALE_WHILE_REVALIDATE + 0.5, fetched)
    asked = script.page_requests
    status, headers, body = read(cache, "/a")  # fetched first: a 503, so the copy in grace
    assert (status, body) == (200, "<p>/a v1</p>")
    assert headers["X-Cache"] == "STALE"
    assert script.page_requests > asked

    status, headers, body = read(cache, "/never-read")
    assert status == 503  # the app's own answer passes through
    assert headers["Retry-After"] == "30"
    assert "Die Datenbank ist nicht erreichbar." in body

    script.pages_fail, script.version = False, 2
    assert read(cache, "/a")[:3:2] == (200, "<p>/a v2</p>")
    assert read(cache, "/never-read")[:3:2] == (200, "<p>/never-read v2</p>")


def test_without_stale_if_error_a_page_is_kept_in_grace_for_a_day(scripted):
    script, _backend, cache = scripted
    script.cache_control = "public, max-age=1, stale-while-revalidate=2"  # an older app
    assert read(cache, "/a")[2] == "<p>/a v1</p>"
    fetched = time.monotonic()
    script.pages_fail = True
    past(MAX_AGE + STALE_WHILE_REVALIDATE + 1, fetched)  # past what the header allows
    assert read(cache, "/a")[:3:2] == (200, "<p>/a v1</p>")


def test_the_probe_notices_a_sick_app_before_any_reader_does(scripted):
    script, _backend, cache = scripted
    assert read(cache, "/a")[2] == "<p>/a v1</p>"
    fetched = time.monotonic()
    script.healthy, script.pages_fail = False, True
    wait_for(lambda: script.failed_health_checks >= 3, within=10)  # sick: 3 of the last 5
    asked = script.page_requests
    past(MAX_AGE + STALE_WHILE_REVALIDATE + 0.5, fetched)
    for _ in range(5):
        status, headers, body = read(cache, "/a")
        assert (status, headers["X-Cache"], body) == (200, "STALE", "<p>/a v1</p>")
    assert script.page_requests == asked  # served from grace without asking the sick app

    status, headers, _body = read(cache, "/never-read")  # no copy: the app is still asked
    assert (status, headers["Retry-After"]) == (503, "30")
    assert script.page_requests == asked + 1

    script.healthy, script.pages_fail, script.version = True, False, 2
    wait_for(lambda: read(cache, "/a")[2] == "<p>/a v2</p>", within=10)


def test_a_banned_page_is_never_served_from_grace(scripted):
    script, _backend, cache = scripted
    for path in ("/a", "/b"):
        assert read(cache, path)[0] == 200
    script.healthy, script.pages_fail = False, True
    wait_for(lambda: script.failed_health_checks >= 3, within=10)
    assert ban_status(cache, **{"X-Ban-Url": "^/a$"}) == 200
    status, headers, body = read(cache, "/a")
    assert status == 503 and "v1" not in body
    assert headers["Retry-After"] == "30"
    assert read(cache, "/b")[:3:2] == (200, "<p>/b v1</p>")  # not banned: still there


def test_when_the_app_cannot_be_reached_readers_get_the_copy_or_a_german_503(scripted):
    _script, backend, cache = scripted
    assert read(cache, "/a")[0] == 200
    fetched = time.monotonic()
    backend.stop()
    past(MAX_AGE + STALE_WHILE_REVALIDATE + 0.5, fetched)
    assert read(cache, "/a")[:3:2] == (200, "<p>/a v1</p>")
    status, headers, body = read(cache, "/never-read")
    assert (status, headers["Retry-After"]) == (503, "30")
    assert '<html lang="de">' in body and "Vorübergehend nicht erreichbar" in body
    assert "Guru Meditation" not in body and "Varnish" not in body


def test_the_admin_and_the_preview_are_never_cached(scripted):
    script, _backend, cache = scripted
    for path in ("/admin/explainers/", "/explainers/x/preview/"):
        asked = script.page_requests
        for _ in range(3):
            assert read(cache, path)[0] == 200
        assert script.page_requests == asked + 3


# The read API and oEmbed answer with the same Cache-Control as the pages


def test_the_read_api_and_oembed_keep_the_query_they_read(cache, desk):
    first = make_explainer(headline="Wärmepumpen erklärt", teaser="Alles über Wärmepumpen.")
    second = make_explainer(headline="Bahnstreik erklärt", teaser="Alles über den Bahnstreik.")
    for explainer in (first, second):
        publish(explainer, user=desk)
    assert "Bahnstreik" not in get(cache, "/api/v1/search/?q=W%C3%A4rmepumpen")[2]
    assert "Bahnstreik" in get(cache, "/api/v1/search/?q=Bahnstreik")[2]
    for explainer in (first, second):
        card = f"{cache}/explainers/{explainer.slug}/frage/q-0001/"
        status, _headers, body = get(cache, f"/oembed/?url={card}")
        assert status == 200 and f"/explainers/{explainer.slug}/frage/q-0001/" in body, body


def test_a_redaction_and_a_withdrawal_ban_the_read_api_too(cache, three_versions, desk):
    slug = three_versions.slug
    paths = [f"/api/v1/explainers/{slug}/", f"/api/v1/explainers/{slug}/versions/2/",
             "/api/v1/explainers/"]  # fmt: skip
    for path in paths:
        assert get(cache, path)[0] == 200
        assert get(cache, path)[1]["X-Cache"] == "HIT", path
    assert PASSAGE in get(cache, paths[0])[2]
    redact(three_versions, passage=PASSAGE, reason="Einstweilige Verfügung.", user=desk)
    for path in paths:
        assert PASSAGE not in get(cache, path)[2], path
    withdraw(three_versions, note="Rechtliche Prüfung.", user=desk)
    assert get(cache, paths[0])[0] == 410
    assert three_versions.headline not in get(cache, paths[2])[2]

"""While the database is down readers never see a 500: caches in front may serve stale
pages (stale-if-error), each worker serves the last good page it holds, then the baked
copy, else a German 503 that says when to try again; the desk hears that nothing was
stored (newsroom/outage.py, newsroom/held_pages.py, docs/operations.md)."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import OperationalError, ProgrammingError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.domain.takedown import redact, withdraw
from explainers.models import Question
from explainers.reader import held_responses
from newsroom.held_pages import PAUSE_SECONDS
from tests.factories import make_explainer
from tests.test_production_settings import PRODUCTION, run_with

pytestmark = pytest.mark.django_db


def published(**overrides):
    explainer = make_explainer(**overrides)
    publish(explainer)
    return explainer


def url(name, *args):
    return reverse(f"explainers:{name}", args=args)


def cache_control(response) -> dict[str, str]:
    parts = (part.strip().partition("=") for part in response["Cache-Control"].split(","))
    return {name: value for name, _, value in parts}


# What caches in front are told


def test_reader_pages_may_be_served_stale_by_a_cache_while_the_app_errs(client, settings):
    settings.READER_CACHE_SECONDS = 30
    settings.READER_STALE_IF_ERROR_SECONDS = 3600
    explainer = published()
    for page in (url("detail", explainer.slug), url("index"), url("versions", explainer.slug)):
        response = client.get(page)
        assert response.status_code == 200
        assert cache_control(response) == {
            "public": "", "max-age": "30", "stale-while-revalidate": "300",
            "stale-if-error": "3600",
        }  # fmt: skip


def test_the_stale_if_error_setting_defaults_to_a_day_and_refuses_nonsense():
    show = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.READER_STALE_IF_ERROR_SECONDS)"
    )
    assert run_with(PRODUCTION, show).stdout.strip() == "86400"
    assert run_with(PRODUCTION | {"READER_STALE_IF_ERROR_SECONDS": "0"}, show).stdout.strip() == "0"
    for nonsense in ("-1", "1.5", "ein Tag", "²"):
        done = run_with(PRODUCTION | {"READER_STALE_IF_ERROR_SECONDS": nonsense}, show)
        assert done.returncode != 0
        assert "READER_STALE_IF_ERROR_SECONDS must be whole seconds" in done.stderr


# While the database is down


@pytest.fixture
def reader():
    """A reader's browser: it shows whatever the server answers, errors included."""
    return Client(raise_request_exception=False)


@pytest.fixture
def clock(monkeypatch):
    """time.monotonic as the held pages see it, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(held_responses.time, "monotonic", lambda: now[0])
    return now


GONE = "server closed the connection unexpectedly"


@contextmanager
def database_down(error: Exception | None = None):
    """Every query fails as it does when PostgreSQL has gone away (Django's own hook);
    yields the queries refused."""
    refused = []

    def refuse(execute, sql, params, many, context):
        refused.append(sql)
        raise error or OperationalError(GONE)

    with connection.execute_wrapper(refuse):
        yield refused


def later(clock, settings) -> None:
    """Past the hold time: a worker would render the page anew."""
    clock[0] += settings.READER_HOLD_SECONDS + 0.5


def is_outage_page(response) -> bool:
    return (
        response.status_code == 503
        and response.get("Retry-After") == "30"
        and "Die Seite ist gerade nicht erreichbar" in response.content.decode()
    )


def is_stale(response) -> bool:
    return (
        response.status_code == 200
        and response.get("Warning") == '110 - "Response is Stale"'
        and response.get("X-Newsroom-Stale") == "database-unreachable"
    )


def test_a_page_read_before_the_outage_is_served_as_last_good_copy(reader, clock, settings, caplog):
    explainer = published(teaser="Vorspann vor dem Ausfall.")
    before = reader.get(url("detail", explainer.slug))
    later(clock, settings)
    with database_down(), caplog.at_level(logging.WARNING, logger="newsroom.held_pages"):
        during = reader.get(url("detail", explainer.slug))
        again = reader.get(f"{url('detail', explainer.slug)}?utm_source=eilmeldung")
        assert reader.get("/healthz").status_code == 503
    assert is_stale(during) and is_stale(again)
    assert during.content == before.content
    assert "Vorspann vor dem Ausfall." in during.content.decode()
    assert during["ETag"] == before["ETag"]
    assert cache_control(during)["max-age"] == "0"  # a cache in front takes it as stale
    assert f"database unreachable: {url('detail', explainer.slug)}" in caplog.text
    clock[0] += PAUSE_SECONDS
    assert not is_stale(reader.get(url("detail", explainer.slug)))  # back: rendered anew


def test_after_a_database_error_held_pages_are_answered_for_a_second_without_asking_it(
    reader, clock, settings
):
    page = url("detail", published().slug)
    reader.get(page)
    later(clock, settings)
    with database_down() as refused:
        assert is_stale(reader.get(page)) and refused
        tried = len(refused)
        assert all(is_stale(reader.get(page)) for _ in range(5))
        assert len(refused) == tried
        assert is_outage_page(reader.get(url("index")))  # a page it does not hold asks
        tried = len(refused)
        clock[0] += PAUSE_SECONDS
        assert is_stale(reader.get(page))
        assert len(refused) > tried  # and after the pause it asks again


def test_a_page_not_read_before_answers_503_with_retry_after_in_german(reader, clock, settings):
    read, unread = published(), published()
    reader.get(url("detail", read.slug))
    later(clock, settings)
    with database_down():
        for page in (url("detail", unread.slug), url("versions", read.slug), url("index")):
            response = reader.get(page)
            assert is_outage_page(response), (page, response.status_code)
            assert "Bitte versuchen Sie es in einer Minute noch einmal." in response.text
            assert response["Cache-Control"] == "no-store"
        head = reader.head(url("detail", unread.slug))
    assert head.status_code == 503 and head["Retry-After"] == "30"


def test_a_withdrawal_just_before_the_outage_is_not_undone_by_a_stale_copy(
    reader, clock, settings, desk
):
    explainer = published(teaser="Vorspann, der zurückgezogen wird.")
    assert reader.get(url("detail", explainer.slug)).status_code == 200
    withdraw(explainer, note="Rechtliche Prüfung.", user=desk)
    later(clock, settings)
    with database_down():
        response = reader.get(url("detail", explainer.slug))
    assert is_outage_page(response)
    assert "Vorspann, der zurückgezogen wird." not in response.text


def test_a_redaction_just_before_the_outage_is_not_undone_by_a_stale_copy(
    reader, clock, settings, desk
):
    explainer = make_explainer()
    Question.objects.filter(explainer=explainer, position=1).update(
        answer="Es heißt, Minister X sei bestochen worden."
    )
    publish(explainer, user=desk)
    assert "Minister X" in reader.get(url("detail", explainer.slug)).text
    redact(explainer, passage="Minister X", reason="Einstweilige Verfügung", user=desk)
    later(clock, settings)
    with database_down():
        response = reader.get(url("detail", explainer.slug))
    assert is_outage_page(response)
    assert "Minister X" not in response.text


def test_past_the_stale_window_the_page_answers_503(reader, clock, settings):
    settings.READER_STALE_IF_ERROR_SECONDS = 60
    explainer = published()
    reader.get(url("detail", explainer.slug))
    clock[0] += 59
    with database_down():
        assert is_stale(reader.get(url("detail", explainer.slug)))
        clock[0] += 2
        assert is_outage_page(reader.get(url("detail", explainer.slug)))


def test_with_debug_on_readers_get_the_same_answers(reader, clock, settings):
    settings.DEBUG = True  # Django's technical page would answer before handler500
    read, unread = published(), published()
    reader.get(url("detail", read.slug))
    later(clock, settings)
    with database_down():
        assert is_stale(reader.get(url("detail", read.slug)))
        assert is_outage_page(reader.get(url("detail", unread.slug)))


def test_other_errors_still_answer_500_and_are_never_served_stale(reader, clock, settings):
    explainer = published()
    reader.get(url("detail", explainer.slug))
    later(clock, settings)
    with database_down(ProgrammingError('column "teaser" does not exist')):
        response = reader.get(url("detail", explainer.slug))
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.content.decode()
    assert "Retry-After" not in response and "X-Newsroom-Stale" not in response


def test_only_what_the_whole_stack_would_answer_200_is_served_stale(reader, clock, settings):
    page = url("detail", published().slug)
    reader.get(page)
    later(clock, settings)
    with database_down():
        assert reader.get(page, HTTP_HOST="evil.example").status_code == 400
        assert reader.get(f"{page}?q=%00").status_code == 400
        assert reader.post(page).status_code == 405
        assert reader.get(page, HTTP_IF_MATCH='"v1"').status_code == 503
        assert is_stale(reader.get(page))


# The memory the last good copies take


def test_last_good_copies_stay_within_the_byte_budget_oldest_read_going_first(
    reader, clock, settings
):
    explainers = [published(questions=12) for _ in range(3)]
    sizes = [len(reader.get(url("detail", e.slug)).content) for e in explainers[:1]]
    held_responses.clear()
    settings.READER_HOLD_BYTES = int(sizes[0] * 2.6)  # two pages, not three
    for explainer in explainers:
        assert reader.get(url("detail", explainer.slug)).status_code == 200
        clock[0] += 0.1
    assert held_responses.held_bytes() <= settings.READER_HOLD_BYTES
    later(clock, settings)
    with database_down():
        oldest, *others = (reader.get(url("detail", e.slug)) for e in explainers)
        assert is_outage_page(oldest)
        assert all(is_stale(response) for response in others)


def test_expired_pages_make_room_before_pages_still_fresh(reader, clock, settings):
    first, second, third = (published(questions=12) for _ in range(3))
    size = len(reader.get(url("detail", first.slug)).content)
    held_responses.clear()
    settings.READER_HOLD_BYTES = int(size * 2.6)
    settings.READER_HOLD_SECONDS = 1
    reader.get(url("detail", first.slug))  # held at 1000.0, until 1001.0
    clock[0] += 0.5
    reader.get(url("detail", second.slug))  # held at 1000.5, until 1001.5
    clock[0] += 0.1
    reader.get(url("detail", first.slug))  # read again: now the most recently used
    clock[0] += 0.6  # 1001.2: the first has expired, the second is fresh
    reader.get(url("detail", third.slug))  # room for one: the expired one goes
    with CaptureQueriesContext(connection) as queries:
        assert reader.get(url("detail", second.slug)).status_code == 200
    assert len(queries) == 0
    with database_down():
        assert is_outage_page(reader.get(url("detail", first.slug)))


# The bake


@pytest.fixture
def baked(collected, tmp_path, settings):
    settings.STATIC_ROOT = str(collected)
    settings.ALLOWED_HOSTS = ["news.example.org", "testserver"]
    explainer = published(teaser="Vorspann aus dem Ofen.")
    output = tmp_path / "bake"
    call_command("bake", str(output), stdout=io.StringIO())
    settings.BAKE_DIR = str(output)
    return explainer


def test_with_the_bake_a_page_not_held_is_served_from_its_baked_file(reader, baked, caplog):
    held_responses.clear()
    with database_down(), caplog.at_level(logging.WARNING, logger="newsroom.held_pages"):
        page = reader.get(url("detail", baked.slug), HTTP_ACCEPT_LANGUAGE="en")
        index = reader.get(url("index") + "?page=1&utm_source=x")
        feed = reader.get(url("explainer_feed", baked.slug))
        missing = reader.get(url("detail", "gibt-es-nicht"))
    assert is_stale(page) and is_stale(index) and is_stale(feed)
    assert "Vorspann aus dem Ofen." in page.text and "Vorspann aus dem Ofen." in index.text
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert page["Content-Language"] == "de"  # the bake holds the German pages
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "baked file" in caplog.text
    assert is_outage_page(missing)


# The desk


def test_the_desk_is_told_the_database_is_unreachable_and_nothing_was_stored(client, desk):
    explainer = published(teaser="Vorspann wie gespeichert.")
    client.force_login(desk)
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    assert client.get(change).status_code == 200
    client.raise_request_exception = False
    with database_down():
        pages = [client.get(reverse("admin:index")), client.post(change, {"teaser": "Neu."})]
    for response in pages:
        assert response.status_code == 503 and response["Retry-After"] == "30"
        text = response.content.decode()
        assert "Die Datenbank ist nicht erreichbar" in text
        assert "ist es nicht gespeichert worden" in text
        assert "X-Newsroom-Stale" not in response
    explainer.refresh_from_db()
    assert explainer.teaser == "Vorspann wie gespeichert."


# The API


def test_the_api_answers_a_problem_with_retry_after_and_stores_nothing(client, desk):
    from explainers.domain.api_tokens import make_token

    explainer = published(teaser="Vorspann wie gespeichert.")
    secret = make_token(desk, "Agentur").secret
    client.raise_request_exception = False
    with database_down():
        read = client.get(reverse("api:explainer", args=[explainer.slug]))
        write = client.post(
            reverse("api:revisions", args=[explainer.slug]),
            data=b"Titel: Neu\n\nNeuer Vorspann.\n",
            content_type="text/plain",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
            HTTP_IF_MATCH='"rev-1"',
        )
    for response in (read, write):
        assert response.status_code == 503, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response["Retry-After"] == "30"
        assert "Datenbank ist nicht erreichbar" in response.json()["detail"]
    explainer.refresh_from_db()
    assert explainer.teaser == "Vorspann wie gespeichert."


def test_after_a_failed_rebake_the_bake_is_no_last_good_copy_until_a_full_bake(
    reader, baked, desk, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """A withdrawal whose re-bake failed is still in the baked files: they must not undo it."""
    from explainers.bake import baking

    def busy(*args, **kwargs):  # another bake holds the lock, or the database just went away
        raise baking.BakeError("another bake held the lock for 10 s")

    monkeypatch.setattr(baking, "rebake", busy)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(baked, note="Rechtliche Prüfung.", user=desk)
    held_responses.clear()  # another worker, or this one after a restart
    with database_down():
        page = reader.get(url("detail", baked.slug))
        index = reader.get(url("index"))
    assert is_outage_page(page) and is_outage_page(index)
    assert "Vorspann aus dem Ofen." not in page.text + index.text


def test_the_baked_copy_varies_on_accept_language_as_the_page_does(reader, baked):
    held_responses.clear()
    with database_down():
        english = reader.get(url("detail", baked.slug), HTTP_ACCEPT_LANGUAGE="en")
    assert is_stale(english) and "Accept-Language" in english["Vary"]


def test_a_reader_signal_that_cannot_be_written_is_loud_and_empties_this_workers_pages(
    reader, clock, settings, desk, monkeypatch, caplog
):
    from explainers.reader import reader_signal

    explainer = make_explainer()
    Question.objects.filter(explainer=explainer, position=1).update(
        answer="Es heißt, Minister X sei bestochen worden."
    )
    publish(explainer, user=desk)
    assert "Minister X" in reader.get(url("detail", explainer.slug)).text
    assert held_responses.held_bytes() > 0

    def refused(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reader_signal.os, "open", refused)
    redact(explainer, passage="Minister X", reason="Einstweilige Verfügung", user=desk)
    monkeypatch.undo()
    assert held_responses.held_bytes() == 0
    assert any(r.levelname == "ERROR" and "reader signal" in r.message for r in caplog.records)
    later(clock, settings)
    with database_down():
        response = reader.get(url("detail", explainer.slug))
    assert "Minister X" not in response.text


def test_a_repeated_query_parameter_is_held_once_and_counted_with_its_key(reader, settings):
    held_responses.clear()
    values = "&".join(f"q=wert{i}" for i in range(300))
    assert reader.get(f"/suche/?{values}&q=letzter").status_code == 200
    assert reader.get("/suche/?q=letzter").status_code == 200  # the same page, held once
    keys = list(held_responses._held.pages)
    assert len(keys) == 1 and "wert1" not in repr(keys[0])
    page = held_responses._held.pages[keys[0]]
    assert page.size > len(page.content) + len(repr(keys[0])) - 1


@pytest.mark.parametrize("debug", [False, True])
def test_no_address_answers_500_while_the_database_is_down(reader, settings, debug):
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site

    settings.DEBUG = debug
    explainer = published()
    Question.objects.filter(explainer=explainer, position=1).update(answer="Neu.")
    publish(explainer, kind="update", note="Neu.")
    page = FlatPage.objects.create(url="/impressum/", title="Impressum", content="x")
    page.sites.add(Site.objects.get_current())
    slug = explainer.slug
    addresses = [
        "/", "/?page=2", "/suche/?q=x", "/feed/", url("detail", slug), url("versions", slug),
        url("version", slug, 1), url("diff", slug, "1..2"), url("explainer_feed", slug),
        url("preview", slug), "/oembed/?url=http://testserver/explainers/x/", "/sitemap.xml",
        "/robots.txt", "/impressum/", "/datenschutz/", "/healthz", "/favicon.ico",
        "/gibt-es-nicht/", "/api/v1/explainers/", "/api/v1/search/?q=x",
        f"/api/v1/explainers/{slug}/", f"/api/v1/explainers/{slug}/versions/", "/api/schema/",
        "/api/docs/", "/api/v1/nix/", "/admin/", "/admin/login/",
    ]  # fmt: skip
    held_responses.clear()
    answers = {}
    with database_down():
        for address in addresses:
            answers[address] = reader.get(address).status_code
        answers["HEAD /"] = reader.head("/").status_code
        login = {"username": "a", "password": "b"}
        answers["POST /admin/login/"] = reader.post("/admin/login/", login).status_code
        reader.cookies["sessionid"] = "abc"
        answers["/ with a session"] = reader.get("/").status_code
    assert not [address for address, status in answers.items() if status >= 500 and status != 503]
    assert answers["/healthz"] == 503 and answers["/"] == 503

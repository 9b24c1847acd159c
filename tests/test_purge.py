"""The purge hook: publishing, withdrawing, redacting and repairing send domain signals;
after the commit the caches in front get one ban naming every changed page. A cache that
is down, or a receiver that fails, never fails the change itself."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import TestCase as DjangoTestCase

from explainers.domain import signals
from explainers.domain.publishing import publish
from explainers.domain.takedown import redact, withdraw
from explainers.models import Explainer, Publication, Question
from explainers.reader import purge
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


class BanCatcher(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_BAN(self):  # noqa: N802 – the HTTP method's name
        self.received.append(self.headers["X-Ban-Url"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cache_in_front(settings):
    """A real HTTP endpoint on loopback that records the bans it gets."""
    BanCatcher.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), BanCatcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    settings.CACHE_PURGE_REPEAT_SECONDS = 0
    yield BanCatcher.received
    server.shutdown()
    server.server_close()


def banned(expression: str, path: str) -> bool:
    return re.search(expression, path) is not None


def published(desk, **overrides):
    explainer = make_explainer(**overrides)
    publish(explainer, user=desk)
    return explainer


def test_a_publication_bans_its_pages_the_index_and_feeds_after_the_commit(cache_in_front, desk):
    explainer = make_explainer()
    with DjangoTestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        publish(explainer, user=desk)
        assert cache_in_front == []  # nothing before the commit
    for callback in callbacks:
        callback()
    (expression,) = cache_in_front
    slug = explainer.slug
    for path in (f"/explainers/{slug}/", f"/explainers/{slug}/?utm_source=1",
                 f"/explainers/{slug}/diff/1..3/", f"/explainers/{slug}/feed/",
                 "/", "/?page=2", "/feed/", "/suche/?q=x", "/sitemap.xml"):  # fmt: skip
        assert banned(expression, path), path
    for path in ("/explainers/other/", "/impressum/", "/admin/", "/static/x.css"):
        assert not banned(expression, path), path


def test_a_redaction_bans_old_slugs_removed_slugs_and_referring_pages(
    cache_in_front, desk, django_capture_on_commit_callbacks
):
    target = published(desk, headline="Streit um Minister X", slug="streit-um-minister-x")
    Explainer.objects.filter(pk=target.pk).update(slug="streit-neu")
    publish(target, note="Umbenannt.", user=desk)
    referrer = published(desk, related=["streit-neu"])
    bystander = published(desk)
    cache_in_front.clear()
    with django_capture_on_commit_callbacks(execute=True):
        redact(target, passage="Minister X", reason="Verfügung.", user=desk)
    (expression,) = cache_in_front
    for slug in ("streit-um-minister-x", "streit-neu", referrer.slug):
        assert banned(expression, f"/explainers/{slug}/v1/"), slug
    assert not banned(expression, f"/explainers/{bystander.slug}/")


def test_a_withdrawal_bans_pages_that_recommend_the_explainer(
    cache_in_front, desk, django_capture_on_commit_callbacks
):
    target = published(desk)
    referrer = published(desk, related=[target.slug])
    cache_in_front.clear()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(target, note="Geprüft.", user=desk)
    (expression,) = cache_in_front
    assert banned(expression, f"/explainers/{referrer.slug}/")


def test_an_unreachable_cache_never_fails_the_publication(
    settings, desk, caplog, django_capture_on_commit_callbacks
):
    settings.CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens on discard
    explainer = make_explainer()
    with django_capture_on_commit_callbacks(execute=True):
        publication = publish(explainer, user=desk)
    assert Publication.objects.filter(pk=publication.pk).exists()
    assert "purge: http://127.0.0.1:9/ refused or unreachable" in caplog.text


def test_a_failing_receiver_never_fails_the_change(desk, caplog):
    def broken(**details):
        raise RuntimeError("receiver broke")

    signals.explainer_published.connect(broken, dispatch_uid="test.broken")
    try:
        explainer = make_explainer()
        publication = publish(explainer, user=desk)
    finally:
        signals.explainer_published.disconnect(dispatch_uid="test.broken")
    assert Publication.objects.filter(pk=publication.pk).exists()
    assert "receiver broke" in caplog.text


def test_every_reader_side_change_sends_its_signal(desk):
    sent = []

    def record(signal, **details):
        sent.append((signal, details["explainer"].pk))

    for signal in signals.READER_SIGNALS:
        signal.connect(record, dispatch_uid="test.record")
    try:
        explainer = make_explainer()
        Question.objects.filter(explainer=explainer, position=1).update(answer="Ein Satz hier.")
        publish(explainer, user=desk)
        redact(explainer, passage="Satz hier", reason="Verfügung.", user=desk)
        withdraw(explainer, note="Geprüft.", user=desk)
    finally:
        for signal in signals.READER_SIGNALS:
            signal.disconnect(dispatch_uid="test.record")
    assert sent == [
        (signals.explainer_published, explainer.pk),
        (signals.explainer_redacted, explainer.pk),
        (signals.explainer_withdrawn, explainer.pk),
    ]


def test_an_edited_legal_page_is_banned(cache_in_front, django_capture_on_commit_callbacks):
    from django.contrib.flatpages.models import FlatPage

    page = FlatPage.objects.create(url="/impressum/", title="Impressum", content="Alt.")
    cache_in_front.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.content = "Neu."
        page.save()
    (expression,) = cache_in_front
    assert banned(expression, "/impressum/")
    assert not banned(expression, "/datenschutz/")


def test_the_ban_is_sent_again_for_a_page_fetched_during_the_change(
    cache_in_front, settings, desk, django_capture_on_commit_callbacks
):
    from tests.support.live_servers import wait_for

    settings.CACHE_PURGE_REPEAT_SECONDS = 0.2
    with django_capture_on_commit_callbacks(execute=True):
        publish(make_explainer(), user=desk)
    wait_for(lambda: len(cache_in_front) == 2, within=10)
    assert cache_in_front[0] == cache_in_front[1]


def test_many_slugs_are_split_into_bans_a_cache_accepts():
    slugs = [f"ein-sehr-langer-kurzname-fuer-ein-erklaerstueck-{n}" for n in range(500)]
    expressions = purge.ban_expression(slugs)
    assert len(expressions) > 1
    assert all(len(expression) <= purge.MAX_EXPRESSION + 10 for expression in expressions)
    for slug in slugs:
        assert any(banned(e, f"/explainers/{slug}/diff/1..2/") for e in expressions), slug
    assert any(banned(e, "/?page=3") for e in expressions)

"""A held reader page is answered by an outer layer of the middleware
(newsroom/held_pages.py): the same bytes and headers as the page rendered through the
whole stack, without the layers inside it. Anonymous readers skip the desk's sessions,
logins and messages; the policy header is built once."""

import logging

import pytest
from csp.constants import NONCE
from csp.middleware import CSPMiddleware
from django.db import connection
from django.http import HttpResponse
from django.middleware.common import CommonMiddleware
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.reader import held_responses
from newsroom import csp, reader_locale
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db
PER_REPLY = {"x-request-id"}  # Date is the server's, not Django's


@pytest.fixture
def online(desk):
    explainer = make_explainer(teaser="Erste Fassung des Vorspanns.")
    publish(explainer, user=desk)
    return reverse("explainers:detail", args=[explainer.slug])


@pytest.fixture
def inner_layers(monkeypatch):
    """How often the layers inside the hold (CommonMiddleware stands for them) ran."""
    runs = []
    original = CommonMiddleware.process_request

    def counted(self, request):
        runs.append(request.path)
        return original(self, request)

    monkeypatch.setattr(CommonMiddleware, "process_request", counted)
    return runs


def headers(response) -> dict:
    return {name.lower(): value for name, value in response.items()
            if name.lower() not in PER_REPLY}  # fmt: skip


def test_a_held_page_is_answered_outside_the_stack_with_the_same_bytes_and_headers(
    client, online, inner_layers
):
    fresh = client.get(online)
    with CaptureQueriesContext(connection) as queries:
        held = client.get(online)
    assert inner_layers == [online]  # the second answer never reached the inner layers
    assert len(queries) == 0
    assert held.status_code == fresh.status_code == 200
    assert held.content == fresh.content
    assert headers(held) == headers(fresh)
    for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Vary",
                 "Cache-Control", "Content-Language", "ETag", "Last-Modified",
                 "Content-Length", "X-Content-Type-Options"):  # fmt: skip
        assert held[name], name
    assert held["X-Request-ID"] != fresh["X-Request-ID"]


def test_a_held_page_is_logged_like_any_other_request(client, online, caplog):
    client.get(online)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="newsroom.request"):
        held = client.get(f"{online}?utm_source=feed")
    lines = [r for r in caplog.records if r.name == "newsroom.request"]
    assert len(lines) == 1
    assert lines[0].getMessage().startswith(f"GET {online}?utm_source=feed 200 ")
    assert lines[0].request_id == held["X-Request-ID"]


@pytest.mark.parametrize("condition", ["etag", "date"])
def test_the_304_of_a_held_page_is_the_304_of_the_whole_stack(
    client, online, settings, condition, inner_layers
):
    page = client.get(online)
    asks = (
        {"HTTP_IF_NONE_MATCH": page["ETag"]}
        if condition == "etag"
        else {"HTTP_IF_MODIFIED_SINCE": page["Last-Modified"]}
    )
    held = client.get(online, **asks)
    settings.READER_CACHE = False
    whole = client.get(online, **asks)
    assert held.status_code == whole.status_code == 304
    assert headers(held) == headers(whole)
    assert inner_layers == [online, online]  # the first page and the uncached one


def test_a_conditional_request_first_renders_the_page_whole_so_it_can_be_held(
    client, online, inner_layers
):
    etag = client.get(online)["ETag"]
    held_responses.clear()
    assert client.get(online, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert held_responses.held_bytes() > 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(online, HTTP_IF_NONE_MATCH='"veraltet"').status_code == 200
        assert client.get(online, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) == 0
    assert len(inner_layers) == 2


def test_a_head_request_is_answered_from_the_hold_with_the_page_headers(
    client, online, inner_layers
):
    page = client.get(online)
    head = client.head(online)
    assert head.status_code == 200
    assert head["Content-Length"] == page["Content-Length"]
    assert head["ETag"] == page["ETag"]
    assert inner_layers == [online]


def test_a_page_first_asked_for_with_head_is_held_with_its_etag(client, online):
    head = client.head(online)
    held = client.get(online)
    held_responses.clear()
    rendered = client.get(online)
    assert head["ETag"] == held["ETag"] == rendered["ETag"]
    assert headers(held) == headers(rendered)


def test_a_host_not_allowed_is_refused_on_a_held_page_as_on_any(client, online, settings):
    client.get(online)
    refused = client.get(online, HTTP_HOST="evil.example")
    assert refused.status_code == 400
    settings.READER_CACHE = False
    assert headers(client.get(online, HTTP_HOST="evil.example")) == headers(refused)


def test_a_nul_in_the_address_of_a_held_page_is_refused(client, online):
    client.get(online)
    refused = client.get(f"{online}?utm_source=%00")
    assert refused.status_code == 400
    assert "Die Adresse enthält ein ungültiges Zeichen." in refused.text


def test_held_pages_follow_accept_language_and_ignore_the_language_cookie(client, online):
    client.get(online, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    with CaptureQueriesContext(connection) as queries:
        german = client.get(online, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert german["Content-Language"] == "de"
    assert len(queries) > 0  # the German page was not held yet: rendered, not the English one
    english = client.get(online, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert english["Content-Language"] == "en"


def test_the_reader_language_is_worked_out_once_per_accept_language(client, online):
    reader_locale._language_for.cache_clear()
    for _ in range(3):
        client.get(online, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert reader_locale._language_for.cache_info().misses == 1


def test_anonymous_readers_get_no_session_messages_or_login_work(client, online):
    client.get(online)
    held_responses.clear()
    request = client.get(online).wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "_messages")
    assert not request.user.is_authenticated


def test_an_editor_reading_a_page_keeps_the_session(client, online, reporter):
    client.force_login(reporter)
    held_responses.clear()
    request = client.get(online).wsgi_request
    assert request.user == reporter
    assert hasattr(request, "session") and hasattr(request, "_messages")


def test_the_admin_login_keeps_session_csrf_and_messages(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert hasattr(response.wsgi_request, "session")
    assert hasattr(response.wsgi_request, "_messages")


def test_the_admin_preview_refuses_anonymous_readers_with_a_404(client, online):
    assert client.get(f"{online}preview/").status_code == 404


# The policy


def directives(policy: str) -> dict:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_the_policy_is_built_once_and_is_django_csps_own(client, online):
    csp.policies.cache_clear()
    policies = [client.get(online)["Content-Security-Policy"] for _ in range(3)]
    policies.append(client.get(reverse("admin:login"))["Content-Security-Policy"])
    assert csp.policies.cache_info().misses == 1
    assert len(set(policies)) == 1
    request = RequestFactory().get("/")
    own = CSPMiddleware(lambda r: HttpResponse()).process_response(request, HttpResponse())
    assert directives(policies[0]) == directives(own["Content-Security-Policy"])


def test_a_view_that_changes_the_policy_still_gets_its_own(rf):
    response = HttpResponse()
    response._csp_update = {"img-src": ["https://bilder.example"]}
    answered = csp.ConstantCSPMiddleware(lambda r: response)(rf.get("/"))
    assert "https://bilder.example" in directives(answered["Content-Security-Policy"])["img-src"]


@pytest.fixture
def nonce_policy(settings):
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**policy["DIRECTIVES"], "script-src": ["'self'", NONCE]}
    }


def test_with_a_nonce_policy_every_page_that_uses_the_nonce_gets_its_own(rf, nonce_policy):
    def page_with_a_script(request):
        return HttpResponse(f"<script nonce={request.csp_nonce}></script>")

    middleware = csp.ConstantCSPMiddleware(page_with_a_script)
    replies = [middleware(rf.get("/")) for _ in range(2)]
    nonces = [directives(r["Content-Security-Policy"])["script-src"][1] for r in replies]
    assert nonces[0] != nonces[1]
    assert all(
        f"nonce={n[7:-1]}>".encode() in r.content for n, r in zip(nonces, replies, strict=True)
    )


def test_a_page_that_used_the_nonce_is_never_held(rf, online, nonce_policy):
    request = rf.get(online)
    request._csp_nonce = "abc"  # what django-csp leaves once the page read the nonce
    note = held_responses.Note((), object(), 0.0, "de")
    assert not held_responses.keep(request, note, HttpResponse("<script nonce=abc>"))
    assert held_responses.held_bytes() == 0


def test_with_a_nonce_policy_pages_without_scripts_are_held_and_name_no_nonce(
    client, online, nonce_policy, inner_layers
):
    replies = [client.get(online) for _ in range(2)]
    assert inner_layers == [online]
    for reply in replies:
        assert directives(reply["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_the_hold_is_off_with_page_caching_off(client, online, settings, inner_layers):
    settings.READER_CACHE = False
    client.get(online)
    client.get(online)
    assert inner_layers == [online, online]
    assert held_responses.held_bytes() == 0

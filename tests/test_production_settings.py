"""Production is secure by default: with only DJANGO_DEBUG=0, a secret key, the hosts and
the public address set, the deployment checks pass and every response carries the
security headers."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.reader import held_responses
from tests.factories import make_explainer, make_user

SECRET = "k" * 20 + "-production-test-secret-1234567890"
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
]


def run_with(env_overrides: dict[str, str], code: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "READER_", "PUBLIC_BASE_URL"))
    }
    env |= {"DJANGO_SETTINGS_MODULE": "newsroom.settings", **env_overrides}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True,
        cwd=settings.BASE_DIR, check=False,
    )  # fmt: skip


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "news.example.org",
    "PUBLIC_BASE_URL": "https://news.example.org",
}


def production_values(**extra: str) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SECURITY_SETTINGS!r}}}))"
    )
    done = run_with(PRODUCTION | extra, code)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


DEPLOY_CHECK = (
    "import django; from django.core.management import execute_from_command_line as x; "
    "x(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
)


def test_the_deployment_checks_pass_with_only_the_four_variables_set():
    done = run_with(PRODUCTION, DEPLOY_CHECK)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_the_deployment_checks_fail_without_the_public_address():
    done = run_with({k: v for k, v in PRODUCTION.items() if k != "PUBLIC_BASE_URL"}, DEPLOY_CHECK)
    assert done.returncode != 0
    assert "explainers.E001" in done.stderr and "PUBLIC_BASE_URL" in done.stderr


def test_production_defaults_are_https_only_with_secure_cookies_and_hsts():
    values = production_values()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    # hard to undo, so opt-in
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False


def test_documented_variables_switch_the_redirect_off_and_opt_into_preload():
    values = production_values(
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_SECURE_HSTS_PRELOAD="1",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True


def test_a_proxy_header_for_tls_termination_is_read_and_checked():
    code = "import django; from django.conf import settings; django.setup(); " \
           "print(settings.SECURE_PROXY_SSL_HEADER)"  # fmt: skip
    good = run_with(PRODUCTION | {"DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"},
                    code)  # fmt: skip
    assert good.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"
    bad = run_with(PRODUCTION | {"DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, code)
    assert bad.returncode != 0
    assert "DJANGO_SECURE_PROXY_SSL_HEADER" in bad.stderr


@pytest.fixture
def production(settings):
    """This process, with the security settings production computes."""
    for name, value in production_values().items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["news.example.org"]
    return Client(HTTP_HOST="news.example.org")


def assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def held_page(production, desk):
    """A reader page this worker holds: its second request is answered from the hold."""
    explainer = make_explainer()
    publish(explainer, user=desk)
    url = reverse("explainers:detail", args=[explainer.slug])
    assert production.get(url, secure=True).status_code == 200
    assert held_responses.held_bytes() > 0
    return url


def without_request_id(response) -> dict:
    return {name: value for name, value in response.items() if name != "X-Request-ID"}


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production):
    response = production.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://news.example.org/"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_for_a_held_page_too(production, held_page):
    response = production.get(held_page)
    assert response.status_code == 301
    assert response["Location"] == f"https://news.example.org{held_page}"


@pytest.mark.django_db
def test_reader_page_and_admin_carry_the_security_headers(production, desk):
    explainer = make_explainer()
    publish(explainer, user=desk)
    for url in (reverse("explainers:detail", args=[explainer.slug]), reverse("admin:login")):
        response = production.get(url, secure=True)
        assert response.status_code == 200, url
        assert_security_headers(response)
        again = production.get(url, secure=True)  # a reader page: now from the hold
        assert again.status_code == 200, url
        assert_security_headers(again)


@pytest.mark.django_db
def test_a_held_page_is_sent_with_the_headers_of_the_rendered_one(production, held_page):
    held_responses.clear()
    rendered = production.get(held_page, secure=True)
    with CaptureQueriesContext(connection) as queries:
        held = production.get(held_page, secure=True)
    assert len(queries) == 0  # from the hold
    assert without_request_id(held) == without_request_id(rendered)
    assert held.content == rendered.content


@pytest.mark.django_db
def test_a_held_page_answers_304_as_the_rendered_one(production, held_page, settings):
    page = production.get(held_page, secure=True)
    held = production.get(held_page, secure=True, HTTP_IF_NONE_MATCH=page["ETag"])
    settings.READER_CACHE = False
    rendered = production.get(held_page, secure=True, HTTP_IF_NONE_MATCH=page["ETag"])
    assert held.status_code == rendered.status_code == 304
    assert without_request_id(held) == without_request_id(rendered)
    assert held["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_a_held_page_refuses_other_hosts_and_nul_as_any_page(production, held_page):
    other = production.get(held_page, secure=True, HTTP_HOST="evil.example")
    assert other.status_code == 400
    nul = production.get(f"{held_page}?utm_source=%00", secure=True)
    assert nul.status_code == 400
    assert nul["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "script-src 'self'" in nul["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_session_cookie_is_httponly_secure_and_samesite(production):
    user = make_user("berta", publish=True)
    user.set_password("ein langes Passwort 42")
    user.save()
    response = production.post(
        reverse("admin:login"),
        {"username": "berta", "password": "ein langes Passwort 42", "next": "/admin/"},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_csrf_protection_stays_on_for_the_admin_login(settings):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403

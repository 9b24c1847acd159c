"""Operations: a health check for load balancers, one log line per request with its id,
and a German 500 page for readers while the log keeps the traceback."""

import logging

import pytest
from django.db import connections
from django.db.utils import OperationalError
from django.test import Client

from tests.support.servers import free_port

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "cache": True}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": False, "cache": True}


def test_healthz_answers_503_when_the_cache_does_not(client, settings):
    # a Redis nobody listens on
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "cache": False}


def test_healthz_is_reachable_over_plain_http_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_every_request_is_logged_in_one_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="newsroom.request"):
        response = client.get("/gibt-es-nicht/?q=1")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 16
    lines = [r for r in caplog.records if r.name == "newsroom.request"]
    assert len(lines) == 1
    line = lines[0].getMessage()
    assert line.startswith("GET /gibt-es-nicht/?q=1 404 ")
    assert line.endswith("ms")
    assert lines[0].request_id == request_id


def test_a_request_id_from_the_proxy_is_kept_and_a_malformed_one_replaced(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]  # the test client's address
    given = "lb-2f9c1a77d0e4"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 16


def test_a_server_error_shows_readers_a_german_page_without_detail(settings, caplog):
    settings.ROOT_URLCONF = "tests.failing_urls"
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/kaputt/")
    assert response.status_code == 500
    text = response.content.decode()
    assert '<html lang="de">' in text
    assert "Ein Fehler ist aufgetreten" in text
    assert "intern-db-7" not in text and "RuntimeError" not in text
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert errors and errors[0].exc_info is not None
    assert "intern-db-7" in str(errors[0].exc_info[1])
    assert errors[0].request_id == response["X-Request-ID"]


def test_desk_actions_are_logged_with_the_user(caplog, desk):
    from explainers.domain.publishing import publish
    from explainers.domain.takedown import redact, withdraw
    from explainers.models import Explainer
    from tests.factories import make_explainer

    explainer = make_explainer()
    explainer.questions.filter(position=1).update(answer="Ein Satz über Minister X.")
    with caplog.at_level(logging.INFO, logger="newsroom.desk"):
        publish(explainer, user=desk)
        redact(explainer, passage="Minister X", reason="Verfügung", user=desk)
        withdraw(Explainer.objects.get(pk=explainer.pk), note="Geprüft.", user=desk)
    lines = [r.getMessage() for r in caplog.records if r.name == "newsroom.desk"]
    assert (
        lines[0]
        == f"publish explainer={explainer.slug} id={explainer.pk} by=desk version=1 kind=first"
    )
    assert lines[1].startswith("redact ") and "by=desk" in lines[1]
    assert "Minister X" not in lines[1]
    assert lines[2].startswith("withdraw ") and "by=desk" in lines[2]

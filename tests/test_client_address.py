"""Who the client is behind proxies (newsroom.client_address), as the login limit and the
request id see it: X-Forwarded-For counts only when a trusted proxy connected to us, and then
its rightmost address that is not a trusted proxy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from newsroom.client_address import resolve_client, trusted_networks
from tests.factories import make_user

NGINX = trusted_networks(["127.0.0.1/32"])
NGINX_AND_BALANCERS = trusted_networks(["127.0.0.1/32", "10.0.0.0/8"])


# The pure rule


def test_without_trusted_proxies_the_header_is_ignored():
    assert resolve_client("127.0.0.1", "203.0.113.7", ()) == "127.0.0.1"


def test_behind_nginx_the_client_is_the_address_nginx_appended():
    assert resolve_client("127.0.0.1", "203.0.113.7", NGINX) == "203.0.113.7"


def test_a_client_that_is_not_a_trusted_proxy_cannot_name_another_address():
    assert resolve_client("203.0.113.7", "198.51.100.9", NGINX) == "203.0.113.7"
    assert resolve_client("203.0.113.7", "127.0.0.1", NGINX) == "203.0.113.7"


@pytest.mark.parametrize(
    "sent_by_the_client",
    ["198.51.100.9", "127.0.0.1", "10.0.0.1", "198.51.100.9, 127.0.0.1", "unknown", ""],
)
def test_addresses_the_client_wrote_left_of_its_own_are_never_reached(sent_by_the_client):
    header = f"{sent_by_the_client}, 203.0.113.7" if sent_by_the_client else "203.0.113.7"
    assert resolve_client("127.0.0.1", header, NGINX_AND_BALANCERS) == "203.0.113.7"


@given(st.text())
def test_whatever_the_client_writes_into_the_header_it_stays_itself(sent_by_the_client):
    header = f"{sent_by_the_client}, 203.0.113.7"
    assert resolve_client("127.0.0.1", header, NGINX_AND_BALANCERS) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    # client -> load balancer 10.1.2.3 -> load balancer 10.9.9.9 -> nginx -> app
    header = "198.51.100.9, 203.0.113.7, 10.1.2.3, 10.9.9.9"
    assert resolve_client("127.0.0.1", header, NGINX_AND_BALANCERS) == "203.0.113.7"


def test_a_client_inside_the_trusted_networks_is_the_farthest_address_vouched_for():
    assert resolve_client("127.0.0.1", "10.7.7.7, 10.1.2.3", NGINX_AND_BALANCERS) == "10.7.7.7"


@pytest.mark.parametrize("header", ["", " ", ",", " , "])
def test_without_a_forwarded_address_the_client_is_the_proxy_itself(header):
    assert resolve_client("127.0.0.1", header, NGINX) == "127.0.0.1"


@pytest.mark.parametrize(
    "unreadable", ["unknown", "203.0.113.7:4711", "[2001:db8::1]", "999.1.1.1", "a b", "_"]
)
def test_an_unreadable_entry_ends_the_walk_at_the_last_known_hop(unreadable):
    # Nothing left of it can be believed: it may all be the client's own writing.
    header = f"198.51.100.9, {unreadable}"
    assert resolve_client("127.0.0.1", header, NGINX_AND_BALANCERS) == "127.0.0.1"
    header = f"198.51.100.9, {unreadable}, 10.1.2.3"
    assert resolve_client("127.0.0.1", header, NGINX_AND_BALANCERS) == "10.1.2.3"


def test_ipv6_clients_and_proxies():
    proxies = trusted_networks(["::1/128", "2001:db8:ffff::/48"])
    header = "2001:db8::bad, 2001:db8::1, 2001:db8:ffff::10"
    assert resolve_client("::1", header, proxies) == "2001:db8::1"
    assert resolve_client("2001:db8::1", "2001:db8::2", proxies) == "2001:db8::1"


def test_ipv4_mapped_addresses_count_as_ipv4():
    # gunicorn on a dual-stack socket sees nginx on 127.0.0.1 as ::ffff:127.0.0.1.
    assert resolve_client("::ffff:127.0.0.1", "::ffff:203.0.113.7", NGINX) == "203.0.113.7"


def test_a_connection_without_an_ip_address_is_passed_through_untrusted():
    assert resolve_client("", "203.0.113.7", NGINX) == ""


# The setting


def test_a_bare_address_is_one_host():
    assert [str(n) for n in trusted_networks(["127.0.0.1", "::1"])] == ["127.0.0.1/32", "::1/128"]


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("localhost", "'localhost' is not a network in CIDR notation"),
        ("10.0.0.1/8", "Did you mean 10.0.0.0/8?"),
        ("127.0.0.1/33", "'127.0.0.1/33' is not a network"),
    ],
)
def test_a_network_that_is_not_one_is_refused_with_a_clear_message(entry, says):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TRUSTED_PROXIES") as refused:
        trusted_networks([entry])
    assert says in str(refused.value)


def run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=clean | env, capture_output=True, text=True,
        cwd=settings.BASE_DIR, check=False,
    )  # fmt: skip


def test_the_project_refuses_to_start_with_an_invalid_trusted_network():
    done = run_django({"DJANGO_TRUSTED_PROXIES": "127.0.0.1/32, 10.0.0.1/8"}, "check")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "Did you mean 10.0.0.0/8?" in done.stderr


def test_the_old_proxy_count_is_refused_by_the_system_check_naming_its_replacement():
    done = run_django({"DJANGO_PROXY_COUNT": "1"}, "check")
    assert done.returncode != 0
    assert "newsroom.E001" in done.stderr
    assert "DJANGO_TRUSTED_PROXIES" in done.stderr
    assert run_django({}, "check").returncode == 0


# Wired into the login limit and the request id


PASSWORD = "ein langes Passwort 42"


@pytest.fixture
def anna(db):
    return make_user("anna", publish=True, password=PASSWORD)


def log_in(client, password, remote_addr, forwarded_for=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    form = {"username": "anna", "password": password, "next": "/admin/"}
    return client.post(reverse("admin:login"), form, REMOTE_ADDR=remote_addr, **extra)


@pytest.mark.login_limiter
def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(client, anna, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    for _ in range(5):
        log_in(client, "falsch", "127.0.0.1", "203.0.113.7")
    assert log_in(client, PASSWORD, "127.0.0.1", "203.0.113.7").status_code == 429
    assert log_in(client, PASSWORD, "127.0.0.1", "198.51.100.9").status_code == 302


@pytest.mark.login_limiter
def test_a_forged_header_from_an_untrusted_client_neither_hides_nor_frames_it(
    client, anna, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    for _ in range(5):
        log_in(client, "falsch", "203.0.113.7", "198.51.100.9")
    assert log_in(client, PASSWORD, "203.0.113.7").status_code == 429
    assert log_in(client, PASSWORD, "198.51.100.9").status_code == 302


def test_a_request_id_is_taken_only_from_a_trusted_proxy(client, settings, db):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    given_id = "lb-2f9c1a77d0e4"
    from_proxy = client.get("/healthz", HTTP_X_REQUEST_ID=given_id, REMOTE_ADDR="127.0.0.1")
    assert from_proxy["X-Request-ID"] == given_id
    direct = client.get("/healthz", HTTP_X_REQUEST_ID=given_id, REMOTE_ADDR="203.0.113.7")
    assert direct["X-Request-ID"] != given_id
    assert len(direct["X-Request-ID"]) == 16
    malformed = client.get("/healthz", HTTP_X_REQUEST_ID="<script>", REMOTE_ADDR="127.0.0.1")
    assert malformed["X-Request-ID"] != "<script>"


def test_without_trusted_proxies_no_request_id_is_taken_from_outside(client, settings, db):
    settings.TRUSTED_PROXIES = []
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-2f9c1a77d0e4")
    assert response["X-Request-ID"] != "lb-2f9c1a77d0e4"

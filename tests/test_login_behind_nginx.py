"""The login limit behind the nginx of docs/security.md: gunicorn trusts only nginx
(127.0.0.1/32), and clients on 127.0.0.2 and 127.0.0.3 try the same user name through it.
Five failures lock out the one that failed and not the other, and what a client writes
into X-Forwarded-For or X-Request-ID itself changes nothing."""

from __future__ import annotations

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import make_user
from tests.support.live_servers import gunicorn
from tests.support.nginx import nginx_in_front_of, require_nginx

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.login_limiter]

PASSWORD = "ein langes Passwort 42"
ATTACKER, COLLEAGUE = "127.0.0.2", "127.0.0.3"
LOGIN = reverse("admin:login")


class Visitor:
    """A browser on one loopback address: keeps its cookies, sends the login form."""

    def __init__(self, base: str, source: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.source = host, int(port), source
        self.cookies: dict[str, str] = {}
        self.last_page = ""

    def request(self, method: str, path: str, body: str | None = None, **headers: str):
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=30, source_address=(self.source, 0)
        )
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for value in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response, text

    def log_in(self, username: str, password: str, **headers: str):
        page, html = self.request("GET", f"{LOGIN}?next=/admin/", **headers)
        assert page.status == 200, html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = {"username": username, "password": password, "next": "/admin/",
                "csrfmiddlewaretoken": token}  # fmt: skip
        response, self.last_page = self.request("POST", LOGIN, urlencode(form), **headers)
        return response.status


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """gunicorn on the test database trusting nginx on 127.0.0.1, and nginx in front."""
    require_nginx()
    folder = tmp_path_factory.mktemp("behind-nginx")
    app = gunicorn(folder / "gunicorn.log", workers=1, DJANGO_TRUSTED_PROXIES="127.0.0.1/32")
    with app as server, nginx_in_front_of(server.base, folder / "nginx") as nginx:
        yield server, nginx


@pytest.fixture
def anna(db):
    return make_user("anna", publish=True, password=PASSWORD)


def counted_addresses() -> set[str]:
    return set(AccessAttempt.objects.values_list("ip_address", flat=True))


def test_five_failures_lock_out_that_client_and_not_a_colleague_with_the_same_name(servers, anna):
    _app, nginx = servers
    attacker, colleague = Visitor(nginx.base, ATTACKER), Visitor(nginx.base, COLLEAGUE)
    assert [attacker.log_in("anna", "falsch") for _ in range(5)] == [200, 200, 200, 200, 429]
    assert attacker.log_in("anna", PASSWORD) == 429
    assert "Anmeldung vorübergehend gesperrt" in attacker.last_page
    assert colleague.log_in("anna", PASSWORD) == 302
    assert counted_addresses() == {ATTACKER}


def test_a_client_naming_another_address_in_x_forwarded_for_is_still_counted_as_itself(
    servers, anna
):
    _app, nginx = servers
    attacker, colleague = Visitor(nginx.base, ATTACKER), Visitor(nginx.base, COLLEAGUE)
    spoofed = {"X-Forwarded-For": f"{COLLEAGUE}, 127.0.0.1"}
    assert [attacker.log_in("anna", "falsch", **spoofed) for _ in range(5)][-1] == 429
    assert attacker.log_in("anna", PASSWORD) == 429  # without the header: the same lock
    assert colleague.log_in("anna", PASSWORD) == 302  # the named address was never counted
    assert counted_addresses() == {ATTACKER}


def test_a_client_going_around_nginx_cannot_choose_its_address_either(servers, anna):
    app, nginx = servers
    around = Visitor(app.base, ATTACKER)
    spoofed = {"X-Forwarded-For": COLLEAGUE}
    assert [around.log_in("anna", "falsch", **spoofed) for _ in range(5)][-1] == 429
    assert Visitor(nginx.base, COLLEAGUE).log_in("anna", PASSWORD) == 302
    assert Visitor(nginx.base, ATTACKER).log_in("anna", PASSWORD) == 429
    assert counted_addresses() == {ATTACKER}


def test_the_request_id_is_nginxs_own_and_a_client_sending_one_directly_is_ignored(servers):
    app, nginx = servers
    chosen = {"X-Request-ID": "chosen-by-the-client-1"}
    through_nginx, _ = Visitor(nginx.base, ATTACKER).request("GET", "/healthz", **chosen)
    # nginx's $request_id (32 hex digits) replaces the client's, and the app keeps it.
    assert re.fullmatch(r"[0-9a-f]{32}", through_nginx.getheader("X-Request-ID"))
    direct, _ = Visitor(app.base, ATTACKER).request("GET", "/healthz", **chosen)
    assert direct.getheader("X-Request-ID") != chosen["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", direct.getheader("X-Request-ID"))  # our own

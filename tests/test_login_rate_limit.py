"""Admin login is rate-limited against password guessing (django-axes)."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.login_limiter]

PASSWORD = "ein langes Passwort 42"


@pytest.fixture
def anna():
    user = make_user("anna", publish=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_login_for_an_hour_with_a_german_page(client, anna):
    for _ in range(4):
        assert log_in(client, "anna", "falsch").status_code == 200  # the form again
    assert log_in(client, "anna", "falsch").status_code == 429  # the fifth
    locked = log_in(client, "anna", PASSWORD)  # even the right password now
    assert locked.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in locked.text
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_the_name_from_that_address_only(client, anna):
    for _ in range(5):
        log_in(client, "anna", "falsch")
    assert log_in(client, "anna", PASSWORD, address="198.51.100.9").status_code == 302


def test_a_successful_login_resets_the_count(client, anna):
    for _ in range(4):
        log_in(client, "anna", "falsch")
    assert log_in(client, "anna", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "anna", "falsch")
    assert log_in(client, "anna", PASSWORD).status_code == 302

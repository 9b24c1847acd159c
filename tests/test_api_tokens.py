"""API tokens (docs/api.md): made in the admin and shown once, stored only as a hash (so no
backup holds one), revoked in the admin with immediate effect; each user sees their own, a
superuser everyone's. Only a token authenticates the ingest API: a logged-in browser does
not, and the read API stays anonymous whatever is sent."""

import hashlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Revision

from explainers.domain.api_tokens import make_token
from explainers.domain.publishing import publish
from explainers.models import ApiToken, Explainer, Publication
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db

SECRET_RE = re.compile(r"nrx_[A-Za-z0-9_-]{40,}")
TEXT = """Titel: Was die Waffenruhe bedeutet
Slug: waffenruhe
Sprache: de

Eine Waffenruhe ist noch kein Frieden.

Was regelt eine Waffenruhe? {#q-regelt}
Sie regelt das Ende der Kampfhandlungen.
"""


def ingest(client, secret=None, *, scheme="Bearer", body=TEXT, **headers):
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"{scheme} {secret}"
    return client.post(
        reverse("api:explainers"), data=body, content_type="text/plain; charset=utf-8", **headers
    )


def written() -> tuple[int, int, int]:
    return Explainer.objects.count(), Revision.objects.count(), Publication.objects.count()


def make_in_admin(client, as_user, name="Agenturpipeline", **fields):
    client.force_login(as_user)
    response = client.post(
        reverse("admin:explainers_apitoken_add"), {"name": name, **fields, "_save": "Sichern"}
    )
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    secrets = SECRET_RE.findall(page)
    assert len(set(secrets)) == 1, page[:2000]
    return secrets[0], page


def test_a_token_made_in_the_admin_is_shown_once_stored_hashed_and_works(client, desk):
    secret, page = make_in_admin(client, desk)
    assert "nur dieses eine Mal angezeigt" in page
    token = ApiToken.objects.get()
    assert token.user == desk and token.name == "Agenturpipeline"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]  # the rest, 256 random bits, is nowhere
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(secret[10:] in value for value in stored)
    # Never shown again: not in the list, not on the token's page.
    for url in (
        reverse("admin:explainers_apitoken_changelist"),
        reverse("admin:explainers_apitoken_change", args=[token.pk]),
    ):
        again = client.get(url).content.decode()
        assert token.prefix in again and secret not in again
    client.logout()
    response = ingest(client, secret)
    assert response.status_code == 201, response.content
    assert Explainer.objects.get().slug == "waffenruhe"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_no_backup_holds_a_token(desk):
    made = make_token(desk, "Nachtschicht")
    out = io.StringIO()
    call_command("dumpdata", "explainers.apitoken", "--natural-foreign", stdout=out)
    backup = out.getvalue()
    rows = json.loads(backup)
    assert rows[0]["fields"]["name"] == "Nachtschicht"
    assert made.secret not in backup and made.secret[len(made.token.prefix) :] not in backup


def test_a_revoked_token_stops_at_once_and_its_row_stays(client, desk):
    secret, _page = make_in_admin(client, desk)
    token = ApiToken.objects.get()
    response = client.post(
        reverse("admin:explainers_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk], "index": 0},
        follow=True,
    )
    assert "1 API-Token widerrufen" in response.content.decode()
    client.logout()
    before = written()
    refused = ingest(client, secret)
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["detail"] == "Dieses API-Token wurde widerrufen."
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert written() == before
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == desk


def test_unknown_malformed_and_missing_tokens_and_disabled_users_are_refused(client, desk):
    made = make_token(desk, "Pipeline")
    cases = {
        None: "API-Token nötig",
        "nrx_falsch": "gibt es nicht",
        f"{made.secret} extra": "Bearer <Token>",
    }
    for secret, words in cases.items():
        response = ingest(client, secret)
        assert response.status_code == 401, secret
        assert words in response.json()["detail"], response.json()
    assert ingest(client, made.secret, scheme="Basic").status_code == 401
    desk.is_active = False
    desk.save()
    response = ingest(client, made.secret)
    assert response.status_code == 401 and "deaktiviert" in response.json()["detail"]
    assert written() == (0, 0, 0)


def test_the_token_scheme_works_as_well_as_bearer(client, desk):
    made = make_token(desk, "Pipeline")
    assert ingest(client, made.secret, scheme="Token").status_code == 201


def test_last_used_is_written_at_most_once_a_minute(client, desk):
    made = make_token(desk, "Pipeline")

    def token_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = ingest(client, made.secret, body="", CONTENT_TYPE="image/png")
        assert response.status_code == 415  # authenticated, then refused: nothing else
        return sum('UPDATE "explainers_apitoken"' in q["sql"] for q in queries.captured_queries)

    assert token_writes() == 1
    assert token_writes() == 0
    ApiToken.objects.update(last_used_at=made.token.created_at.replace(year=2020))
    assert token_writes() == 1


def test_each_user_manages_their_own_tokens_and_a_superuser_everyones(client, desk, reporter):
    admin_user = make_user("chefin", superuser=True)
    own = make_token(reporter, "Reporter-Skript").token
    other = make_token(desk, "Desk-Skript").token
    client.force_login(reporter)
    listing = client.get(reverse("admin:explainers_apitoken_changelist")).content.decode()
    assert "Reporter-Skript" in listing and "Desk-Skript" not in listing
    foreign = client.get(reverse("admin:explainers_apitoken_change", args=[other.pk]))
    assert foreign.status_code == 302  # as for any object the user cannot see
    client.post(
        reverse("admin:explainers_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [other.pk, own.pk], "index": 0},
    )
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    assert ApiToken.objects.get(pk=own.pk).revoked_by == reporter
    changelist = reverse("admin:explainers_apitoken_changelist")
    assert "Reporter-Skript" in client.get(changelist + "?zustand=widerrufen").content.decode()
    assert "Reporter-Skript" not in client.get(changelist + "?zustand=gueltig").content.decode()
    # A reporter's new token is theirs, whatever the form says.
    make_in_admin(client, reporter, name="Zweites", user=desk.pk)
    assert ApiToken.objects.get(name="Zweites").user == reporter
    # Nobody deletes a token: revoking keeps the record.
    delete = client.post(reverse("admin:explainers_apitoken_delete", args=[own.pk]))
    assert delete.status_code == 403 and ApiToken.objects.filter(pk=own.pk).exists()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:explainers_apitoken_changelist")).content.decode()
    assert "Reporter-Skript" in listing and "Desk-Skript" in listing
    make_in_admin(client, admin_user, name="Für den Desk", user=desk.pk)
    assert ApiToken.objects.get(name="Für den Desk").user == desk


def test_a_session_cookie_does_not_authenticate_the_ingest_api(client, desk):
    client.force_login(desk)
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(desk)
    for browser in (client, csrf_client):
        response = ingest(browser)
        assert response.status_code == 401
        assert response.json()["detail"].startswith("Für die Schreib-API ist ein API-Token nötig")
    assert written() == (0, 0, 0)


def test_the_read_api_stays_anonymous_whatever_is_sent(client, desk):
    explainer = make_explainer()
    publish(explainer)
    made = make_token(desk, "Pipeline")
    urls = [
        reverse("api:explainers"),
        reverse("api:explainer", args=[explainer.slug]),
        reverse("api:versions", args=[explainer.slug]),
    ]
    anonymous = [client.get(url).content for url in urls]
    for headers in (
        {"HTTP_AUTHORIZATION": "Bearer nrx_falsch"},
        {"HTTP_AUTHORIZATION": f"Bearer {made.secret}"},
        {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="},
    ):
        assert [client.get(url, **headers).content for url in urls] == anonymous
    client.force_login(desk)
    assert [client.get(url).content for url in urls] == anonymous
    assert ApiToken.objects.get().last_used_at is None  # a GET never looks at a token

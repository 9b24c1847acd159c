"""API tokens on the ingest API's requests (docs/api.md): `Authorization: Bearer <token>`
(or `Token <token>`). Only the ingest views use it; the read API authenticates nobody, and a
session cookie authenticates no ingest request, so CSRF does not arise (a browser cannot
send the token by itself)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import BasePermission

from explainers.domain import api_tokens

SCHEMES = ("bearer", "token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.strip():
            return None
        scheme, _space, secret = header.strip().partition(" ")
        if scheme.lower() not in SCHEMES or not secret.strip() or " " in secret.strip():
            raise AuthenticationFailed(
                _("Die Kopfzeile Authorization muss „Bearer <Token>“ lauten.")
            )
        token = api_tokens.token_for(secret.strip())
        if token is None:
            raise AuthenticationFailed(_("Dieses API-Token gibt es nicht."))
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("Dieses API-Token wurde widerrufen."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("Das Benutzerkonto dieses API-Tokens ist deaktiviert."))
        api_tokens.note_use(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class HasApiToken(BasePermission):
    """Only a request its token authenticated (the view answers 401 otherwise:
    `missing_token`)."""

    def has_permission(self, request, view) -> bool:
        return request.auth is not None and request.user is not None


def missing_token() -> NotAuthenticated:
    return NotAuthenticated(
        _("Für die Schreib-API ist ein API-Token nötig (Authorization: Bearer …).")
    )


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object("Authorization", "Bearer")
        scheme["description"] = "An API token made in the admin (docs/api.md); `Token …` too."
        return scheme

"""API tokens for the ingest API (docs/api.md): made, found and revoked.

A token is a random secret of 256 bits, shown once when it is made. Only its SHA-256 is
stored: for a secret that cannot be guessed, a plain hash is enough (a slow password hash
protects guessable passwords), and it lets a request find its token by one indexed lookup.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction

from explainers.models import ApiToken, stored_now

SCHEME_PREFIX = "nrx_"  # recognisable in logs and by secret scanners
SHOWN_PREFIX_LENGTH = len(SCHEME_PREFIX) + 6
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class MadeToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def make_token(user, name: str) -> MadeToken:
    token = ApiToken(user=user, name=name.strip())
    return MadeToken(token, issue(token))


def issue(token: ApiToken) -> str:
    """Give an unsaved token its secret and save it; returns the secret, which is not kept."""
    secret = SCHEME_PREFIX + secrets.token_urlsafe(32)
    token.digest = digest_of(secret)
    token.prefix = secret[:SHOWN_PREFIX_LENGTH]
    token.save(force_insert=True)
    return secret


def token_for(secret: str) -> ApiToken | None:
    """The token with this secret, with its user, revoked or not; None if there is none."""
    if not secret or len(secret) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(digest=digest_of(secret)).first()


def note_use(token: ApiToken) -> None:
    """Remember that the token was used, at most once a minute: a write per request would
    cost every request a write."""
    now = stored_now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def revoke(tokens, *, by) -> int:
    """Revoke the tokens not yet revoked; they stop working at once. Returns how many."""
    with transaction.atomic():
        return tokens.filter(revoked_at__isnull=True).update(revoked_at=stored_now(), revoked_by=by)

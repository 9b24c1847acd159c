"""Who has an explainer's change page open: a hint for others, never a lock."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

SECONDS = 15 * 60  # a change page left open this long no longer counts


def _key(explainer_id) -> str:
    return f"explainers:editing:{explainer_id}"


def editing(explainer_id, user) -> None:
    """Note that `user` opened the change page (keeps the first time they did)."""
    editors = cache.get(_key(explainer_id), {})
    now = timezone.now()
    editors = {uid: e for uid, e in editors.items() if (now - e["seen"]).total_seconds() < SECONDS}
    since = editors.get(user.pk, {}).get("since", now)
    editors[user.pk] = {"name": user.get_full_name() or user.get_username(), "since": since,
                        "seen": now}  # fmt: skip
    cache.set(_key(explainer_id), editors, SECONDS)


def left(explainer_id, user) -> None:
    editors = cache.get(_key(explainer_id), {})
    if editors.pop(user.pk, None) is not None:
        cache.set(_key(explainer_id), editors, SECONDS)


def others(explainer_id, user) -> list[dict]:
    now = timezone.now()
    return [
        entry
        for uid, entry in cache.get(_key(explainer_id), {}).items()
        if uid != user.pk and (now - entry["seen"]).total_seconds() < SECONDS
    ]

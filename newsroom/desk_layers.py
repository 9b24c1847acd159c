"""Sessions, logins and messages belong to the desk (the admin). An anonymous reader's
GET or HEAD (no session cookie, outside the admin) skips them: no session is loaded or
saved, no message storage is set up, and the request's user is the anonymous user.
The admin, and anyone who has a session cookie, gets Django's middleware unchanged.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

_MARK = "_anonymous_reader"


@functools.lru_cache(maxsize=16)
def _desk_prefix(urlconf: str, script_prefix: str) -> str:
    return reverse("admin:index", urlconf=urlconf)


@receiver(setting_changed)
def _forget_prefix(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _desk_prefix.cache_clear()


def on_desk(request) -> bool:
    """Whether the request is for the admin."""
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    return request.path.startswith(_desk_prefix(urlconf, get_script_prefix()))


def anonymous_reader(request) -> bool:
    answer = getattr(request, _MARK, None)
    if answer is None:
        answer = (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not on_desk(request)
        )
        setattr(request, _MARK, answer)
    return answer


class DeskSessionMiddleware(SessionMiddleware):
    def __call__(self, request):
        if anonymous_reader(request):
            return self.get_response(request)
        return super().__call__(request)


async def _anonymous():
    return AnonymousUser()


class DeskAuthenticationMiddleware(AuthenticationMiddleware):
    def __call__(self, request):
        if anonymous_reader(request):
            request.user = AnonymousUser()
            request.auser = _anonymous
            return self.get_response(request)
        return super().__call__(request)


class DeskMessageMiddleware(MessageMiddleware):
    def __call__(self, request):
        if anonymous_reader(request):
            return self.get_response(request)
        return super().__call__(request)

"""The admin's language: a switch in the admin header that goes through Django's own
`set_language` (the language cookie), remembered per user (`AdminPreference`) and applied
again at the first admin page after each login.

Only the admin follows the cookie: reader pages take their UI language from
`Accept-Language` alone (newsroom/reader_locale.py), so the switch never reaches them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from explainers.models import AdminPreference
from newsroom.desk_layers import on_desk

# The session remembers for which user the preference was applied: once per login.
APPLIED_KEY = "admin_language_applied_for"


def _back_to_the_admin(request) -> str:
    """Where the switch returns: the admin page it was used on, else the admin's index."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    admin_index = reverse("admin:index")
    return target if safe and target.startswith(admin_index) else admin_index


@require_POST
def set_admin_language(request):
    """Store the chosen language as the user's preference and set the cookie, as Django's
    `set_language` does; routed behind `admin.site.admin_view` (staff only, CSRF)."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        messages.error(
            request, _("Diese Sprache gibt es hier nicht – die Sprache bleibt, wie sie war.")
        )
        return redirect(_back_to_the_admin(request))
    AdminPreference.objects.update_or_create(user=request.user, defaults={"language": code})
    request.session[APPLIED_KEY] = request.user.pk
    post = request.POST.copy()
    post["next"] = _back_to_the_admin(request)
    request.POST = post
    with translation.override(code):
        name = translation.get_language_info(code)["name_local"]
        messages.success(request, _("Sprache der Verwaltung: %(name)s.") % {"name": name})
    return set_language(request)


def preferred_language(user) -> str | None:
    code = AdminPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return code if code in dict(settings.LANGUAGES) else None


def set_language_cookie(response, code: str) -> None:
    """The cookie exactly as `django.views.i18n.set_language` sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class AdminLanguageMiddleware:
    """At the first admin request after a login, the user's preferred language applies
    (whatever the cookie said before) and goes into the cookie. Placed after the
    authentication middleware; anything outside the admin passes untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = None
        if (
            on_desk(request)
            and request.user.is_authenticated
            and request.session.get(APPLIED_KEY) != request.user.pk
        ):
            request.session[APPLIED_KEY] = request.user.pk
            code = preferred_language(request.user)
            if code:
                translation.activate(code)
                request.LANGUAGE_CODE = code
        response = self.get_response(request)
        cookie = settings.LANGUAGE_COOKIE_NAME
        # A switch in this very request (set_language) has set the cookie already: it wins.
        if code and request.COOKIES.get(cookie) != code and cookie not in response.cookies:
            set_language_cookie(response, code)
        return response

"""The UI language: readers' pages follow `Accept-Language` alone, the admin may remember a
choice in the language cookie.

Reader pages are publicly cacheable and vary only on `Accept-Language`; a language taken from
a cookie would let a shared cache store the English page under the German one. The language
of a reader page is a function of that header alone, so it is worked out once per distinct
header (`reader_language`), and the held pages (newsroom/held_pages.py) use the same answer.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from newsroom.desk_layers import on_desk


class _HeaderOnly:
    """A request that carries nothing but an Accept-Language header."""

    COOKIES: dict = {}

    def __init__(self, accept_language: str) -> None:
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept_language}


@functools.lru_cache(maxsize=1024)
def _language_for(accept_language: str) -> str:
    return translation.get_language_from_request(_HeaderOnly(accept_language))


@receiver(setting_changed)
def _forget_languages(setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _language_for.cache_clear()


def reader_language(request) -> str:
    return _language_for(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))


class ReaderLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if on_desk(request):
            return super().process_request(request)
        if self._prefixed_urls(request):
            cookie = settings.LANGUAGE_COOKIE_NAME
            if cookie in request.COOKIES:
                request.COOKIES = {k: v for k, v in request.COOKIES.items() if k != cookie}
            return super().process_request(request)
        translation.activate(reader_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if on_desk(request) or self._prefixed_urls(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    @staticmethod
    def _prefixed_urls(request) -> bool:
        """With i18n_patterns the language may come from the path: Django's own code then."""
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        return is_language_prefix_patterns_used(urlconf)[0]

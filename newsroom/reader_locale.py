"""The UI language: readers' pages follow `Accept-Language` alone, the admin may remember a
choice in the language cookie.

Reader pages are publicly cacheable and vary only on `Accept-Language`; a language taken from
a cookie would let a shared cache store the English page under the German one.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse


class ReaderLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if not request.path.startswith(reverse("admin:index")):
            cookie = settings.LANGUAGE_COOKIE_NAME
            if cookie in request.COOKIES:
                request.COOKIES = {k: v for k, v in request.COOKIES.items() if k != cookie}
        super().process_request(request)

"""NUL characters in a URL's path or query string are answered 400 before any view runs:
PostgreSQL cannot compare text with NUL, so a filter or lookup with one (Django's own
admin lists included) would otherwise fail in the database with a 500."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _


def has_nul(request) -> bool:
    return "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "")


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            return render(
                request,
                "400.html",
                {"message": _("Die Adresse enthält ein ungültiges Zeichen.")},
                status=400,
            )
        return self.get_response(request)

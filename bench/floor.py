"""The benchmark's floor: a trivial view returning a constant page of a given size from
the same server, so reader pages can be measured as a ratio of it. Routed only by the
benchmark's URLconf (bench/urls.py), which NEWSROOM_BENCH_FLOOR selects."""

from functools import cache

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@cache
def _page(size: int) -> bytes:
    body = b"<!doctype html><html lang=de><title>floor</title><p>" + b"x" * size + b"</p></html>"
    return body


@require_safe
def floor(request, size: int):
    return HttpResponse(_page(min(size, 2_000_000)), content_type="text/html; charset=utf-8")

"""What the app answers while the database is unreachable, instead of a 500.

A reader gets the last good copy of the page (chosen in newsroom/held_pages.py: the page
this worker holds, else the baked file), marked as stale, or else a 503 with Retry-After
and the outage page; the desk is told that the database is unreachable and that what it
just sent was not stored. Any other error is still the 500 page. docs/operations.md,
"The database is down".

Django turns an exception into a response with `handler500` (`server_error`) when DEBUG is
off and with its technical page when it is on (as on the live servers of the tests): the
request is marked either way (`note_exception`), so the outer layer knows both (`unreachable`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext
from django.views import defaults

from explainers.bake.bake_files import Folder, file_for
from explainers.bake.baking import PUBLIC, is_outdated
from newsroom.desk_layers import on_desk

RETRY_AFTER_SECONDS = 30
STALE_HEADER = "X-Newsroom-Stale"
STALE_REASON = "database-unreachable"
STALE_WARNING = '110 - "Response is Stale"'
_MARK = "database_unreachable"  # on the request whose database failed, and on the 503
# What a baked file is sent as, by its suffix (the kinds explainers/bake/baking.py bakes).
BAKED_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def database_error(error: BaseException | None) -> bool:
    """What a database that is down, restarting or cut off raises."""
    return isinstance(error, OperationalError | InterfaceError)


@receiver(got_request_exception, dispatch_uid="newsroom.outage.note_exception")
def note_exception(sender, request=None, **kwargs):
    """Sent by Django while it handles the exception, before it picks the error page."""
    if request is not None and database_error(sys.exc_info()[1]):
        setattr(request, _MARK, True)


def server_error(request):
    """handler500: the outage page for a database error, the 500 page for anything else."""
    if database_error(sys.exc_info()[1]):
        return outage_page(request)
    return defaults.server_error(request)


def unreachable(request, response) -> bool:
    """Whether `response` is the error a failed database caused."""
    return is_outage_page(response) or (
        response.status_code == 500 and getattr(request, _MARK, False)
    )


def is_outage_page(response) -> bool:
    return getattr(response, _MARK, False)


def outage_page(request) -> HttpResponse:
    """503 with Retry-After: for readers the outage page, for the desk the plain notice.
    Rendered without a request, so no context processor (and no session, user or flat
    page) touches the database."""
    desk = on_desk(request)
    html = loader.render_to_string(
        "admin/503.html" if desk else "503.html",
        {"site_name": gettext(settings.PUBLISHER_NAME), "noindex": True},
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    if not desk:
        patch_vary_headers(response, ("Accept-Language",))
    setattr(response, _MARK, True)
    return response


def marked_stale(response: HttpResponse) -> HttpResponse:
    """A last good copy as such: the headers say so, and a cache in front takes it as
    stale at once (max-age=0) rather than fresh for another READER_CACHE_SECONDS."""
    response["Warning"] = STALE_WARNING
    response[STALE_HEADER] = STALE_REASON
    patch_cache_control(response, max_age=0)
    return response


def baked_file(request, uses: tuple[str, ...]) -> Path | None:
    """The file the bake (BAKE_DIR, explainers/bake/baking.py) holds for the page, if any;
    `uses` are the query parameters the page reads (others, e.g. tracking tags, do not
    change it)."""
    if not settings.BAKE_DIR or is_outdated(Path(settings.BAKE_DIR)):
        return None
    read = [(name, value) for name in uses for value in request.GET.getlist(name)]
    address = request.path + (f"?{urlencode(read)}" if read else "")
    try:
        name = file_for(address)
        path = Folder(Path(settings.BAKE_DIR) / PUBLIC).path(name)
    except ValueError:  # no file holds that address, or it points out of the folder
        return None
    if any(part.startswith(".") for part in name.split("/")) or not path.is_file():
        return None  # the bake's own temporary files are not pages
    return path


def baked_copy(path: Path) -> HttpResponse:
    response = HttpResponse(
        path.read_bytes(),
        content_type=BAKED_TYPES.get(path.suffix, "application/octet-stream"),
    )
    response["Content-Language"] = settings.LANGUAGE_CODE  # the bake is in that language
    response["Cache-Control"] = "public"
    patch_vary_headers(response, ("Accept-Language",))  # as the page it stands in for
    return marked_stale(response)

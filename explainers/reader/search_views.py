from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from explainers.domain.search import MAX_QUERY_LENGTH
from explainers.domain.search import search as search_hits
from explainers.reader.views import bad_request, reader_response

PAGE_SIZE = 20


@require_safe
def search(request):
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        return bad_request(
            request, _("Die Suche ist zu lang (höchstens %(n)s Zeichen).") % {"n": MAX_QUERY_LENGTH}
        )
    if "\x00" in query or "\x00" in request.GET.get("page", ""):
        return bad_request(request, _("Die Suche enthält ein ungültiges Zeichen."))
    query = " ".join(query.split())
    page = (
        Paginator(search_hits(query), PAGE_SIZE).get_page(request.GET.get("page"))
        if query
        else None
    )
    response = render(
        request, "explainers/search.html", {"query": query, "page": page, "noindex": True}
    )
    return reader_response(response)

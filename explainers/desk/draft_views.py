"""Autosave on the change page: the form posted here every few seconds of inactivity is kept
as the user's draft (explainers/domain/drafts.py); "verwerfen" removes it. Restoring is the
change page itself, bound to the draft (ExplainerAdmin.changeform_view)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from explainers.desk.forms import with_lf_line_endings
from explainers.domain import drafts

RESTORE_PARAMETER = "entwurf"
RESTORE_VALUE = "wiederherstellen"
# The pages whose form this session saved: an autosave from one of them arriving late (it
# was on its way during the save) would keep as unsaved what was just saved.
SAVED_PAGES = "autosave_saved_pages"
REMEMBERED_PAGES = 20


class DraftViews:
    def __init__(self, admin) -> None:
        self.admin = admin

    def autosave_view(self):
        """Without the admin's login redirect: a timed-out session gets a refusal the page
        can name (the browser keeps its own copy meanwhile), with the CSRF check."""
        return csrf_protect(self._autosave)

    def _autosave(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.admin.admin_site.has_permission(request):
            reason = _("Nicht angemeldet – nur in diesem Browser gesichert.")
            return _answer({"saved": False, "reason": reason}, status=403)
        explainer = self.admin.get_object(request, object_id)
        if explainer is None:
            raise Http404(_("Dieses Erklärstück gibt es nicht."))
        if not self.admin.has_change_permission(request, explainer):
            raise PermissionDenied
        if request.POST.get(drafts.PAGE_FIELD) in request.session.get(SAVED_PAGES, []):
            reason = _("Nicht zwischengespeichert: Sie haben dieses Formular seither gesichert.")
            return _answer({"saved": False, "stale": True, "reason": reason}, status=409)
        try:
            draft = drafts.store(explainer, request.user, with_lf_line_endings(request.POST))
        except drafts.DraftRefused as refusal:
            return _answer({"saved": False, "reason": str(refusal)}, status=422)
        except drafts.DraftWaiting as waiting:
            reason = _(
                "Nicht zwischengespeichert: Ein ungespeicherter Entwurf von %(when)s wartet. "
                "Bitte ihn zuerst wiederherstellen oder verwerfen (Seite neu laden)."
            ) % {"when": saved_label(waiting.draft)}
            return _answer({"saved": False, "waiting": True, "reason": reason}, status=409)
        at = time_format(timezone.localtime(draft.saved_at), "H:i")
        return _answer({"saved": True, "at": at})

    def discard_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        explainer = self.admin.get_object(request, object_id)
        if explainer is None:
            raise Http404(_("Dieses Erklärstück gibt es nicht."))
        if not self.admin.has_change_permission(request, explainer):
            raise PermissionDenied
        if drafts.discard(explainer, request.user):
            messages.info(request, _("Der ungespeicherte Entwurf wurde verworfen."))
        return redirect("admin:explainers_explainer_change", explainer.pk)


def saved_label(draft) -> str:
    """When the draft was kept: "10:42" today, else with its date."""
    saved = timezone.localtime(draft.saved_at)
    if saved.date() == timezone.localdate():
        return time_format(saved, "H:i")
    return date_format(saved, "SHORT_DATETIME_FORMAT")


def new_page() -> str:
    return secrets.token_urlsafe(12)


def remember_saved_page(request) -> None:
    """After a save of the change form: its page's late autosaves are refused."""
    page = request.POST.get(drafts.PAGE_FIELD)
    if page:
        saved = [*request.session.get(SAVED_PAGES, []), page][-REMEMBERED_PAGES:]
        request.session[SAVED_PAGES] = saved


def restoring(request) -> bool:
    return request.method == "GET" and request.GET.get(RESTORE_PARAMETER) == RESTORE_VALUE


def _answer(payload: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    add_never_cache_headers(response)
    return response

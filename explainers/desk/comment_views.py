"""The comments panel of the change page: loaded and changed with htmx inside the change form
(so nothing typed in the form is lost), and the same panel as a page of its own without
JavaScript. The rules live in explainers/domain/comments.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from explainers.desk.admin_history import HistoryViews
from explainers.domain.comments import CommentRefused, add_comment, open_comments, resolve
from explainers.models import Comment, Question


class CommentViews(HistoryViews):
    def comments_view(self, request, object_id):
        explainer = self._explainer(request, object_id)
        may_write = self.admin.has_change_permission(request, explainer)
        error = ""
        if request.method == "POST":
            if not may_write:
                raise PermissionDenied
            try:
                self._act(request, explainer)
            except CommentRefused as refusal:
                error = str(refusal)
            else:
                if not request.headers.get("HX-Request"):
                    return redirect("admin:explainers_explainer_comments", explainer.pk)
        context = {
            "original": explainer,
            "comments": open_comments(explainer),
            "questions": Question.objects.filter(explainer=explainer).values_list(
                "key", "question"
            ),
            "may_write": may_write,
            "error": error,
            "typed": request.POST.get("comment_text", "") if error else "",
        }
        if request.headers.get("HX-Request"):
            response = TemplateResponse(
                request, "admin/explainers/explainer/_comments.html", context
            )
        else:
            if error:
                messages.error(request, error)
            response = self._render(
                request,
                "admin/explainers/explainer/comments.html",
                explainer,
                _("Kommentare: %(headline)s") % {"headline": explainer.headline},
                standalone=True,
                **context,
            )
        add_never_cache_headers(response)
        return response

    def _act(self, request, explainer) -> None:
        if request.POST.get("resolve"):
            comment = get_object_or_404(
                Comment, pk=_number(request.POST["resolve"]), explainer=explainer
            )
            resolve(comment, user=request.user)
            return
        add_comment(
            explainer,
            user=request.user,
            text=request.POST.get("comment_text", ""),
            question_key=request.POST.get("comment_question", ""),
        )


def _number(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() else 0

"""The desk's history screens in the admin: history, one revision, compare, revert, publish.

Thin views over the domain (builders, diffing, revisions, publishing); every rule about
who may do what and what a revert or a publication means lives there or in the admin's
permission methods. Documents and diffs are shown through the reader's presenter
(`explainers/reader/presenting.py`), so the desk sees them as readers do.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from explainers.core.documents import NOTE_MAX, PASSAGE_MAX
from explainers.core.typography import CURRENT
from explainers.desk.question_history import (
    question_histories,
    restore_preview,
    restore_question,
)
from explainers.domain.builders import document_from_explainer, document_from_revision
from explainers.domain.publishing import PublishRefused, publish
from explainers.domain.revisions import (
    RevertRefused,
    revert_to_revision,
    revision_label,
    revisions_of,
)
from explainers.domain.scheduling import schedule
from explainers.domain.takedown import TakedownRefused, redact, redaction_places, withdraw
from explainers.models import Explainer, Publication
from explainers.reader.presenting import present_diff, present_document

HISTORY_PAGE_SIZE = 50


class PublishForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Art der Änderung"),
        choices=[(k.value, k.label) for k in Publication.Kind if k != Publication.Kind.FIRST],
        initial=Publication.Kind.UPDATE,
        required=False,  # not asked for the first publication, which is always "first"
    )
    note = forms.CharField(
        label=gettext_lazy("Hinweis für Leser"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Pflicht außer bei der Erstveröffentlichung und bei kleinen Korrekturen."
        ),
    )
    internal_note = forms.CharField(
        label=gettext_lazy("Interne Notiz"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Später veröffentlichen (Sperrfrist)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        help_text=gettext_lazy(
            "Leer lassen, um sofort zu veröffentlichen. Sonst wird der jetzige Stand für diesen "
            "Zeitpunkt eingeplant; spätere Änderungen gehören nicht dazu."
        ),
    )


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Hinweis für Leser"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Steht auf jeder Adresse des Erklärstücks (Status 410)."),
    )


class RedactForm(forms.Form):
    passage = forms.CharField(
        label=gettext_lazy("Zu schwärzende Stelle"),
        max_length=PASSAGE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "So, wie Leser sie sehen (Zeilenumbrüche, Hervorhebungen, Anführungszeichen und "
            "Striche zählen nicht). Sie wird überall ersetzt durch „[aus rechtlichen Gründen "
            "entfernt]“: in allen Fassungen, Revisionen, im Arbeitsstand, in der Suche und "
            "den „Letzten Aktionen“; ein Kurzname, eine Sprungmarke oder ein Link mit ihr "
            "wird ersetzt. Das lässt sich nicht rückgängig machen."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Begründung"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Wird protokolliert – ohne die Stelle selbst."),
    )


class HistoryViews:
    def __init__(self, model_admin):
        self.admin = model_admin

    # helpers

    def _explainer(self, request, object_id) -> Explainer:
        explainer = self.admin.get_object(request, unquote(object_id))  # None for "abc"
        if explainer is None:
            raise Http404(_("Dieses Erklärstück gibt es nicht."))
        if not self.admin.has_view_or_change_permission(request, explainer):
            raise PermissionDenied
        return explainer

    def _revision(self, explainer, revision_id):
        revision = revisions_of(explainer).filter(pk=revision_id).select_related("user").first()
        if revision is None:
            raise Http404(_("Diese Revision gehört nicht zu diesem Erklärstück."))
        return revision

    def _render(self, request, template, explainer, title, **context):
        opts = self.admin.model._meta
        return TemplateResponse(
            request,
            template,
            {
                **self.admin.admin_site.each_context(request),
                "opts": opts,
                "app_label": opts.app_label,
                "original": explainer,
                "object": explainer,
                "title": title,
                "history_url": reverse("admin:explainers_explainer_history", args=[explainer.pk]),
                **context,
            },
        )

    def _revert_target(self, request, object_id, revision_id):
        """The explainer and one of its revisions, for a revert-like POST by someone who
        may revert it (the desk, once it is published)."""
        explainer = self._explainer(request, object_id)
        if not self.can_revert(request, explainer):
            raise PermissionDenied
        return explainer, self._revision(explainer, revision_id)

    def can_revert(self, request, explainer) -> bool:
        if not self.admin.has_change_permission(request, explainer):
            return False
        return not explainer.is_published() or self.admin.can_publish(request)

    # views

    def history_view(self, request, object_id, extra_context=None):
        explainer = self._explainer(request, object_id)
        revisions = revisions_of(explainer).select_related("user")
        page = Paginator(revisions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        published = {
            row["revision_id"]: row
            for row in explainer.publications.filter(revision__isnull=False).values(
                "revision_id", "number", "internal_note"
            )
        }
        rows = [
            {"revision": revision, "publication": published.get(revision.pk)}
            for revision in page.object_list
        ]
        return self._render(
            request,
            "admin/explainers/explainer/history.html",
            explainer,
            _("Versionsgeschichte: %(headline)s") % {"headline": explainer.headline},
            page=page,
            rows=rows,
            **(extra_context or {}),
        )

    def revision_view(self, request, object_id, revision_id):
        explainer = self._explainer(request, object_id)
        revision = self._revision(explainer, revision_id)
        document = document_from_revision(revision)
        return self._render(
            request,
            "admin/explainers/explainer/revision.html",
            explainer,
            _("Revision %(id)s: %(headline)s")
            % {"id": revision_label(revision), "headline": document["headline"]},
            revision=revision,
            document=present_document(document),
            can_revert=self.can_revert(request, explainer),
        )

    def compare_view(self, request, object_id):
        explainer = self._explainer(request, object_id)
        try:
            ids = sorted({int(request.GET["a"]), int(request.GET["b"])})
        except (KeyError, ValueError):
            messages.error(request, _("Bitte zwei Revisionen zum Vergleich auswählen."))
            return redirect("admin:explainers_explainer_history", explainer.pk)
        if len(ids) != 2:
            messages.error(request, _("Bitte zwei verschiedene Revisionen auswählen."))
            return redirect("admin:explainers_explainer_history", explainer.pk)
        older, newer = (self._revision(explainer, i) for i in ids)
        diff = present_diff(document_from_revision(older), document_from_revision(newer))
        return self._render(
            request,
            "admin/explainers/explainer/compare.html",
            explainer,
            _("Vergleich: Revision %(a)s mit %(b)s")
            % {"a": revision_label(older), "b": revision_label(newer)},
            older=older,
            newer=newer,
            diff=diff,
        )

    def questions_view(self, request, object_id):
        """Each question through time, deleted ones included, with restore buttons."""
        explainer = self._explainer(request, object_id)
        return self._render(
            request,
            "admin/explainers/explainer/questions.html",
            explainer,
            _("Fragen im Verlauf: %(headline)s") % {"headline": explainer.headline},
            histories=question_histories(explainer),
            can_revert=self.can_revert(request, explainer),
        )

    def restore_question_view(self, request, object_id, key, revision_id):
        """GET: what restoring the question would change in the working copy, to confirm;
        POST: restore it."""
        explainer, revision = self._revert_target(request, object_id, revision_id)
        if request.method != "POST":
            try:
                working, restored = restore_preview(explainer, revision, key)
            except RevertRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("admin:explainers_explainer_questions", explainer.pk)
            question = next(q for q in restored["questions"] if q["key"] == key)
            return self._render(
                request,
                "admin/explainers/explainer/question_restore_confirm.html",
                explainer,
                _("Frage aus Revision %(id)s wiederherstellen?") % {"id": revision_label(revision)},
                revision=revision,
                question=question,
                diff=present_diff(working, restored),
            )
        try:
            question = restore_question(explainer, revision, key, user=request.user)
        except RevertRefused as refusal:
            messages.error(request, str(refusal))
        else:
            message = _("Frage „%(q)s“ aus Revision %(id)s wiederhergestellt.") % {
                "q": question.question, "id": revision_label(revision),
            }  # fmt: skip
            self.admin.log_change(request, explainer, message)
            messages.success(request, message)
        return redirect("admin:explainers_explainer_questions", explainer.pk)

    def _takedown(self, request, object_id, *, form_class, action, template, title):
        """A desk-only form whose action may be refused (withdraw, redact)."""
        explainer = self._explainer(request, object_id)
        if not (
            self.admin.can_publish(request) and self.admin.has_change_permission(request, explainer)
        ):
            raise PermissionDenied
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                message = action(explainer, form.cleaned_data, request.user)
            except TakedownRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                self.admin.log_change(request, explainer, message)
                messages.success(request, message)
                return redirect("admin:explainers_explainer_change", explainer.pk)
        return self._render(request, template, explainer, title, form=form)

    def withdraw_view(self, request, object_id):
        def action(explainer, data, user):
            withdraw(explainer, note=data["note"], user=user)
            return _("Zurückgezogen: alle Adressen antworten mit 410 und dem Hinweis.")

        return self._takedown(
            request, object_id, form_class=WithdrawForm, action=action,
            template="admin/explainers/explainer/withdraw.html", title=_("Zurückziehen"),
        )  # fmt: skip

    def redact_view(self, request, object_id):
        def action(explainer, data, user):
            record = redact(explainer, passage=data["passage"], reason=data["reason"], user=user)
            return ngettext(
                "Geschwärzt: %(n)s Stelle ersetzt (%(places)s). Begründung: %(reason)s",
                "Geschwärzt: %(n)s Stellen ersetzt (%(places)s). Begründung: %(reason)s",
                record.replacements,
            ) % {
                "n": record.replacements,
                "places": redaction_places(record),
                "reason": record.reason,
            }

        return self._takedown(
            request, object_id, form_class=RedactForm, action=action,
            template="admin/explainers/explainer/redact.html", title=_("Rechtlich schwärzen"),
        )  # fmt: skip

    def compare_published_view(self, request, object_id):
        """The working copy against the latest publication: what the next publish brings."""
        explainer = self._explainer(request, object_id)
        latest = explainer.latest_publication()
        if latest is None:
            messages.info(request, _("Noch nicht veröffentlicht: es gibt nichts zu vergleichen."))
            return redirect("admin:explainers_explainer_change", explainer.pk)
        diff = present_diff(
            latest.document,
            document_from_explainer(explainer),
            typesettings=(latest.typesetting, CURRENT),
        )
        return self._render(
            request,
            "admin/explainers/explainer/compare_published.html",
            explainer,
            _("Arbeitsstand im Vergleich mit v%(n)s") % {"n": latest.number},
            latest=latest,
            diff=diff,
        )

    def revert_view(self, request, object_id, revision_id):
        """GET: what the reset would change in the working copy, to confirm; POST: reset."""
        explainer, revision = self._revert_target(request, object_id, revision_id)
        if request.method != "POST":
            return self._render(
                request,
                "admin/explainers/explainer/revert_confirm.html",
                explainer,
                _("Auf Revision %(id)s zurücksetzen?") % {"id": revision_label(revision)},
                revision=revision,
                diff=present_diff(
                    document_from_explainer(explainer), document_from_revision(revision)
                ),
            )
        try:
            reverted = revert_to_revision(explainer, revision, user=request.user)
        except RevertRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("admin:explainers_explainer_revision", explainer.pk, revision.pk)
        message = _("Auf Revision %(id)s zurückgesetzt.") % {"id": revision_label(revision)}
        self.admin.log_change(request, reverted, message)
        note = _("Leser sehen das erst nach der nächsten Veröffentlichung.")
        messages.success(request, f"{message} {note}" if reverted.is_published() else message)
        return redirect("admin:explainers_explainer_change", explainer.pk)

    def publish_view(self, request, object_id):
        explainer = self._explainer(request, object_id)
        if not (
            self.admin.can_publish(request) and self.admin.has_change_permission(request, explainer)
        ):
            raise PermissionDenied
        latest = explainer.latest_publication()
        form = PublishForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            choice = {
                "kind": form.cleaned_data["kind"] or Publication.Kind.UPDATE,
                "note": form.cleaned_data["note"],
                "internal_note": form.cleaned_data["internal_note"],
                "user": request.user,
            }
            try:
                if form.cleaned_data["publish_at"]:
                    planned = schedule(
                        explainer, publish_at=form.cleaned_data["publish_at"], **choice
                    )
                else:
                    publication = publish(explainer, **choice)
            except PublishRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                if form.cleaned_data["publish_at"]:
                    when = date_format(timezone.localtime(planned.publish_at), "DATETIME_FORMAT")
                    message = _("Veröffentlichung geplant für %(when)s.") % {"when": when}
                    self.admin.log_change(request, explainer, message)
                    messages.success(request, message)
                    return redirect("admin:explainers_explainer_change", explainer.pk)
                self.admin.log_change(
                    request, explainer, _("Veröffentlicht als v%(n)s") % {"n": publication.number}
                )
                messages.success(
                    request,
                    _("Veröffentlicht als Fassung v%(n)s (%(kind)s).")
                    % {"n": publication.number, "kind": publication.get_kind_display()},
                )
                return redirect("admin:explainers_explainer_change", explainer.pk)
        working_copy = document_from_explainer(explainer)
        diff = (
            present_diff(latest.document, working_copy, typesettings=(latest.typesetting, CURRENT))
            if latest
            else None
        )
        return self._render(
            request,
            "admin/explainers/explainer/publish.html",
            explainer,
            _("Veröffentlichen: %(headline)s") % {"headline": explainer.headline},
            form=form,
            latest=latest,
            diff=diff,
            document=present_document(working_copy),
        )

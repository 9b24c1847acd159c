"""The hand-off's two pages in the admin: "Zur Abnahme …" (anyone who may edit the explainer
hands it in, with a message to the desk) and "Zurück an die Redaktion …" (the desk sends it
back, with a comment). The rules live in explainers/domain/hand_off.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from explainers.core.documents import NOTE_MAX
from explainers.desk.admin_history import HistoryViews
from explainers.domain.hand_off import HandOffRefused, hand_in, latest_hand_off, send_back


class HandInForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Nachricht an den Chef vom Dienst"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Was ist neu, worauf soll geachtet werden? (Leser sehen das nicht.)"
        ),
    )


class SendBackForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Kommentar an die Redaktion"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Was fehlt noch? (Leser sehen das nicht.)"),
        error_messages={"required": gettext_lazy("Bitte schreiben Sie, was noch fehlt.")},
    )


class HandOffViews(HistoryViews):
    def hand_in_view(self, request, object_id):
        explainer = self._explainer(request, object_id)
        if not self.admin.has_change_permission(request, explainer):
            raise PermissionDenied

        def step(data):
            hand_in(explainer, user=request.user, message=data["message"])
            return _("Zur Abnahme vorgelegt.")

        return self._step(
            request, explainer, HandInForm, step,
            title=_("Zur Abnahme vorlegen"), submit=_("Zur Abnahme vorlegen"),
        )  # fmt: skip

    def send_back_view(self, request, object_id):
        explainer = self._explainer(request, object_id)
        if not (
            self.admin.can_publish(request) and self.admin.has_change_permission(request, explainer)
        ):
            raise PermissionDenied

        def step(data):
            send_back(explainer, user=request.user, message=data["message"])
            return _("Zurück an die Redaktion geschickt.")

        return self._step(
            request, explainer, SendBackForm, step,
            title=_("Zurück an die Redaktion"), submit=_("Zurück an die Redaktion schicken"),
        )  # fmt: skip

    def _step(self, request, explainer, form_class, step, *, title, submit):
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                message = step(form.cleaned_data)
            except HandOffRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                self.admin.log_change(request, explainer, message)
                messages.success(request, message)
                return redirect("admin:explainers_explainer_change", explainer.pk)
        return self._render(
            request,
            "admin/explainers/explainer/hand_off.html",
            explainer,
            title,
            form=form,
            submit_label=submit,
            latest=latest_hand_off(explainer),
        )

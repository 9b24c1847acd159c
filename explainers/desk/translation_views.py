"""Linked translations in the admin (docs/translations.md): "Übersetzung anlegen …" on a
published original, the translation panel on a translation's change page (the original's
changes since the translated version, question by question, and "Als aktuell markieren"),
the list of an original's translations, and the change list's column and filter. The
rules live in explainers/domain/translations.py."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from explainers.desk.admin_history import HistoryViews
from explainers.domain.translations import (
    TranslationRefused,
    catch_up,
    content_language_name,
    create_translation,
    free_languages,
    newer_source_publications,
)
from explainers.models import CurrentPublication, Explainer, Publication, Question, Translation
from explainers.reader.presenting import present_diff


class TranslationForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Sprache der Übersetzung"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Bitte eine Sprache wählen.")},
    )

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages


class TranslationViews(HistoryViews):
    def create_view(self, request, object_id):
        """GET: choose the language; POST: create the translation, then edit it."""
        source = self._explainer(request, object_id)
        if not self.admin.has_add_permission(request):
            raise PermissionDenied
        current = (
            CurrentPublication.objects.filter(explainer=source)
            .select_related("publication")
            .first()
        )
        languages = free_languages(source)
        form = TranslationForm(
            request.POST if request.method == "POST" else None,
            languages=languages,
            initial={"language": languages[0][0]} if len(languages) == 1 else {},
        )
        if request.method == "POST" and form.is_valid():
            try:
                translation = create_translation(
                    source, form.cleaned_data["language"], request.user
                )
            except TranslationRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                message = _("Übersetzung auf %(language)s angelegt: bitte übersetzen.") % {
                    "language": content_language_name(translation.language)
                }
                self.admin.log_addition(request, translation, message)
                messages.success(request, message)
                return redirect("admin:explainers_explainer_change", translation.pk)
        return self._render(
            request,
            "admin/explainers/explainer/translation_create.html",
            source,
            _("Übersetzung anlegen"),
            form=form,
            languages=languages,
            current=current,
        )

    def catch_up_view(self, request, object_id):
        """POST only: the translation now matches the given publication of the original."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        explainer = self._explainer(request, object_id)
        if not self.admin.has_change_permission(request, explainer):
            raise PermissionDenied
        link = Translation.objects.filter(explainer=explainer).first()
        number = request.POST.get("number", "")
        publication = (
            Publication.objects.listing().filter(explainer_id=link.source_id, number=number).first()
            if link is not None and re.fullmatch(r"[0-9]{1,9}", number)
            else None
        )
        if publication is None:
            messages.error(request, _("Diese Fassung des Originals gibt es nicht."))
            return redirect("admin:explainers_explainer_change", explainer.pk)
        try:
            catch_up(link, publication, request.user)
        except TranslationRefused as refusal:
            messages.error(request, str(refusal))
        else:
            message = _("Übersetzung als aktuell markiert: entspricht Fassung v%(n)s.") % {
                "n": publication.number
            }
            self.admin.log_change(request, explainer, message)
            messages.success(request, message)
        return redirect("admin:explainers_explainer_change", explainer.pk)


def change_page_context(pk: int) -> dict:
    """For an explainer's change page: `translation_panel` if it is a translation,
    `translations` (its own, with their state) if it is an original; two queries."""
    link = (
        Translation.objects.filter(explainer_id=pk)
        .select_related("source", "source__current__publication", "source_publication")
        .first()
    )
    if link is not None:
        return {"translation_panel": _panel(link)}
    translations = list(
        Explainer.objects.filter(translation__source_id=pk)
        .with_translation_state()
        .order_by("language")
        .only("pk", "headline", "language")
    )
    for translation in translations:
        translation.language_name = content_language_name(translation.language)
    return {"translations": translations}


def _panel(link: Translation) -> dict:
    """What the translation's panel shows: the translated version of the original, its
    current one, and between them the original's changes, one block per question, each
    with the translation's question of the same key."""
    translated = link.source_publication
    current = getattr(link.source, "current", None)
    # a withdrawn original is not published: nothing to catch up with
    latest = current.publication if current is not None and not current.is_withdrawn else None
    # outdated as the list and the filter say (explainers/domain/translations.py), also
    # while the original is withdrawn: then there is only nothing to catch up with
    newer = list(newer_source_publications(translated).values_list("number", flat=True))
    panel = {
        "source": link.source,
        "translated": translated,
        "current": latest,
        "newer": newer,
        "outdated": bool(newer),
        "fields_diff": None,
        "questions": [],
        "sources_diff": None,
    }
    if latest is None or latest.number <= translated.number:
        return panel
    diff = present_diff(
        translated.document,
        latest.document,
        typesettings=(translated.typesetting, latest.typesetting),
    )
    own = dict(
        Question.objects.filter(explainer_id=link.explainer_id).values_list("key", "question")
    )
    only = {**diff, "fields": [], "questions": [], "sources": {}}
    panel["fields_diff"] = {**only, "fields": diff["fields"]} if diff["fields"] else None
    panel["questions"] = [
        {
            "key": entry["key"],
            "translated_question": own.get(entry["key"]),
            "diff": {**only, "questions": [entry]},
        }
        for entry in diff["questions"]
        if entry["status"] != "unchanged" or entry.get("moved")
    ]
    sources = diff["sources"]
    if sources.get("added") or sources.get("removed") or sources.get("changed"):
        panel["sources_diff"] = {**only, "sources": sources}
    return panel


def translation_badge(explainer) -> str:
    """Under the change list's status of a translation: whether it is outdated."""
    if explainer.translation_source_id is None:
        return ""
    if explainer.translation_outdated:
        return format_html(
            '<br><strong class="translation-badge translation-badge--outdated">{}</strong> {}',
            _("Übersetzung veraltet"),
            _("(entspricht v%(n)s)") % {"n": explainer.translated_number},
        )
    return format_html(
        '<br><span class="translation-badge">{}</span>',
        _("Übersetzung, aktuell (v%(n)s)") % {"n": explainer.translated_number},
    )


class TranslationFilter(admin.SimpleListFilter):
    title = gettext_lazy("Übersetzungen")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [("outdated", _("veraltet")), ("current", _("aktuell"))]

    def queryset(self, request, queryset):
        if self.value() == "outdated":
            return queryset.filter(translation__isnull=False, translation_outdated=True)
        if self.value() == "current":
            return queryset.filter(translation__isnull=False, translation_outdated=False)
        return queryset

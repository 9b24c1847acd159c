"""Admin forms for the change page: one explainer with its questions, sources, related.

Markers are checked against the sources submitted in the same form, so a citation may
name a source added in the same save; the reorder trap (two rows swapping a unique
value) is handled when saving, in `make_room`.
"""

from __future__ import annotations

import copy
import re

from adminsortable2.admin import CustomInlineFormSet
from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import CharField, CheckConstraint, F, Q, Value
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Cast, Concat
from django.forms.models import BaseInlineFormSet
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from explainers.core.documents import (
    german_slugify,
    is_safe_url,
    lf_line_endings,
    question_key,
    unique_slug,
)
from explainers.core.rendering import (
    answers_expansion_problem,
    citation_markers,
    too_deeply_nested,
    unsafe_links,
)
from explainers.domain.builders import split_keys
from explainers.domain.images import (
    ImageRefused,
    clean_image,
    image_size,
    smallest_name,
    upload_rules,
    write_renditions,
)
from explainers.domain.importing import language_taken
from explainers.domain.publishing import public_slug_conflict
from explainers.models import Explainer, Question, http_url_validator

SOURCES_PREFIX = "sources"
_TEMPORARY_OFFSET = 1_000_000


def with_lf_line_endings(data: QueryDict) -> QueryDict:
    """The posted form with every line break as LF, before anything counts or compares it:
    browsers post textareas with CRLF, which would count each line break twice against a
    length limit (the counter under the field counts it once, as stored), and stored text
    uses LF, so an untouched paragraph never reads as a change in diffs, hashes or merges.
    The admin passes every POST of the change form through here, once."""
    if not any("\r" in value for values in data.lists() for value in values[1]):
        return data
    fixed = QueryDict(mutable=True, encoding=data.encoding)  # not data.copy(): a deep copy
    for key, values in data.lists():
        fixed.setlist(key, [lf_line_endings(value) for value in values])
    return fixed


class NeverCutText:
    """Length limits are checked by the server, never enforced by the browser: a
    `maxlength` attribute cuts pasted text silently, and the save then "succeeds" with
    text the editor never saw cut. Instead a counter shows the limit as one types
    (explainers/static/explainers/char_counter.js) and an overlong text comes back as a
    form error with everything typed still in it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = None
        for field in self.fields.values():
            limit = field.widget.attrs.pop("maxlength", None)
            if limit is not None:
                labels = labels or {
                    "data-limit-label": _("%(count)s von %(limit)s Zeichen"),
                    "data-limit-over-label": _(
                        "%(count)s von %(limit)s Zeichen – %(over)s zu viel"
                    ),
                }
                field.widget.attrs.update({"data-limit": limit, **labels})


class LeadImageField(forms.FileField):
    """An uploaded lead image becomes its clean, re-encoded copy (explainers/domain/images.py) or
    a form error in German; the rest of the form keeps what was typed. Nothing is stored
    until the whole form is saved."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            return clean_image(upload, upload.name).as_file()
        except ImageRefused as error:
            raise forms.ValidationError(str(error), code="image_refused") from error


class LeadImageWidget(AdminFileWidget):
    """The file input with a small picture of the stored image in front of it."""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not value or not getattr(value, "_committed", False):
            return html
        size = image_size(value.name, value.storage)
        if size is None:
            return html
        thumbnail = smallest_name(value.name, size[0])
        if not value.storage.exists(thumbnail):  # renditions not made yet (make_renditions)
            thumbnail = value.name
        return format_html(
            '<img class="lead-image-thumbnail" src="{}" alt="" width="160">{}',
            value.storage.url(thumbnail),
            html,
        )


def _plain_fields(condition: Q) -> set[str] | None:
    """The fields a check's condition compares with plain values, or None if it compares
    anything else (another field, an expression), which only the database can answer."""
    names: set[str] = set()
    for child in condition.children:
        if isinstance(child, Q):
            inner = _plain_fields(child)
            if inner is None:
                return None
            names |= inner
            continue
        lookup, value = child
        if hasattr(value, "resolve_expression"):
            return None
        names.add(lookup.split(LOOKUP_SEP, 1)[0])
    return names


class StoredChecksHold:
    """Django validates each check constraint of a row with a query of its own (three
    statements on SQLite), for every row of every inline, changed or not, and each unique
    field with another. A check whose fields all keep the values the row was loaded with,
    or a field unique on its own that keeps its value, holds already (the database
    enforced it when the row was written), so it is not asked again; a check or a unique
    field the form changes, and every one of a new row, is validated as Django would. A
    stored row the form leaves as it is is not validated again at all."""

    def _post_clean(self):
        instance = self.instance
        if instance.pk is None:
            super()._post_clean()
            return
        if not self.has_changed():
            # Every field posted what the row holds: the row is valid as stored.
            return
        all_constraints = instance.get_constraints

        def constraints_to_check():
            return [
                (model, [c for c in constraints if not self._check_holds(c)])
                for model, constraints in all_constraints()
            ]

        instance.get_constraints = constraints_to_check
        try:
            super()._post_clean()
        finally:
            del instance.get_constraints

    def validate_unique(self):
        if self.instance.pk is None:
            super().validate_unique()
            return
        holding = {name for name in self._unique_alone() if self._keeps_stored(name)}
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions() | holding)
        except ValidationError as error:
            self._update_errors(error)

    def _unique_alone(self) -> list[str]:
        """Fields unique on their own that no other uniqueness check involves."""
        opts = self.instance._meta
        involved = {name for group in opts.unique_together for name in group}
        involved |= {name for c in opts.total_unique_constraints for name in c.fields}
        for field in opts.concrete_fields:
            involved |= {
                getattr(field, f"unique_for_{part}", None) for part in ("date", "month", "year")
            }
        return [
            f.name
            for f in opts.concrete_fields
            if f.unique and not f.primary_key and f.name not in involved
        ]

    def _check_holds(self, constraint) -> bool:
        if not isinstance(constraint, CheckConstraint):
            return False
        names = _plain_fields(Q(constraint.condition))
        return bool(names) and all(self._keeps_stored(name) for name in names)

    def _keeps_stored(self, name: str) -> bool:
        """The field still holds the value the row was loaded with through this form."""
        if name not in self.initial:
            return False
        try:
            field = self.instance._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return field.value_from_object(self.instance) == self.initial[name]


LINE_BREAK_RE = re.compile(r"[ \t]*(?:\r\n|\r|\n)+[ \t]*")


class ExplainerForm(StoredChecksHold, NeverCutText, forms.ModelForm):
    # The revision the form was loaded from: a save against a newer one is merged.
    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # The editor's own words for the revision; it stands before the automatic comment.
    change_comment = forms.CharField(
        label=gettext_lazy("Was wurde geändert?"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Optional, für die Versionsgeschichte (Leser sehen das nicht)."),
    )
    merge_conflicts: list = []  # set by the admin when a merge found clashes
    redacted_places: list = []  # set by the admin: where the form shows a redacted passage
    draft_data = None  # set by the admin: a restored autosave draft, shown bound

    class Meta:
        model = Explainer
        fields = [
            "headline", "slug", "kicker", "teaser", "intro", "language", "byline",
            "image", "image_alt", "image_caption", "image_credit", "review_by",
        ]  # fmt: skip
        field_classes = {"image": LeadImageField}
        # The whole headline in view, on as many lines as it takes (admin.css).
        widgets = {"headline": forms.Textarea(attrs={"rows": 2, "class": "headline-input"})}

    def __init__(self, *args, **kwargs):
        if self.draft_data is not None and not args and "data" not in kwargs:
            kwargs["data"] = self.draft_data
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if "image" in self.fields:
            self.fields["image"].widget = LeadImageWidget()
            self.fields["image"].help_text = f"{upload_rules()} {self.fields['image'].help_text}"

    def clean_language(self):
        """A language version keeps a language no other version of the explainer has."""
        language = self.cleaned_data["language"]
        if language != self.initial.get("language"):
            problem = language_taken(self.instance, language)
            if problem:
                raise forms.ValidationError(problem)
        return language

    def clean_headline(self):
        # A headline is one line; a line break typed into its box (which wraps long
        # headlines) becomes a space. Other characters stay as typed.
        return LINE_BREAK_RE.sub(" ", self.cleaned_data["headline"])

    def clean(self):
        cleaned = super().clean()
        if self.redacted_places:
            raise forms.ValidationError(
                _(
                    "Nicht gespeichert: Ihre Fassung enthält eine Stelle, die inzwischen aus "
                    "rechtlichen Gründen geschwärzt wurde (%(places)s). Bitte dort entfernen – "
                    "gespeichert steht an ihrer Stelle „[aus rechtlichen Gründen entfernt]“."
                )
                % {"places": ", ".join(self.redacted_places)}
            )
        if self.merge_conflicts:
            raise forms.ValidationError(
                ngettext(
                    "Nicht gespeichert: eine Ihrer Änderungen überschneidet sich mit einer "
                    "gleichzeitig gespeicherten. Bitte unten vergleichen und erneut speichern.",
                    "Nicht gespeichert: %(n)s Ihrer Änderungen überschneiden sich mit "
                    "gleichzeitig gespeicherten. Bitte unten vergleichen und erneut speichern.",
                    len(self.merge_conflicts),
                )
                % {"n": len(self.merge_conflicts)}
            )
        if not cleaned.get("slug") and cleaned.get("headline"):
            cleaned["slug"] = german_slugify(cleaned["headline"])
            self.instance.slug = cleaned["slug"]
            if not cleaned["slug"]:
                self.add_error(
                    "slug",
                    _("Bitte einen Kurznamen angeben (Kleinbuchstaben, Ziffern, Bindestriche)."),
                )
            elif (
                Explainer.objects.filter(slug=cleaned["slug"]).exclude(pk=self.instance.pk).exists()
            ):
                self.add_error("slug", _("Dieser Kurzname ist schon vergeben."))
        problem = (
            cleaned.get("slug")
            and not (self.instance.pk and cleaned["slug"] == self.initial.get("slug"))
            and public_slug_conflict(self.instance.pk, cleaned["slug"])
        )
        if problem:
            self.add_error("slug", problem)
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", _("Bitte beschreiben Sie das Bild (Alternativtext)."))
        for name in ("teaser", "intro"):
            bad = unsafe_links(cleaned.get(name) or "")
            if bad:
                self.add_error(name, _unsafe_link_message(bad))
            if too_deeply_nested(cleaned.get(name) or ""):
                self.add_error(name, TOO_DEEP_MESSAGE)
        return cleaned

    def _save_m2m(self):
        # Runs once the explainer (and so the uploaded file) is saved, on either path of
        # ModelForm.save: the renditions are made from the file as stored.
        super()._save_m2m()
        if "image" in self.changed_data and self.instance.image:
            write_renditions(self.instance.image.name, self.instance.image.storage)


class InlineRowForm(StoredChecksHold, NeverCutText, forms.ModelForm):
    """Uniqueness of positions, anchors, keys and targets is checked among the submitted
    rows by the formset (OrderedFormSet), not row by row against the stored ones, which
    may be moving in the same save."""

    per_explainer_unique = ("position", "anchor", "key", "target")
    force_save = False

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), *self.per_explainer_unique}

    def has_changed(self):
        return self.force_save or super().has_changed()

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        if url and not is_safe_url(url):  # the link policy beyond Django's URL syntax
            self.add_error("url", http_url_validator.message)
        return cleaned


def submitted_source_keys(data) -> set[str]:
    """Source keys in the sources inline of the same POST, deleted rows left out."""
    try:
        total = min(int(data.get(f"{SOURCES_PREFIX}-TOTAL_FORMS", 0)), 1000)
    except (TypeError, ValueError):
        return set()
    checkbox = forms.CheckboxInput()
    keys = set()
    for index in range(total):
        if checkbox.value_from_datadict(data, {}, f"{SOURCES_PREFIX}-{index}-DELETE"):
            continue
        key = (data.get(f"{SOURCES_PREFIX}-{index}-key") or "").strip()
        if key:
            keys.add(key)
    return keys


class StoredRowField(forms.ModelChoiceField):
    """A row's id, found among the rows its formset has read (one query for all rows)
    rather than by one query per row; an id not among them is looked up as Django would."""

    def __init__(self, formset: BaseInlineFormSet, field: forms.ModelChoiceField) -> None:
        super().__init__(
            field.queryset, required=field.required, widget=field.widget, initial=field.initial
        )
        self.formset = formset

    def to_python(self, value):
        if value not in self.empty_values:
            try:
                row = self.formset._existing_object(self.formset.model._meta.pk.to_python(value))
            except ValidationError:
                row = None
            if row is not None:
                return copy.copy(row)  # as stored: the form edits its own instance
        return super().to_python(value)


class OrderedFormSet(CustomInlineFormSet):
    """Rows in the order the editor left them: positions become 1..n, and a value that
    must be unique per explainer is checked among the rows submitted together."""

    distinct_fields: tuple[tuple[str, str], ...] = ()  # (field, message)
    view_only = False  # set by the admin for rows this user may only view

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        if isinstance(form.fields.get(name), forms.ModelChoiceField):
            form.fields[name] = StoredRowField(self, form.fields[name])

    def full_clean(self):
        super().full_clean()
        if self.view_only:
            self._non_form_errors = self.error_class()

    def live_forms(self) -> list[forms.ModelForm]:
        return [
            form
            for form in self.forms
            if form.is_valid()
            and not self._should_delete_form(form)
            and (form.instance.pk or form.has_changed())
        ]

    def clean(self):
        super().clean()
        if self.view_only:
            return
        live = self.live_forms()
        self._number(live)
        for name, message in self.distinct_fields:
            seen: set = set()
            for form in live:
                value = form.cleaned_data.get(name)
                if value in seen:
                    form.add_error(name, message)
                elif value:
                    seen.add(value)

    def _number(self, live) -> None:
        def submitted(indexed):
            index, form = indexed
            position = form.cleaned_data.get("position") or 0
            return (position if position > 0 else float("inf"), index)

        ordered = [form for _i, form in sorted(enumerate(live), key=submitted)]
        for position, form in enumerate(ordered, start=1):
            if form.instance.pk and form.initial.get("position") != position:
                form.force_save = True  # its stored position moves, so it must be written
            form.cleaned_data["position"] = form.instance.position = position


class QuestionFormSet(OrderedFormSet):
    distinct_fields = (("anchor", gettext_lazy("Diese Sprungmarke hat schon eine andere Frage.")),)

    def clean(self):
        if self.view_only:
            return
        live = self.live_forms()
        self._fill_anchors(live)
        super().clean()
        source_keys = submitted_source_keys(self.data)
        for form in live:
            answer = form.cleaned_data.get("answer", "")
            unknown = [
                key
                for key in citation_markers(answer)
                + split_keys(form.cleaned_data.get("extra_cites"))
                if key not in source_keys
            ]
            if unknown:
                form.add_error(
                    "answer",
                    ngettext(
                        "Keine Quelle mit dem Schlüssel %(keys)s.",
                        "Keine Quellen mit den Schlüsseln %(keys)s.",
                        len(unknown),
                    )
                    % {"keys": ", ".join(sorted(set(unknown)))},
                )
            bad = unsafe_links(answer)
            if bad:
                form.add_error("answer", _unsafe_link_message(bad))
            if too_deeply_nested(answer):
                form.add_error("answer", TOO_DEEP_MESSAGE)
        answers = [
            (f.cleaned_data.get("anchor", ""), f.cleaned_data.get("answer", "")) for f in live
        ]
        if problem := answers_expansion_problem(answers, source_keys):
            raise forms.ValidationError(problem)

    def _fill_anchors(self, live_forms) -> None:
        taken = {f.cleaned_data["anchor"] for f in live_forms if f.cleaned_data.get("anchor")}
        for form in live_forms:
            if not form.cleaned_data.get("anchor") and form.cleaned_data.get("question"):
                anchor = unique_slug(german_slugify(form.cleaned_data["question"]), taken)
                taken.add(anchor)
                form.cleaned_data["anchor"] = form.instance.anchor = anchor

    def save_new(self, form, commit=True):
        taken = set(Question.objects.filter(explainer=self.instance).values_list("key", flat=True))
        form.instance.key = question_key(form.instance.question, taken)
        return super().save_new(form, commit=commit)


class SourceFormSet(OrderedFormSet):
    distinct_fields = (("key", gettext_lazy("Diesen Schlüssel hat schon eine andere Quelle.")),)


class RelatedLinkFormSet(OrderedFormSet):
    distinct_fields = (("target", gettext_lazy("Dieses Erklärstück ist schon empfohlen.")),)

    def clean(self):
        super().clean()
        if self.view_only:
            return
        for form in self.live_forms():
            target = form.cleaned_data.get("target")
            if target is not None and self.instance.pk and target.pk == self.instance.pk:
                form.add_error("target", _("Ein Erklärstück kann sich nicht selbst empfehlen."))


def make_room(formset: BaseInlineFormSet, unique_fields: tuple[str, ...]) -> None:
    """Move the stored values of rows that will change or go out of the way first.

    Rows are saved one by one, so swapping two positions (or anchors, or keys) would
    violate a unique constraint halfway through; parking the old values on temporary
    ones derived from the primary key avoids that.
    """
    moving = [
        form.instance.pk
        for form in formset.initial_forms
        if form.instance.pk
        and (
            formset._should_delete_form(form)
            or getattr(form, "force_save", False)
            or any(name in form.changed_data for name in unique_fields)
        )
    ]
    if not moving:
        return
    if "target" in unique_fields:
        # A foreign key has no free value to park on: the rows go, and the formset
        # writes the changed ones back under their old primary keys.
        formset.model.objects.filter(pk__in=moving).delete()
        return
    parked = {}
    for name in unique_fields:
        field = formset.model._meta.get_field(name)
        if name == "position":
            parked[name] = F("pk") + _TEMPORARY_OFFSET
        elif isinstance(field, CharField):
            parked[name] = Concat(Value("~"), Cast("pk", CharField()))
    formset.model.objects.filter(pk__in=moving).update(**parked)


TOO_DEEP_MESSAGE = gettext_lazy(
    "Zu tief verschachtelt: Listen und Zitate, die so tief ineinander stehen, würden nicht "
    "angezeigt. Bitte flacher gliedern."
)


def _unsafe_link_message(links: list[str]) -> str:
    return _("Nur Links mit http://, https:// oder mailto: sind erlaubt, nicht: %(links)s") % {
        "links": ", ".join(links[:3])
    }

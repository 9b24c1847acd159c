import datetime

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from explainers.core.diff_text import field_labels
from explainers.core.diffing import ops_to_html
from explainers.core.rendering import MARKER_RE
from explainers.models import Source

register = template.Library()


@register.filter
def ops_html(ops, numbers=None) -> str:
    """Word-level changes as HTML with <ins>/<del>; ops_to_html escapes all text.

    With `numbers` (source key → number), citation markers read as readers see them:
    "[^dlf]" becomes "[1]".
    """
    ops = ops or []
    if numbers:

        def cited(text: str) -> str:
            return MARKER_RE.sub(lambda m: f"[{numbers[m[1]]}]" if m[1] in numbers else m[0], text)

        ops = [[op, cited(text)] for op, text in ops]
    return mark_safe(ops_to_html(ops))  # noqa: S308 - ops_to_html escapes  # nosec B308 B703


@register.filter
def field_label(name: str) -> str:
    return field_labels().get(name, name)


IMAGE_PART_LABELS = {
    "alt": _("Alternativtext"),
    "caption": _("Bildunterschrift"),
    "credit": _("Bildrechte"),
}

SOURCE_FIELD_LABELS = {
    "label": _("Titel"),
    "publisher": _("Medium/Herausgeber"),
    "url": _("Link"),
    "date": _("Datum"),
    "kind": _("Art"),
}


@register.filter
def image_part_label(name: str) -> str:
    return IMAGE_PART_LABELS.get(name, name)


@register.filter
def source_field_label(name: str) -> str:
    return SOURCE_FIELD_LABELS.get(name, name)


@register.filter
def source_value(value, field: str) -> str:
    """A source's field as readers see it: the kind in words, the date in the locale's format."""
    if not value:
        return ""
    if field == "kind":
        return dict(Source.Kind.choices).get(value, value)
    if field == "date":
        try:
            return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value

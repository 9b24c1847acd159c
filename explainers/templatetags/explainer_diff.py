from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from explainers.diffing import ops_to_html

register = template.Library()


@register.filter
def ops_html(ops) -> str:
    """Word-level changes as HTML with <ins>/<del>; ops_to_html escapes all text."""
    return mark_safe(ops_to_html(ops or []))  # noqa: S308


FIELD_LABELS = {
    "headline": _("Überschrift"),
    "slug": _("Kurzname"),
    "kicker": _("Dachzeile"),
    "teaser": _("Teaser"),
    "intro": _("Einleitung"),
    "language": _("Sprache"),
    "image": _("Aufmacherbild"),
    "related": _("Empfehlungen der Redaktion"),
}


@register.filter
def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)

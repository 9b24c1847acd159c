from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from explainers.diffing import ops_to_html
from explainers.rendering import MARKER_RE

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

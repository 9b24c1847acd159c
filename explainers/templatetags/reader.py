import nh3
from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from explainers.core.documents import LINK_SCHEMES
from explainers.reader import translations

register = template.Library()

_PAGE_TAGS = {"p", "br", "h2", "h3", "ul", "ol", "li", "a", "strong", "em"}


@register.filter
def sanitize(html: str) -> str:
    """Desk-edited HTML (Impressum, Datenschutz) through an allow-list."""
    return mark_safe(  # noqa: S308 - nh3 allow-list output  # nosec B308 B703
        nh3.clean(html or "", tags=_PAGE_TAGS, url_schemes=set(LINK_SCHEMES))
    )


@register.filter
def iso_datetime(value) -> str:
    """A `<time datetime>` value in local time, e.g. 2025-08-18T14:30:00+0200: what
    `date:'Y-m-d\\TH:i:sO'` gives, without the cost of Django's format parser (reader
    pages carry dozens of these)."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M:%S%z")


@register.filter(name="text_language")
def text_language_filter(code: str) -> str:
    """The interface language the text around a language version is written in."""
    return translations.text_language(code or "")

import functools

import nh3
from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

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


@register.simple_tag
def change_entry(entry: dict) -> SafeString:
    """One line of "Was sich geändert hat" (explainers/reader/presenting.py change_log)."""
    return _change_entry(
        get_language(),
        timezone.get_current_timezone_name(),
        str(entry["kind_label"]),
        entry["published_at"],
        entry["number"],
        str(entry["note"]),
        bool(entry["is_correction"]),
    )


# A publication's change log repeats its predecessor's lines and adds one: publishing
# renders the article with all of them, so a worker remembers the lines it rendered.
@functools.lru_cache(maxsize=2048)
def _change_entry(language, zone, kind_label, published_at, number, note, is_correction):
    return format_html(
        '<li{}>\n          <strong>{}</strong>\n          <time datetime="{}">{} {}</time>\n'
        "          (v{}): {}\n        </li>",
        mark_safe(' class="change--correction"') if is_correction else "",  # noqa: S308  # nosec B308 B703
        kind_label,
        iso_datetime(published_at),
        formats.date_format(timezone.localtime(published_at), "DATETIME_FORMAT"),
        gettext("Uhr"),
        number,
        note,
    )


@register.filter(name="text_language")
def text_language_filter(code: str) -> str:
    """The interface language the text around a language version is written in."""
    return translations.text_language(code or "")

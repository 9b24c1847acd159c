import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_PAGE_TAGS = {"p", "br", "h2", "h3", "ul", "ol", "li", "a", "strong", "em"}


@register.filter
def sanitize(html: str) -> str:
    """Desk-edited HTML (Impressum, Datenschutz) through an allow-list."""
    return mark_safe(  # noqa: S308 - nh3 output
        nh3.clean(html or "", tags=_PAGE_TAGS, url_schemes={"http", "https", "mailto"})
    )

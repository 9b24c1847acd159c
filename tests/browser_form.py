"""What a browser would post from a rendered admin page: every field of the form as it
was served (hidden ones, read-only inlines' ids, checkboxes only when ticked, textareas
with CRLF line endings as browsers send them)."""

from __future__ import annotations

from typing import Any

import lxml.html


def form_fields(html: str | bytes, form_id: str = "explainer_form") -> dict[str, Any]:
    """The successful controls of the form `form_id` in `html`, name → value."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    document = lxml.html.fromstring(html)
    form = document.get_element_by_id(form_id)
    data: dict[str, str] = {}
    for element in form.iter("input", "textarea", "select"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    data[name] = element.get("value") or "on"
                continue
            data[name] = element.get("value") or ""
        elif element.tag == "textarea":
            text = (element.text or "").removeprefix("\n")  # the parser keeps that newline
            data[name] = text.replace("\r\n", "\n").replace("\n", "\r\n")
        else:
            values = [o.get("value", o.text or "") for o in element.iter("option")]
            chosen = [
                o.get("value", o.text or "")
                for o in element.iter("option")
                if o.get("selected") is not None
            ]
            if element.get("multiple") is not None:
                data[name] = chosen
            elif chosen or values:
                data[name] = (chosen or values)[0]
    return data


def loaded_form(client, url: str) -> dict[str, Any]:
    """GET the change page and return what its untouched form would post."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return form_fields(response.content)

"""Build the admin change form's POST data from stored rows, as a browser would send it."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from explainers.models import Explainer, Question, RelatedLink, Source

QUESTION_FIELDS = ("question", "anchor", "answer", "extra_cites", "position")
SOURCE_FIELDS = ("key", "label", "publisher", "url", "date", "kind", "position")


def _formset(prefix: str, rows: list[dict], initial: int) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value is None:
                value = ""
            if value is True:
                value = "on"
            data[f"{prefix}-{index}-{name}"] = str(value)
    return data


def change_form_data(explainer: Explainer) -> dict:
    """The change form as loaded, ready to be edited: rows are plain dicts in lists."""
    fields = ("headline", "slug", "kicker", "teaser", "intro", "language", "byline")
    return {
        "main": {name: getattr(explainer, name) for name in fields}
        | {"image_alt": "", "image_caption": "", "image_credit": "", "review_by": ""},
        "questions": [
            {"id": q.pk, "explainer": explainer.pk}
            | {name: getattr(q, name) for name in QUESTION_FIELDS}
            for q in Question.objects.filter(explainer=explainer)
        ],
        "sources": [
            {"id": s.pk, "explainer": explainer.pk}
            | {name: getattr(s, name) for name in SOURCE_FIELDS}
            for s in Source.objects.filter(explainer=explainer)
        ],
        "related_links": [
            {"id": r.pk, "explainer": explainer.pk, "target": r.target_id, "position": r.position}
            for r in RelatedLink.objects.filter(explainer=explainer)
        ],
    }


def encode(form: dict) -> dict[str, str]:
    data = {k: "" if v is None else str(v) for k, v in form["main"].items()}
    for prefix in ("questions", "sources", "related_links"):
        rows = form[prefix]
        initial = sum(1 for row in rows if row.get("id"))
        data |= _formset(prefix, rows, initial)
    return data


def change_url(explainer: Explainer) -> str:
    return reverse("admin:explainers_explainer_change", args=[explainer.pk])


def autosave_url(explainer: Explainer) -> str:
    return reverse("admin:explainers_explainer_autosave", args=[explainer.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened_form(client: Client, explainer: Explainer) -> dict:
    """The change form as its page loads it: with the revision it was opened on and the page
    autosave names it by."""
    page = client.get(change_url(explainer)).content.decode()
    form = change_form_data(Explainer.objects.get(pk=explainer.pk))
    for name in ("loaded_revision", "autosave_page"):
        form["main"][name] = re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
    return form

"""Small factories: documents are plain data, and the import path writes them."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from explainers.domain.importing import import_document
from explainers.domain.roles import DESK, REPORTERS, setup_roles
from explainers.models import Explainer

_counter = itertools.count(1)


def make_document(
    questions: int | list = 3, sources: int | list = 2, **overrides: Any
) -> dict[str, Any]:
    """A valid document; `questions`/`sources` are counts, or ready rows to use as they are."""
    n = next(_counter)
    source_rows = (
        [
            {
                "key": f"quelle-{i}",
                "label": f"Titel der Quelle {i}",
                "publisher": f"medium{i}.de",
                "url": f"https://medium{i}.de/artikel" if i % 2 else None,
                "date": "2025-08-17" if i == 1 else None,
                "kind": "article",
            }
            for i in range(1, sources + 1)
        ]
        if isinstance(sources, int)
        else sources
    )
    question_rows = (
        [
            {
                "key": f"q-{i:04x}",
                "anchor": f"frage-{i}",
                "question": f"Was ist Frage {i}?",
                "answer": f"Antwort auf Frage {i}."
                + (" [^quelle-1]" if source_rows and i == 1 else ""),
                "cites": ["quelle-1"] if source_rows and i == 1 else [],
            }
            for i in range(1, questions + 1)
        ]
        if isinstance(questions, int)
        else questions
    )
    document = {
        "headline": f"Erklärstück {n}",
        "slug": f"erklaerstueck-{n}",
        "kicker": "Ukraine-Krieg",
        "teaser": "Worum es geht, in einem Satz.",
        "intro": "Erster Absatz der Einleitung.\n\nZweiter Absatz.",
        "language": "de",
        "image": None,
        "questions": question_rows,
        "sources": source_rows,
        "related": [],
    }
    document.update(overrides)
    return document


def make_explainer(byline: str = "", **overrides: Any):
    """An explainer as an import writes it; the byline is not part of the document."""
    explainer = import_document(make_document(**overrides))
    if byline:
        Explainer.objects.filter(pk=explainer.pk).update(byline=byline)
        explainer.refresh_from_db()
    return explainer


def make_user(
    username: str = "reporter",
    *,
    publish: bool = False,
    superuser: bool = False,
    password: str = "pw-long-enough",
):
    """A staff user in the reporters' group, or with `publish` in the desk's group."""
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", password)
    setup_roles()  # transactional tests flush the groups: make them as setup_roles does
    user = User.objects.create_user(username, f"{username}@example.org", password)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=DESK if publish else REPORTERS))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache

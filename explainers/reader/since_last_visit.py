"""What the "since your last visit" box needs, as data in the explainer page.

The page stays the same for every reader: it carries the current version and, per question,
the version of its last announced change (`Publication.question_changes`: a minor fix earns
none, as it earns no badge), and the browser compares them with the version it remembered
(explainers/static/explainers/since_last_visit.js, only after the reader opted in). Nothing
about a reader reaches the server.
"""

from __future__ import annotations

from django.urls import reverse

from explainers.models import CurrentPublication, Publication

_SPAN = "1..2"


def diff_prefix(public_slug: str) -> str:
    """The reader diff's address without its span: the browser appends "3..5/"."""
    address = reverse("explainers:diff", args=[public_slug, _SPAN])
    return address.removesuffix(f"{_SPAN}/")


def page_data(current: CurrentPublication, publication: Publication) -> dict | None:
    """The box's data for the current publication's page; None for an older version, whose
    page neither shows the box nor moves what the reader's browser remembered."""
    if publication.pk != current.publication_id:
        return None
    changes = publication.question_changes or {}
    questions = []
    for question in publication.document["questions"]:
        change = changes.get(question["key"]) or {}
        number = change.get("number")
        if isinstance(number, int) and number > 1:  # version 1 is older than any visit
            questions.append(
                {
                    "anchor": question["anchor"],
                    "question": question["question"],
                    "number": number,
                    "added": change.get("status") == "added",
                }
            )
    return {
        # the explainer's number: the place a reader's browser keeps survives a new slug,
        # and no slug (which a redaction may take away) is kept on the reader's device
        "explainer": str(current.explainer_id),
        "version": publication.number,
        "diff": diff_prefix(current.slug),
        # versions announced with a note: an update that changed no question (a removed
        # question, the intro, the sources) still earns the box
        "announced": sorted({entry["number"] for entry in publication.change_log}),
        "questions": questions,
    }

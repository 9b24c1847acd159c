"""A document as template context: the one presenter for reader pages, preview and the admin.

It sits on the reader side since the desk shows what readers see (the desk imports the reader).

Everything here is derived from the document and what its publication stored alongside it;
no other rows are read.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from explainers.core.diffing import diff_documents
from explainers.core.rendering import (
    citation_numbers,
    render_answer,
    render_answers_and_numbers,
    render_markdown,
)
from explainers.core.typography import CURRENT, PLAIN, quoted, typeset
from explainers.domain.images import image_sources
from explainers.models import Publication, Source

# A question changed this long before the publication shown still carries a badge.
BADGE_WINDOW = datetime.timedelta(days=30)


def sanitised(html: str) -> SafeString:
    """HTML the core rendered: it passed nh3's allow-list there (stored answers when their
    publication was made), so templates may show it as it is."""
    return mark_safe(html)  # noqa: S308 - nh3 allow-list output  # nosec B308 B703


def present_document(
    document: dict[str, Any],
    *,
    typesetting: int = CURRENT,
    rendered_answers: dict[str, str] | None = None,
    question_changes: dict[str, dict] | None = None,
    shown_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The document as a template shows it, whichever room asks (a publication, the working
    copy for preview and publish, a revision in the admin): answers as sanitised HTML with
    footnotes, numbered questions, sources in the order of their numbers with kind in words,
    date and the questions citing them, the lead image with its URLs, teaser and intro as
    HTML.

    `typesetting` (explainers/core/typography.py): the publication's own, else the current
    one, so previews show what publishing would make. Kicker, headline, questions and
    source labels are typeset for display (``question_text`` keeps the question as typed,
    ``question_quoted`` is set to stand inside quotation marks).

    A publication passes what it stored: its rendered answers, and the per-question changes
    and its date for the "Neu"/"Aktualisiert" badges. Without them the answers are rendered
    here and no question has a badge.
    """
    language = document.get("language")
    if rendered_answers:
        answers = rendered_answers
        numbers = citation_numbers(document, typesetting=typesetting)
    else:
        answers, numbers = render_answers_and_numbers(document, typesetting=typesetting)

    def shown(text: str) -> str:
        return text if typesetting == PLAIN else typeset(text, language)

    cited_by: dict[str, list[dict]] = defaultdict(list)
    questions = []
    for position, question in enumerate(document["questions"], start=1):
        entry = {
            **question,
            "question": shown(question["question"]),
            "question_text": question["question"],
            # inside a <q> ("Zitiert in"), whose marks the browser adds
            "question_quoted": (
                question["question"]
                if typesetting == PLAIN
                else quoted(question["question"], language)
            ),
            "number": position,
            # Stored answers were sanitised (nh3) when the publication was made.
            "answer_html": sanitised(answers.get(question["key"], "")),
            "badge": _badge((question_changes or {}).get(question["key"]), shown_at),
        }
        questions.append(entry)
        for key in question["cites"]:
            cited_by[key].append(entry)
    kinds = dict(Source.Kind.choices)
    sources = [
        {
            **source,
            "label": shown(source["label"]),
            "publisher": shown(source["publisher"]),
            "number": numbers[source["key"]],
            "kind_label": kinds.get(source["kind"], source["kind"]),
            "date": datetime.date.fromisoformat(source["date"]) if source["date"] else None,
            "cited_by": cited_by.get(source["key"], []),
        }
        for source in document["sources"]
    ]
    if typesetting != PLAIN:
        sources.sort(key=lambda source: source["number"])

    def html(text: str) -> SafeString:
        return sanitised(render_markdown(text, typesetting=typesetting, language=language))

    return {
        **document,
        "kicker": shown(document["kicker"]),
        "headline": shown(document["headline"]),
        "image": _with_sources(document.get("image")),
        "teaser_html": html(document["teaser"]),
        "intro_html": html(document["intro"]),
        "questions": questions,
        "sources": sources,
    }


def present_publication(publication: Publication) -> dict[str, Any]:
    return present_document(
        publication.document,
        typesetting=publication.typesetting,
        rendered_answers=publication.rendered_answers,
        question_changes=publication.question_changes,
        shown_at=publication.published_at,
    )


def present_diff(
    old_document: dict[str, Any],
    new_document: dict[str, Any],
    *,
    typesettings: tuple[int, int] = (CURRENT, CURRENT),
) -> dict[str, Any]:
    """What changed from one document to the other, ready for the diff templates (reader
    diff, publish, compare): ``diff_documents`` plus each added or removed question's whole
    answer as sanitised HTML, and ``source_numbers`` for the markers in changed text.

    Citations show the numbers of the version the text stood in (numbered as its
    `typesettings`, old and new, say: a publication's own, else the current one), as plain
    text: the diff page has no source list to link to. The texts are shown as typed.
    """
    diff = diff_documents(old_document, new_document)
    old_typesetting, new_typesetting = typesettings
    numbers = {
        "added": citation_numbers(new_document, typesetting=new_typesetting),
        "removed": citation_numbers(old_document, typesetting=old_typesetting),
    }
    questions = []
    for entry in diff["questions"]:
        if entry["status"] in numbers:
            html = sanitised(
                render_answer(entry["answer"], numbers[entry["status"]], cite_id_prefix=None)
            )
            entry = {**entry, "answer_html": html}
        questions.append(entry)
    fields = [
        {
            **entry,
            "old_thumbnail": _thumbnail(old_document.get("image")),
            "new_thumbnail": _thumbnail(new_document.get("image")),
        }
        if entry["field"] == "image"
        else entry
        for entry in diff["fields"]
    ]
    return {**diff, "fields": fields, "questions": questions, "source_numbers": numbers["added"]}


def _with_sources(image: dict | None) -> dict | None:
    """The image with its URLs (src, srcset, sizes, thumbnail) for the templates."""
    return {**image, **image_sources(image)} if image and image.get("src") else None


def _thumbnail(image: dict | None) -> dict | None:
    """The smallest stored size of an image, for the diff; the sizes come from the document
    as given (diff_documents leaves them out), so an old one without them shows the original."""
    if not image or not image.get("src"):
        return None
    return {"url": image_sources(image)["thumbnail_url"], "alt": image.get("alt", "")}


def change_log(publication: Publication) -> list[dict[str, Any]]:
    """The public notes up to this publication, newest first, with their kind in words,
    typeset as the publication is (``note_text`` keeps a note as typed)."""
    kinds = dict(Publication.Kind.choices)
    language = publication.document.get("language")
    return [
        {
            **entry,
            "note": (
                entry["note"]
                if publication.typesetting == PLAIN
                else typeset(entry["note"], language)
            ),
            "note_text": entry["note"],
            "published_at": parse_datetime(entry["published_at"]),
            "kind_label": kinds.get(entry["kind"], entry["kind"]),
            "is_correction": entry["kind"] == Publication.Kind.CORRECTION,
            "diff_span": f"{entry['number'] - 1}..{entry['number']}",
        }
        for entry in publication.change_log
    ]


def _badge(change: dict | None, shown_at: datetime.datetime | None) -> dict | None:
    """ "Neu" or "Aktualisiert am …" for a question added or changed after the first
    publication, recently enough before the publication shown."""
    if not change or change.get("number", 1) <= 1 or shown_at is None:
        return None
    changed_at = parse_datetime(change["published_at"])
    if changed_at is None or shown_at - changed_at > BADGE_WINDOW:
        return None
    if change.get("status") == "added":
        return {"kind": "new", "label": _("Neu"), "date": changed_at}
    return {"kind": "updated", "label": _("Aktualisiert"), "date": changed_at}

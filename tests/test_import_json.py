"""`export_explainer` → `import_explainer` gives the same document, in JSON as in the text
format; a hand-edited JSON file is checked field by field and refused in German."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from explainers.domain.builders import document_from_explainer
from explainers.domain.revisions import revisions_of
from explainers.models import Explainer
from tests.factories import make_document, make_explainer

pytestmark = pytest.mark.django_db

SOURCES = [
    {"key": "dlf", "label": "Botschafter drängt auf Garantien", "publisher": "deutschlandfunk.de",
     "url": "https://www.deutschlandfunk.de/a", "date": "2025-08-18", "kind": "broadcast"},
    {"key": "table", "label": "Berlin.Table", "publisher": "", "url": None,
     "date": "2025-08-17", "kind": "print"},
    {"key": "regpk", "label": "Regierungs-Pressekonferenz", "publisher": "", "url": None,
     "date": None, "kind": "other"},
]  # fmt: skip
QUESTIONS = [
    {"key": "q-7f3a", "anchor": "was-sind-sicherheitsgarantien",
     "question": "Was sind Sicherheitsgarantien?",
     "answer": "Denkbar ist vieles:\n\n- Waffen\n- Truppen\n\n> Eine „hochkomplexe Frage“ [^regpk]"
               "\n\nMehr dazu [im Glossar](https://example.org/glossar).",
     "cites": ["regpk", "dlf"]},
    {"key": "q-b210", "anchor": "wird-die-ukraine-mitglied-der-nato",
     "question": "Wird die Ukraine Mitglied der Nato?",
     "answer": "1. Erstens *kaum*.\n2. Zweitens **nicht bald** [^table].", "cites": ["table"]},
    {"key": "q-0c11", "anchor": "und-jetzt", "question": "Und jetzt?", "answer": "Abwarten.",
     "cites": []},
]  # fmt: skip


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def rich_explainer() -> Explainer:
    make_explainer(slug="nato-beitritt", headline="Nato-Beitritt")
    return make_explainer(
        **make_document(
            slug="garantien",
            headline="Was sind Sicherheitsgarantien?",
            kicker="Ukraine-Krieg",
            teaser="Die Ukraine pocht auf Sicherheitsgarantien. Was heißt das?",
            intro="Die Gespräche treten in eine entscheidende Phase.\n\n- erstens\n- zweitens",
            questions=QUESTIONS,
            sources=SOURCES,
            related=["nato-beitritt"],
        )
    )


def exported(slug: str, file_format: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{slug}.{'txt' if file_format == 'text' else 'json'}"
    path.write_text(run("export_explainer", slug, "--format", file_format), encoding="utf-8")
    return path


@pytest.mark.parametrize("file_format", ["text", "json"])
def test_export_then_import_as_a_copy_gives_the_same_document(tmp_path, file_format):
    original = document_from_explainer(rich_explainer())
    path = exported("garantien", file_format, tmp_path)
    run("import_explainer", str(path), "--format", file_format, "--slug", "kopie")
    copy = document_from_explainer(Explainer.objects.get(slug="kopie"))
    assert copy == {**original, "slug": "kopie"}
    again = run("export_explainer", "kopie", "--format", file_format)
    first = run("export_explainer", "garantien", "--format", file_format)
    slug_line = {"text": "Slug: {}\n", "json": '"slug": "{}",'}[file_format]
    assert slug_line.format("garantien") in first
    assert again == first.replace(slug_line.format("garantien"), slug_line.format("kopie"))


@pytest.mark.parametrize("file_format", ["text", "json"])
def test_export_then_import_replace_changes_nothing(tmp_path, file_format):
    explainer = rich_explainer()
    original = document_from_explainer(explainer)
    path = exported("garantien", file_format, tmp_path)
    dry = run("import_explainer", str(path), "--format", file_format, "--replace", "--dry-run")
    assert "Keine Änderungen gegenüber dem Arbeitsstand." in dry
    run("import_explainer", str(path), "--format", file_format, "--replace")
    assert document_from_explainer(explainer) == original
    assert revisions_of(explainer).count() == 2


def test_json_without_keys_anchors_and_language_gets_them_as_the_text_format_would(tmp_path):
    path = tmp_path / "hand.json"
    path.write_text(
        json.dumps(
            {
                "headline": "Von Hand geschrieben",
                "teaser": "Die wichtigsten Fragen und Antworten zu den Sicherheitsgarantien.",
                "questions": [
                    {"question": "Was sind Sicherheitsgarantien?", "answer": "Zusagen anderer."}
                ],
            }
        ),
        encoding="utf-8",
    )
    run("import_explainer", str(path), "--format", "json")
    document = document_from_explainer(Explainer.objects.get(slug="von-hand-geschrieben"))
    question = document["questions"][0]
    assert question["anchor"] == "was-sind-sicherheitsgarantien"
    assert question["key"].startswith("q-")
    assert document["language"] == "de"


def test_a_json_file_given_as_text_is_named(tmp_path):
    rich_explainer()
    path = exported("garantien", "json", tmp_path)
    with pytest.raises(CommandError, match="bitte mit --format json importieren"):
        run("import_explainer", str(path), "--slug", "kopie")


def good() -> dict:
    return copy.deepcopy(make_document(slug="neu", questions=QUESTIONS, sources=SOURCES))


def changed(**parts) -> dict:
    """good() with one part replaced: `questions__0__answer=5`."""
    document = good()
    for dotted, value in parts.items():
        target = document
        *path, last = [int(step) if step.isdigit() else step for step in dotted.split("__")]
        for step in path:
            target = target[step]
        target[last] = value
    return document


BAD_JSON = {
    "syntax": ('{"headline": "x",\n "questions": [}', "kein gültiges JSON (Zeile 2, Spalte 16)"),
    "list": ([good()], "muss ein JSON-Objekt sein"),
    "unknown_field": ({**good(), "headine": "x"}, "unbekannte Feld „headine“"),
    "answer_type": (changed(questions__0__answer=5), "„questions“ Nr. 1, „answer“ muss ein Text"),
    "cites_type": (changed(questions__1__cites="table"), "„cites“ muss eine Liste sein"),
    "no_headline": (changed(headline=" "), "„headline“ (Überschrift) fehlt"),
    "no_questions": (changed(questions=[]), "keine Frage"),
    "bad_key": (changed(questions__0__key="Q 1"), "Nr. 1: Ungültiger Schlüssel „Q 1“"),
    "bad_anchor": (changed(questions__1__anchor="a b"), "Nr. 2: Ungültige Sprungmarke „a b“"),
    "unknown_cite": (changed(questions__1__cites=["cnn"]), "verweist auf „cnn“"),
    "unknown_marker": (changed(questions__2__answer="Siehe [^cnn]."), "verweist auf „cnn“"),
    "bad_slug": (changed(slug="Neu!"), "Ungültiger Kurzname „Neu!“"),
    "unsafe_link": (
        changed(questions__2__answer="[x](javascript:alert(1))"),
        "unsicheren Link „javascript:alert(1)“",
    ),
    "bad_date": (changed(sources__1__date="2025-02-30"), "Das Datum „2025-02-30“ ist ungültig"),
    "null_question": (changed(questions__0=None), "„questions“ Nr. 1 muss ein JSON-Objekt sein"),
    "language": (changed(language="fr"), "„fr“ bietet die Seite nicht an"),
}


@pytest.mark.parametrize("name", sorted(BAD_JSON))
def test_a_bad_json_file_is_refused_in_german_and_nothing_is_written(tmp_path, name):
    content, message = BAD_JSON[name]
    path = tmp_path / f"{name}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("import_explainer", str(path), "--format", "json")
    assert not Explainer.objects.exists()

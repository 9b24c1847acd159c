"""import_explainer / export_explainer as the desk runs them: files in, clear errors out."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from explainers.domain.builders import document_from_explainer
from explainers.domain.revisions import revisions_of
from explainers.models import Explainer, Publication, Question

pytestmark = pytest.mark.django_db

SEED = (
    Path(__file__).resolve().parent.parent / "explainers" / "fixtures" / "sicherheitsgarantien.txt"
)


def run(*args):
    """Run a command; return (stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def export(slug, *args):
    return run("export_explainer", slug, *args)[0]


def test_importing_the_seed_gives_five_questions_five_sources_and_one_revision():
    out, err = run("import_explainer", str(SEED), "--title", "Sicherheitsgarantien")
    explainer = Explainer.objects.get(slug="sicherheitsgarantien")
    document = document_from_explainer(explainer)
    assert len(document["questions"]) == 5
    assert [s["label"] for s in document["sources"]][-2:] == [
        "Berlin.Table",
        "Regierungs-Pressekonferenz",
    ]
    assert all(s["url"] is None for s in document["sources"])
    assert revisions_of(explainer).count() == 1
    assert "Empfehlungen der Redaktion" in out  # dropped furniture is named
    assert "Welche Länder würden Truppen stellen für Sicherheitsgarantien? → tagesschau.de" in out
    assert "empfängt US-Präsident“ endet ohne Satzzeichen" in err  # the cut-off intro sentence


def test_the_headline_falls_back_to_the_file_name_with_a_warning(tmp_path):
    path = tmp_path / "nato-beitritt.txt"
    path.write_text("Teaser.\nWas ist die Nato?\nEin Bündnis.\n", encoding="utf-8")
    _out, err = run("import_explainer", str(path))
    assert "Warnung" in err
    assert Explainer.objects.get(slug="nato-beitritt").headline == "Nato beitritt"


def test_a_titel_header_gives_headline_and_slug(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("Titel: Größere Fragen\n\nTeaser.\nWas ist das?\nDas.\n", encoding="utf-8")
    run("import_explainer", str(path))
    assert Explainer.objects.get(slug="groessere-fragen").headline == "Größere Fragen"


BAD_FILES = {
    "empty": b"",
    "whitespace": b"   \n\n  \n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1": "Was ist Größe?\nÄrger.\n".encode("latin-1"),
    "no_question": b"Nur ein Teaser.\nUnd eine Einleitung.\n",
    "unknown_marker": b"Teaser.\nWas ist das?\nSiehe [^gibtsnicht].\n",
    "javascript_link": b"Teaser.\nWas ist das?\n[Klick](javascript:alert(1))\n",
    "data_link": b"Teaser.\nWas ist das?\n<data:text/html;base64,PHNjcmlwdD4=>\n",
    "vbscript_source": (
        b"Teaser.\nWas ist das?\nAntwort.\nVerwendete Quellen\n- x.de: Titel <vbscript:msgbox(1)>\n"
    ),
    "bad_question_key": b"Teaser.\nWas ist das? {#Bad_Key}\nAntwort.\n",
    "duplicate_source_keys": (
        b"Teaser.\nWas ist das?\nAntwort.\nVerwendete Quellen\n- [a] x.de: Eins\n- [a] y.de: Zwei\n"
    ),
    "too_big": b"Teaser.\nWas ist das?\n" + b"a" * 1_000_001,
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_exit_with_a_german_message_and_write_nothing(tmp_path, name):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(CommandError) as error:
        run("import_explainer", str(path), "--title", "Test")
    assert str(error.value)
    assert not Explainer.objects.exists()


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="Datei nicht gefunden"):
        run("import_explainer", str(tmp_path / "fehlt.txt"))


def test_an_existing_slug_is_refused_without_replace():
    run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed")
    with pytest.raises(CommandError, match="--replace"):
        run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed")
    assert Explainer.objects.count() == 1


def test_replace_writes_a_new_revision_and_keeps_question_keys(tmp_path):
    run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed")
    explainer = Explainer.objects.get(slug="seed")
    keys = list(Question.objects.filter(explainer=explainer).values_list("key", flat=True))
    edited = SEED.read_text(encoding="utf-8").replace(
        "Was sind Sicherheitsgarantien?", "Was sind Sicherheitsgarantien genau?"
    )
    path = tmp_path / "seed.txt"
    path.write_text(edited, encoding="utf-8")
    run("import_explainer", str(path), "--slug", "seed", "--title", "Seed", "--replace")
    assert Explainer.objects.count() == 1
    assert revisions_of(explainer).count() == 2
    # The reworded first question is matched by similarity (tests/test_import_question_matching.py).
    new_keys = list(Question.objects.filter(explainer=explainer).values_list("key", flat=True))
    assert new_keys == keys


def test_import_with_publish_publishes_v1():
    out, _err = run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed", "--publish")
    publication = Publication.objects.get()
    assert (publication.number, publication.kind) == (1, "first")
    assert "Veröffentlicht als v1" in out


def test_a_refused_publish_rolls_back_the_import(tmp_path):
    run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed", "--publish")
    edited = tmp_path / "seed.txt"
    edited.write_text(SEED.read_text(encoding="utf-8").replace("1994", "1995"), encoding="utf-8")
    with pytest.raises(CommandError, match="Hinweis für Leser"):
        run(
            "import_explainer",
            str(edited),
            "--slug",
            "seed",
            "--title",
            "Seed",
            "--replace",
            "--publish",
            "--kind",
            "correction",
        )
    explainer = Explainer.objects.get(slug="seed")
    assert revisions_of(explainer).count() == 1
    assert "1995" not in json.dumps(document_from_explainer(explainer))


# Export


def test_export_json_has_exactly_the_contract_keys():
    run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed")
    document = json.loads(export("seed"))
    assert list(document) == [
        "headline", "slug", "kicker", "teaser", "intro", "language", "image",
        "questions", "sources", "related",
    ]  # fmt: skip
    assert set(document["questions"][0]) == {"key", "anchor", "question", "answer", "cites"}
    assert set(document["sources"][0]) == {"key", "label", "publisher", "url", "date", "kind"}
    assert document["sources"][3]["date"] == "2025-08-17"


def test_export_text_then_import_reproduces_the_document_and_export_again_is_identical(tmp_path):
    run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed")
    text = export("seed", "--format", "text")
    path = tmp_path / "roundtrip.txt"
    path.write_text(text, encoding="utf-8")
    run("import_explainer", str(path), "--slug", "kopie")
    original = json.loads(export("seed"))
    copy = json.loads(export("kopie"))
    assert copy == {**original, "slug": "kopie"}
    assert export("kopie", "--format", "text") == text.replace("Slug: seed", "Slug: kopie")


def test_export_of_a_publication_by_number_and_markdown():
    run("import_explainer", str(SEED), "--slug", "seed", "--title", "Seed", "--publish")
    assert json.loads(export("seed", "--version", "1"))["slug"] == "seed"
    markdown = export("seed", "--format", "markdown")
    assert markdown.startswith("# Seed")
    assert "Verwendete Quellen" in markdown
    with pytest.raises(CommandError, match="keine Fassung v2"):
        export("seed", "--version", "2")

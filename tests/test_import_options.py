"""import_explainer's options for the desk: --user (who imported), --dry-run (what would
change, writing nothing), --language and the detected language, and a file without
"Titel:" that keeps the headline on --replace."""

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from explainers.core.language_detection import MIN_LETTERS, detect_language
from explainers.domain.builders import document_from_explainer
from explainers.domain.revisions import revisions_of
from explainers.models import Explainer, Publication
from tests.factories import make_user
from tests.test_lead_images import picture, stored_files

pytestmark = pytest.mark.django_db

SEED = (
    Path(__file__).resolve().parent.parent / "explainers" / "fixtures" / "sicherheitsgarantien.txt"
)
ENGLISH = (
    "Ukraine insists on security guarantees from the Europeans and the United States in case "
    "there really is peace with Russia. But what does that mean?\n"
    "What are security guarantees?\n"
    "The term is broad. It covers measures by which other states want to prevent Ukraine from "
    "being attacked again by Russia after a possible peace agreement.\n"
)
FRENCH = (
    "L'Ukraine insiste sur des garanties de sécurité de la part des Européens et des "
    "États-Unis, au cas où la paix avec la Russie serait vraiment conclue.\n"
    "Que sont les garanties de sécurité ?\n"
    "Le terme est large. Il s'agit de mesures par lesquelles d'autres États veulent empêcher "
    "que l'Ukraine soit de nouveau attaquée par la Russie après un accord de paix.\n"
)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_explainer", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def model_counts() -> dict[str, int]:
    """Rows of every model of every app: revisions, versions, users, the explainers' own."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def write(tmp_path: Path, text: str, name: str = "stueck.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def seed_update(tmp_path: Path, *, title: str | None = None) -> Path:
    """The seed as an agency update: one answer extended, a question dropped, one added."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("Der Begriff ist weit gefasst.", "Der Begriff ist sehr weit gefasst.")
    start = text.index("Würde auch Deutschland Truppen")
    end = text.index("Verwendete Quellen")
    added = "Was sagt Russland dazu?\nMoskau lehnt westliche Truppen in der Ukraine ab.\n"
    text = text[:start] + added + text[end:]
    if title:
        text = f"Titel: {title}\n\n{text}"
    return write(tmp_path, text, "sicherheitsgarantien.txt")


# --- --user -----------------------------------------------------------------------------------


def test_the_revision_and_the_publication_name_the_user_given():
    editor = make_user("chefin", publish=True)
    run(str(SEED), "--title", "Seed", "--slug", "seed", "--user", "chefin", "--publish")
    explainer = Explainer.objects.get(slug="seed")
    assert revisions_of(explainer).get().user == editor
    assert Publication.objects.get(explainer=explainer).published_by == editor


def test_an_unknown_user_is_refused_in_german_and_nothing_is_written():
    before = model_counts()
    with pytest.raises(CommandError, match="Unbekannter Benutzer „niemand“"):
        run(str(SEED), "--title", "Seed", "--user", "niemand")
    assert model_counts() == before


def test_a_user_without_the_right_to_add_explainers_is_refused():
    make_user("leserin").groups.clear()
    with pytest.raises(CommandError, match="leserin darf keine Erklärstücke anlegen"):
        run(str(SEED), "--title", "Seed", "--user", "leserin")
    assert not Explainer.objects.exists()


def test_a_reporter_may_import_but_not_publish_and_then_nothing_is_written():
    make_user("reporter")
    with pytest.raises(CommandError, match="darf nicht veröffentlichen"):
        run(str(SEED), "--title", "Seed", "--user", "reporter", "--publish")
    assert not Explainer.objects.exists()


# --- --dry-run --------------------------------------------------------------------------------


def test_a_dry_run_of_a_new_explainer_names_it_and_writes_nothing():
    before = model_counts()
    out, _err = run(str(SEED), "--title", "Seed", "--slug", "seed", "--dry-run", "--publish")
    assert model_counts() == before
    assert out.startswith("Probelauf (--dry-run): nichts wurde gespeichert.\n")
    assert "Würde neu angelegt: „Seed“ (seed), 5 Fragen, 5 Quellen" in out
    assert "  2. Wird die Ukraine Mitglied der Nato?" in out
    assert "Mit --publish würde v1 (Erstveröffentlichung) veröffentlicht" in out


def test_a_dry_run_with_replace_shows_the_diff_and_writes_nothing(tmp_path):
    run(str(SEED), "--slug", "sicherheitsgarantien", "--title", "Seed", "--publish")
    before = model_counts()
    out, _err = run(str(seed_update(tmp_path)), "--replace", "--dry-run")
    assert model_counts() == before
    assert "Würde ersetzt: „Seed“ (sicherheitsgarantien)" in out
    assert "Frage geändert: „Was sind Sicherheitsgarantien?“" in out
    assert "Der Begriff ist {+sehr +}weit gefasst." in out
    assert "Frage entfernt: „Würde auch Deutschland Truppen in die Ukraine schicken?“" in out
    assert "Frage neu: „Was sagt Russland dazu?“" in out
    assert (
        "Quelle"
        not in out.split("Änderungen gegenüber dem Arbeitsstand:")[1].split(
            "Entfernte Seitenelemente"
        )[0]
    )  # the sources did not change


def test_a_dry_run_of_the_working_copys_own_export_finds_no_change(tmp_path):
    run(str(SEED), "--slug", "seed", "--title", "Seed")
    out = StringIO()
    call_command("export_explainer", "seed", "--format", "text", stdout=out)
    path = write(tmp_path, out.getvalue())
    before = model_counts()
    printed, _err = run(str(path), "--replace", "--dry-run")
    assert model_counts() == before
    assert "Keine Änderungen gegenüber dem Arbeitsstand." in printed


def test_a_dry_run_refuses_what_the_import_would_refuse(tmp_path):
    run(str(SEED), "--slug", "seed", "--title", "Seed")
    with pytest.raises(CommandError, match="--replace"):
        run(str(SEED), "--slug", "seed", "--title", "Seed", "--dry-run")


def test_a_dry_run_checks_the_image_and_stores_no_file(tmp_path, settings):
    settings.MEDIA_ROOT = media = tmp_path / "media"
    (media / "eingang").mkdir(parents=True)
    (media / "eingang" / "foto.png").write_bytes(picture(size=(600, 300)))
    text = "Titel: Mit Bild\nBild: eingang/foto.png\nBild-Alt: Ein Bild\n\n" + ENGLISH
    path = write(tmp_path, text)
    files, before = stored_files(media), model_counts()
    run(str(path), "--dry-run")
    assert (stored_files(media), model_counts()) == (files, before)
    settings.IMAGE_MAX_PIXELS = 1_000  # the dry run refuses what the import would refuse
    with pytest.raises(CommandError, match="Pixel"):
        run(str(path), "--dry-run")


# --- a missing "Titel:" -----------------------------------------------------------------------


def test_replace_without_a_titel_line_keeps_the_headline(tmp_path):
    run(str(SEED), "--slug", "sicherheitsgarantien", "--title", "Was sind Sicherheitsgarantien?")
    out, err = run(str(seed_update(tmp_path)), "--replace")
    explainer = Explainer.objects.get(slug="sicherheitsgarantien")
    assert explainer.headline == "Was sind Sicherheitsgarantien?"
    assert "die Überschrift „Was sind Sicherheitsgarantien?“ bleibt" in out
    assert "Dateinamen" not in err
    assert revisions_of(explainer).count() == 2


def test_replace_with_a_titel_line_still_sets_the_headline(tmp_path):
    run(str(SEED), "--slug", "sicherheitsgarantien", "--title", "Alt")
    run(str(seed_update(tmp_path, title="Neu")), "--replace", "--slug", "sicherheitsgarantien")
    assert Explainer.objects.get(slug="sicherheitsgarantien").headline == "Neu"


# --- language ---------------------------------------------------------------------------------


def test_without_header_or_option_the_language_is_detected_and_named_if_not_german(tmp_path):
    out, _err = run(str(write(tmp_path, ENGLISH)), "--title", "Guarantees")
    assert Explainer.objects.get(slug="guarantees").language == "en"
    assert "Erkannte Sprache: Englisch (en), nicht Deutsch." in out


def test_a_german_text_is_detected_as_german_without_a_word_about_it():
    out, _err = run(str(SEED), "--title", "Seed")
    assert Explainer.objects.get().language == "de"
    assert "Sprache" not in out


def test_a_language_the_site_does_not_offer_is_refused_and_asks_for_the_option(tmp_path):
    before = model_counts()
    with pytest.raises(
        CommandError, match=r"scheint Französisch zu sein \(fr\).*mit --language angeben"
    ):
        run(str(write(tmp_path, FRENCH)), "--title", "Garanties")
    assert model_counts() == before


def test_the_option_overrides_detection_and_the_header_and_says_so(tmp_path):
    run(str(write(tmp_path, FRENCH)), "--title", "Garanties", "--language", "en")
    assert Explainer.objects.get(slug="garanties").language == "en"
    out, _err = run(
        str(write(tmp_path, "Sprache: de\n\n" + ENGLISH)), "--title", "G", "--language", "en"
    )
    assert Explainer.objects.get(slug="g").language == "en"
    assert "--language en gilt; die Datei nennt „de“." in out


def test_the_header_is_taken_as_written_without_detection(tmp_path):
    run(str(write(tmp_path, "Sprache: de\n\n" + ENGLISH)), "--title", "G")
    assert Explainer.objects.get(slug="g").language == "de"


@pytest.mark.parametrize("args", [["--language", "fr"], []])
def test_a_language_not_offered_by_option_or_header_is_refused(tmp_path, args):
    with pytest.raises(CommandError, match="„fr“ bietet die Seite nicht an"):
        run(str(write(tmp_path, "Sprache: fr\n\n" + FRENCH)), "--title", "G", *args)
    assert not Explainer.objects.exists()


def test_a_text_too_short_to_tell_keeps_german_and_says_so(tmp_path):
    text = "Teaser.\nWas ist das?\nDas.\n"
    assert detect_language({"teaser": text}) is None  # fewer than MIN_LETTERS
    out, _err = run(str(write(tmp_path, text)), "--title", "Kurz")
    assert Explainer.objects.get(slug="kurz").language == "de"
    assert "nicht sicher erkennen (zu wenig Text): Deutsch angenommen" in out


def test_a_short_text_is_not_trusted_even_where_the_detector_is_confident():
    text = "What happened? Something."  # lingua: English, 0.98
    assert sum(c.isalpha() for c in text) < MIN_LETTERS
    assert detect_language({"teaser": text}) is None


def test_detection_reads_the_text_and_not_the_sources():
    document = {
        "teaser": "Die wichtigsten Fragen und Antworten zu den Sicherheitsgarantien.",
        "questions": [
            {
                "question": "Was sind Sicherheitsgarantien?",
                "answer": "Zusagen anderer Staaten, die Ukraine zu schützen [^cnn].",
            }
        ],
        "sources": [{"label": "Top Trump envoy: 'Substantial progress' made in summit"}],
    }
    assert detect_language(document).code == "de"


def test_the_export_round_trip_keeps_an_english_explainer_english(tmp_path):
    run(str(write(tmp_path, ENGLISH)), "--title", "Guarantees")
    out = StringIO()
    call_command("export_explainer", "guarantees", "--format", "text", stdout=out)
    assert "Sprache: en" in out.getvalue()
    document = document_from_explainer(Explainer.objects.get())
    assert document["language"] == "en"

"""A source date that is no day of the calendar is refused with a German message that names
the source and the date, from a text file (`manage.py import_explainer`) as from a document
(`import_document`), and nothing is written."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from explainers.core.textformat import TextFormatError, parse_text
from explainers.domain.builders import document_from_explainer
from explainers.domain.importing import ImportRefused, import_document, import_file
from explainers.domain.revisions import revisions_of
from explainers.models import Explainer, Source

pytestmark = pytest.mark.django_db

SEED = (
    Path(__file__).resolve().parent.parent / "explainers" / "fixtures" / "sicherheitsgarantien.txt"
)
SEED_DATE = "- Berlin.Table vom 17. August 2025"


def seed_dated(tmp_path, written: str) -> Path:
    text = SEED.read_text(encoding="utf-8")
    assert SEED_DATE in text
    path = tmp_path / "sicherheitsgarantien.txt"
    path.write_text(text.replace(SEED_DATE, f"- Berlin.Table vom {written}"), encoding="utf-8")
    return path


def import_command(path, *args) -> str:
    out = StringIO()
    call_command("import_explainer", str(path), "--title", "Sicherheitsgarantien", *args,
                 stdout=out, stderr=StringIO())  # fmt: skip
    return out.getvalue()


@pytest.mark.parametrize("written", ["30. Februar 2025", "17.13.2025", "31.04.2025"])
def test_the_command_names_the_source_and_the_date_and_imports_nothing(tmp_path, written):
    with pytest.raises(CommandError) as refused:
        import_command(seed_dated(tmp_path, written))
    message = str(refused.value)
    assert f"Ungültiges Datum „{written}“" in message
    assert f"in der Quelle „Berlin.Table vom {written}“" in message
    assert "ValidationError" not in message and "YYYY" not in message
    assert not Explainer.objects.exists()
    assert not Source.objects.exists()


def test_a_bad_date_in_a_replacement_leaves_the_stored_explainer_as_it_was(tmp_path):
    import_command(SEED)
    explainer = Explainer.objects.get()
    before = document_from_explainer(explainer)
    with pytest.raises(CommandError, match="Ungültiges Datum „30. Februar 2025“"):
        import_command(seed_dated(tmp_path, "30. Februar 2025"), "--replace")
    assert document_from_explainer(explainer) == before
    assert revisions_of(explainer).count() == 1


def test_import_file_refuses_the_date_before_anything_is_written(tmp_path):
    with pytest.raises(TextFormatError, match="Ungültiges Datum „17.13.2025“ in der Quelle"):
        import_file(seed_dated(tmp_path, "17.13.2025"))
    assert not Explainer.objects.exists()


def test_the_seed_s_real_date_is_stored_as_that_day():
    import_command(SEED)
    assert Source.objects.get(label="Berlin.Table").date.isoformat() == "2025-08-17"


@pytest.mark.parametrize("date", ["2025-02-30", "17.13.2025", "2025-13-01", "morgen", 20250817])
def test_a_document_with_an_impossible_date_is_refused_in_german(date):
    document = parse_text(SEED.read_text(encoding="utf-8"), title="Sicherheitsgarantien").document
    number = next(n for n, s in enumerate(document["sources"], 1) if s["label"] == "Berlin.Table")
    document["sources"][number - 1]["date"] = date
    with pytest.raises(ImportRefused) as refused:
        import_document(document)
    assert str(refused.value) == (
        f"Quelle {number} („Berlin.Table“): Das Datum „{date}“ ist ungültig. "
        "Erwartet wird ein Tag des Kalenders als JJJJ-MM-TT, z. B. 2025-08-17."
    )
    assert not Explainer.objects.exists()
    assert not Source.objects.exists()

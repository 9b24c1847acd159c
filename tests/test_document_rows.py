"""The document and its rows, both ways, in one place (explainers/domain/builders.py):
import, revert and question restore write through the same function, what they write
reads back as the document they meant, and importing the seed stays cheap."""

import datetime
from pathlib import Path

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from explainers.core.documents import normalize_document
from explainers.desk.question_history import restore_question
from explainers.domain import builders
from explainers.domain.builders import document_from_explainer, document_from_revision
from explainers.domain.importing import import_document
from explainers.domain.revisions import latest_revision, record_revision, revert_to_revision
from explainers.models import Explainer, Publication, Question
from tests.factories import make_document, make_explainer
from tests.support.strategies import documents

SEED = (
    Path(__file__).resolve().parent.parent / "explainers" / "fixtures" / "sicherheitsgarantien.txt"
)

# Measured with this test's own setup: 90 before the document ⇄ rows module took over the
# writing (the rows were read back twice and the children followed twice), 61 since.
SEED_IMPORT_AND_PUBLISH_QUERIES = 61


@pytest.mark.django_db
def test_importing_the_seed_and_publishing_it_takes_at_most_61_queries():
    ContentType.objects.clear_cache()  # as in a fresh `manage.py import_explainer`
    with CaptureQueriesContext(connection) as captured:
        call_command("import_explainer", str(SEED), "--publish", stdout=_Sink(), stderr=_Sink())
    assert len(captured.captured_queries) <= SEED_IMPORT_AND_PUBLISH_QUERIES
    publication = Publication.objects.get(explainer__slug="sicherheitsgarantien")
    assert publication.document == document_from_revision(publication.revision)
    assert len(publication.document["questions"]) == 5


@pytest.mark.django_db
def test_import_revert_and_question_restore_all_write_through_the_one_writer(monkeypatch):
    writes = []
    real = builders.write_document

    def counting(explainer, document, *args, **kwargs):
        writes.append(document["slug"])
        return real(explainer, document, *args, **kwargs)

    for module in ("importing", "revisions"):
        monkeypatch.setattr(f"explainers.domain.{module}.write_document", counting)
    monkeypatch.setattr("explainers.desk.question_history.write_document", counting)
    explainer = import_document(make_document(questions=2))
    first = latest_revision(explainer)
    _edit(explainer, answer="Geändert.")
    key = Question.objects.filter(explainer=explainer).first().key
    restore_question(explainer, first, key)
    revert_to_revision(explainer, first)
    assert writes == [explainer.slug] * 3


@pytest.mark.django_db
def test_a_revert_brings_back_what_the_rows_held_beyond_the_document():
    explainer = make_explainer(questions=2, sources=2, byline="Anna Autorin")
    question = Question.objects.filter(explainer=explainer).order_by("position").first()
    Question.objects.filter(pk=question.pk).update(
        valid_until=datetime.date(2027, 3, 1),
        valid_until_note="Bis zur Wahl",
        extra_cites="quelle-2",
    )
    with reversion.create_revision():
        record_revision(explainer)
    kept = latest_revision(explainer)
    Explainer.objects.filter(pk=explainer.pk).update(byline="Jemand anders")
    Question.objects.filter(pk=question.pk).update(
        valid_until=None, valid_until_note="", extra_cites=""
    )
    _edit(explainer, answer="Ganz anders.")

    reverted = revert_to_revision(explainer, kept)

    again = Question.objects.get(explainer=explainer, key=question.key)
    assert again.pk == question.pk
    assert (again.valid_until, again.valid_until_note, again.extra_cites) == (
        datetime.date(2027, 3, 1),
        "Bis zur Wahl",
        "quelle-2",
    )
    assert reverted.byline == "Anna Autorin"
    assert document_from_explainer(reverted) == document_from_revision(kept)
    assert document_from_explainer(reverted)["questions"][0]["cites"] == ["quelle-1", "quelle-2"]


@pytest.mark.django_db
def test_restoring_one_question_leaves_the_others_rows_as_they_are():
    explainer = make_explainer(questions=3)
    first = latest_revision(explainer)
    rows = list(Question.objects.filter(explainer=explainer).order_by("position"))
    Question.objects.filter(pk=rows[2].pk).update(
        valid_until=datetime.date(2027, 1, 1), valid_until_note="Prüfen"
    )
    _edit(explainer, answer="Neu formuliert.")

    restore_question(explainer, first, rows[0].key)

    after = {q.key: q for q in Question.objects.filter(explainer=explainer)}
    assert {key: q.pk for key, q in after.items()} == {q.key: q.pk for q in rows}
    assert after[rows[0].key].answer == rows[0].answer
    assert after[rows[1].key].answer == "Neu formuliert."
    assert (after[rows[2].key].valid_until, after[rows[2].key].valid_until_note) == (
        datetime.date(2027, 1, 1),
        "Prüfen",
    )


class TheWrittenDocumentIsTheStoredOne(TestCase):
    """What the writer returns (so no one reads the rows back) is what the rows say."""

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(documents("markdown"))
    def test_any_document_written_reads_back_as_the_writer_said(self, document):
        document = {**document, "slug": "geschrieben", "related": [], "image": None}
        explainer = Explainer()
        written = builders.write_document(explainer, normalize_document(document), {})
        assert document_from_explainer(explainer) == written
        assert [q["answer"] for q in written["questions"]] == [
            q["answer"] for q in normalize_document(document)["questions"]
        ]
        again = builders.write_document(
            explainer, written, {}, kept=builders.kept_fields(explainer)
        )
        assert again == written == document_from_explainer(explainer)


def _edit(explainer, **fields):
    with reversion.create_revision():
        Question.objects.filter(explainer=explainer).update(**fields)
        record_revision(explainer)


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass

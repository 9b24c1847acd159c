"""Whole-explainer revisions: one per write, documents from any revision, exact revert."""

import pytest
import reversion
from django.db import transaction

from explainers.core.documents import content_hash
from explainers.domain.builders import (
    document_from_explainer,
    document_from_revision,
    revision_rows,
)
from explainers.domain.revisions import (
    RevertRefused,
    latest_revision,
    latest_revision_with_rows,
    record_revision,
    revert_to_revision,
    revisions_of,
)
from explainers.models import Citation, Explainer, Question, RelatedLink, Source
from tests.factories import make_document, make_explainer
from tests.support.revisions import (
    as_recorded_before_revision_rows,
    rewrite_stored_rows,
    stored_rows_of,
)

pytestmark = pytest.mark.django_db


def edit(explainer, comment="Bearbeitet", **changes):
    with transaction.atomic(), reversion.create_revision():
        for name, value in changes.items():
            setattr(explainer, name, value)
        explainer.save()
        record_revision(explainer, comment=comment)


def test_an_import_is_exactly_one_revision_holding_the_whole_explainer():
    explainer = make_explainer(questions=3, sources=2)
    revisions = list(revisions_of(explainer))
    assert len(revisions) == 1
    models = {row["model"] for row in stored_rows_of(revisions[0])}
    assert models == {f"explainers.{m}" for m in ("explainer", "question", "source", "citation")}
    assert revisions[0].get_comment() == "Importiert"


def test_a_document_built_from_an_old_revision_shows_it_as_it_was():
    document = make_document(questions=2)
    explainer = make_explainer(**{k: document[k] for k in ("questions", "sources")})
    first = latest_revision(explainer)
    before = document_from_explainer(explainer)
    Question.objects.filter(explainer=explainer, position=1).update(question="Ganz neu?")
    edit(explainer, headline="Neue Überschrift")
    assert document_from_revision(first) == before
    assert document_from_explainer(explainer)["headline"] == "Neue Überschrift"
    assert document_from_explainer(explainer)["questions"][0]["question"] == "Ganz neu?"


def test_the_content_hash_is_kept_on_the_explainer_by_every_save():
    explainer = make_explainer()
    edit(explainer, teaser="Anders.")
    explainer.refresh_from_db()
    assert explainer.content_hash == content_hash(
        document_from_explainer(explainer), explainer.byline
    )


def test_revert_restores_deleted_questions_their_order_and_citations():
    explainer = make_explainer(questions=3, sources=2)
    original = document_from_explainer(explainer)
    first = latest_revision(explainer)
    with reversion.create_revision():
        Question.objects.filter(explainer=explainer, position=1).delete()
        Source.objects.filter(explainer=explainer, key="quelle-2").delete()
        Question.objects.filter(explainer=explainer, position=2).update(anchor="zwischen")
        Question.objects.filter(explainer=explainer, position=3).update(
            position=0, anchor="frage-2"
        )
        Question.objects.filter(explainer=explainer, position=2).update(anchor="frage-3")
        record_revision(explainer, comment="Umgebaut")
    assert document_from_explainer(explainer) != original

    revert_to_revision(explainer, first)

    assert document_from_explainer(explainer) == original
    assert Citation.objects.filter(explainer=explainer).count() == 1
    assert revisions_of(explainer).count() == 3
    assert "Zurückgesetzt auf Revision" in latest_revision(explainer).get_comment()


def test_revert_re_stamps_updated_at_and_the_hash():
    explainer = make_explainer()
    first = latest_revision(explainer)
    edit(explainer, teaser="Anders.")
    before = Explainer.objects.get(pk=explainer.pk).updated_at
    reverted = revert_to_revision(explainer, first)
    assert reverted.updated_at > before
    assert reverted.content_hash == content_hash(document_from_explainer(reverted), "")


def test_a_revision_of_another_explainer_is_refused():
    explainer, other = make_explainer(), make_explainer()
    with pytest.raises(RevertRefused):
        revert_to_revision(explainer, latest_revision(other))


def test_documents_from_revisions_tolerate_fields_added_or_removed_later():
    explainer = make_explainer(questions=2)
    revision = latest_revision(explainer)
    expected = document_from_explainer(explainer)

    def as_other_releases_store_it(row):
        row["fields"]["field_from_the_future"] = "x"
        row["fields"].pop("extra_cites", None)  # a field an old release did not have

    rewrite_stored_rows(revision, as_other_releases_store_it)
    assert document_from_revision(revision) == expected


def test_renaming_a_recommended_explainer_marks_its_referrers_as_changed():
    from explainers.models import RelatedLink

    referrer, target = make_explainer(), make_explainer()
    with reversion.create_revision():
        RelatedLink.objects.create(explainer=referrer, target=target, position=1)
        record_revision(referrer)
    before = Explainer.objects.get(pk=referrer.pk).content_hash
    edit(target, slug="neuer-kurzname")
    referrer.refresh_from_db()
    assert referrer.content_hash != before
    assert referrer.content_hash == content_hash(document_from_explainer(referrer), "")


def _same_revision(read, expected) -> bool:
    fields = ("pk", "number", "date_created", "user_id", "comment")
    return [getattr(read, n) for n in fields] == [getattr(expected, n) for n in fields]


def test_the_latest_revision_read_with_its_rows_is_read_once(django_assert_num_queries):
    explainer = make_explainer(questions=3, sources=2)
    edit(explainer, teaser="Anders.")
    expected = latest_revision(explainer)
    with django_assert_num_queries(1):
        latest = latest_revision_with_rows(explainer)
    with django_assert_num_queries(0):
        rows = revision_rows(latest)
    assert _same_revision(latest, expected)
    assert rows == revision_rows(expected)
    assert len(rows[Question]) == 3 and len(rows[Source]) == 2 and len(rows[Citation]) == 1


def test_a_latest_revision_recorded_before_revision_rows_is_read_as_before(
    django_assert_num_queries,
):
    explainer = make_explainer(questions=3, sources=2)
    edit(explainer, teaser="Anders.")
    as_recorded_before_revision_rows(latest_revision(explainer))
    expected = latest_revision(explainer)
    latest = latest_revision_with_rows(explainer)
    with django_assert_num_queries(1):  # the children's own versions
        rows = revision_rows(latest)
    assert _same_revision(latest, expected)
    assert rows == revision_rows(expected)
    assert len(rows[Question]) == 3 and len(rows[Explainer]) == 1
    assert document_from_revision(latest) == document_from_explainer(explainer)


def test_a_childs_own_version_beside_the_revision_rows_is_left_out_as_before():
    referrer, target = make_explainer(questions=1), make_explainer()
    link = RelatedLink.objects.create(explainer=referrer, target=target, position=1)
    with reversion.create_revision():
        reversion.add_to_revision(link)
        record_revision(referrer, comment="Empfehlung")
    RelatedLink.objects.filter(pk=link.pk).update(position=7)  # not what the revision holds
    rows = revision_rows(latest_revision_with_rows(referrer))
    assert rows == revision_rows(latest_revision(referrer))
    assert [row["position"] for row in rows[RelatedLink]] == [1]


def test_an_explainer_without_revisions_has_no_latest_one():
    explainer = make_explainer()
    revisions_of(explainer).delete()
    assert latest_revision_with_rows(explainer) is None

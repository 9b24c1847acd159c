"""Publication rules: who, which kind, which note, numbering, frozen documents."""

import pytest
import reversion
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError

from explainers.domain.builders import document_from_explainer, document_from_revision
from explainers.domain.publishing import PublishRefused, publish
from explainers.domain.revisions import latest_revision, revisions_of
from explainers.models import Publication, Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def change_answer(explainer, position=1, text="Neue Antwort."):
    Question.objects.filter(explainer=explainer, position=position).update(answer=text)


def test_the_first_publication_is_stored_as_first_whatever_kind_was_asked_and_needs_no_note():
    explainer = make_explainer()
    publication = publish(explainer, kind="correction")
    assert (publication.number, publication.kind, publication.note) == (1, "first", "")


@pytest.mark.parametrize("kind", ["update", "correction", "clarification"])
def test_later_updates_corrections_and_clarifications_need_a_public_note(kind):
    explainer = make_explainer()
    publish(explainer)
    change_answer(explainer)
    with pytest.raises(PublishRefused, match="Hinweis für Leser"):
        publish(explainer, kind=kind, note="  ")
    assert publish(explainer, kind=kind, note="Neue Lage.").number == 2


def test_a_minor_fix_needs_no_note_and_does_not_move_the_stand_date():
    explainer = make_explainer()
    first = publish(explainer)
    change_answer(explainer)
    minor = publish(explainer, kind="minor")
    assert minor.note == ""
    assert minor.stand_at == first.stand_at
    assert minor.published_at > first.published_at


def test_publishing_content_equal_to_the_latest_publication_is_refused():
    explainer = make_explainer()
    publish(explainer)
    with pytest.raises(PublishRefused, match="Nichts zu veröffentlichen"):
        publish(explainer, kind="minor")
    assert explainer.publications.count() == 1


def test_numbers_run_v1_v2_v3():
    explainer = make_explainer()
    numbers = [publish(explainer).number]
    for text in ("Zwei.", "Drei."):
        change_answer(explainer, text=text)
        numbers.append(publish(explainer, note="Neu.").number)
    assert numbers == [1, 2, 3]


def test_a_working_copy_changed_since_its_latest_revision_gets_a_revision_first():
    explainer = make_explainer()
    change_answer(explainer, text="Am Admin vorbei geändert.")
    publication = publish(explainer)
    assert revisions_of(explainer).count() == 2
    assert publication.revision == latest_revision(explainer)
    assert document_from_revision(publication.revision) == publication.document


def test_an_unchanged_working_copy_is_published_from_its_latest_revision():
    explainer = make_explainer()
    revision = latest_revision(explainer)
    assert publish(explainer).revision == revision
    assert revisions_of(explainer).count() == 1


def test_the_publication_freezes_the_document_while_the_working_copy_moves_on():
    explainer = make_explainer()
    publication = publish(explainer)
    frozen = document_from_explainer(explainer)
    change_answer(explainer, text="Unfertiger Entwurf.")
    publication.refresh_from_db()
    assert publication.document == frozen


def test_a_reporter_cannot_publish(reporter):
    explainer = make_explainer()
    with pytest.raises(PublishRefused, match="darf nicht veröffentlichen"):
        publish(explainer, user=reporter)
    assert not explainer.publications.exists()


def test_the_desk_publishes_with_its_name_on_the_publication(desk):
    explainer = make_explainer()
    assert publish(explainer, user=desk).published_by == desk


def test_publishing_inside_an_open_revision_block_is_a_programming_error():
    explainer = make_explainer()
    with pytest.raises(RuntimeError), reversion.create_revision():
        publish(explainer)


def test_an_explainer_with_publications_cannot_be_deleted():
    explainer = make_explainer()
    publish(explainer)
    with pytest.raises(ProtectedError):
        explainer.delete()


def test_each_publication_stores_rendered_answers_and_what_changed():
    explainer = make_explainer(questions=2)
    first = publish(explainer)
    change_answer(explainer, position=2, text="Ganz anders.")
    second = publish(explainer, note="Frage 2 aktualisiert.")
    keys = [q["key"] for q in second.document["questions"]]
    assert set(second.rendered_answers) == set(keys)
    assert "<p>Ganz anders.</p>" in second.rendered_answers[keys[1]]
    assert first.change_summary is None
    assert second.change_summary["counts"]["changed"] == 1
    assert second.question_changes[keys[0]]["number"] == 1
    assert second.question_changes[keys[1]] | {"published_at": None} == {
        "number": 2,
        "status": "changed",
        "published_at": None,
    }


def test_a_minor_fix_earns_no_updated_badge():
    explainer = make_explainer(questions=1)
    publish(explainer)
    change_answer(explainer, text="Tippfehler behoben.")
    minor = publish(explainer, kind="minor")
    key = minor.document["questions"][0]["key"]
    assert minor.question_changes[key]["number"] == 1


# The command


def test_publish_command_publishes_with_kind_and_note(desk, capsys):
    explainer = make_explainer()
    call_command("publish_explainer", explainer.slug, "--user", "desk")
    change_answer(explainer)
    call_command(
        "publish_explainer", explainer.slug, "--kind", "correction", "--note", "Zahl korrigiert."
    )
    latest = explainer.publications.order_by("-number").first()
    assert (latest.number, latest.kind, latest.note) == (2, "correction", "Zahl korrigiert.")
    assert latest.published_by is None  # "System"
    assert "v2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--user", "reporter"], "darf nicht veröffentlichen"),
        (["--user", "niemand"], "Keinen Benutzer"),
    ],
)
def test_publish_command_refuses_users_without_the_permission(reporter, args, message):
    explainer = make_explainer()
    with pytest.raises(CommandError, match=message):
        call_command("publish_explainer", explainer.slug, *args)
    assert not Publication.objects.exists()


def test_publish_command_names_an_unknown_slug():
    with pytest.raises(CommandError, match="Kein Erklärstück"):
        call_command("publish_explainer", "gibt-es-nicht")

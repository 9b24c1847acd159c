"""Scheduled publication: frozen at planning time, published when due, never stale."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from explainers.domain.publishing import PublishRefused, publish
from explainers.domain.scheduling import publish_due, schedule
from explainers.models import Publication, Question, ScheduledPublication
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

SOON = datetime.timedelta(hours=1)


def later(delta=SOON):
    return timezone.now() + delta


def change_answer(explainer, text):
    Question.objects.filter(explainer=explainer, position=1).update(answer=text)


def test_a_schedule_freezes_the_text_chosen_then(desk):
    explainer = make_explainer()
    change_answer(explainer, "Stand bei der Planung.")
    schedule(explainer, publish_at=later(), user=desk)
    change_answer(explainer, "Später getippt, nicht geplant.")
    outcomes = publish_due(now=later(SOON * 2))
    publication = outcomes[0].published
    assert publication.number == 1 and publication.kind == "first"
    assert publication.document["questions"][0]["answer"] == "Stand bei der Planung."
    assert publication.published_by == desk


def test_nothing_is_published_before_its_time(client, desk):
    explainer = make_explainer()
    schedule(explainer, publish_at=later(), user=desk)
    assert publish_due() == []
    assert not Publication.objects.exists()
    assert client.get(reverse("explainers:index")).content.decode().count(explainer.headline) == 0


def test_kind_and_notes_chosen_at_planning_time_are_used(desk):
    explainer = make_explainer()
    publish(explainer)
    change_answer(explainer, "Korrigiert.")
    schedule(
        explainer, publish_at=later(), kind="correction", note="Zahl korrigiert.",
        internal_note="Hinweis von Leserin", user=desk,
    )  # fmt: skip
    publication = publish_due(now=later(SOON * 2))[0].published
    assert (publication.kind, publication.note, publication.internal_note) == (
        "correction", "Zahl korrigiert.", "Hinweis von Leserin",
    )  # fmt: skip


def test_a_schedule_older_than_a_publication_made_since_is_skipped_with_a_reason(desk):
    explainer = make_explainer()
    publish(explainer)
    change_answer(explainer, "Geplanter Text.")
    planned = schedule(explainer, publish_at=later(), note="Geplant.", user=desk)
    change_answer(explainer, "Inzwischen direkt veröffentlicht.")
    publish(explainer, note="Eilmeldung.")
    outcome = publish_due(now=later(SOON * 2))[0]
    planned.refresh_from_db()
    assert outcome.published is None and planned.status == "skipped"
    assert "älteren Text zurückbringen" in planned.reason
    assert explainer.publications.count() == 2


def test_running_twice_publishes_once(desk):
    explainer = make_explainer()
    schedule(explainer, publish_at=later(), user=desk)
    assert len(publish_due(now=later(SOON * 2))) == 1
    assert publish_due(now=later(SOON * 2)) == []
    assert Publication.objects.count() == 1


def test_a_reporter_cannot_schedule(reporter):
    with pytest.raises(PublishRefused):
        schedule(make_explainer(), publish_at=later(), user=reporter)
    assert not ScheduledPublication.objects.exists()


def test_a_time_in_the_past_or_a_missing_note_is_refused(desk):
    explainer = make_explainer()
    with pytest.raises(PublishRefused, match="Zukunft"):
        schedule(explainer, publish_at=timezone.now() - SOON, user=desk)
    publish(explainer)
    with pytest.raises(PublishRefused, match="Hinweis für Leser"):
        schedule(explainer, publish_at=later(), kind="update", user=desk)


def test_a_scheduled_revision_cannot_be_pruned(desk):
    planned = schedule(make_explainer(), publish_at=later(), user=desk)
    with pytest.raises(ProtectedError):
        planned.revision.delete()


def test_the_command_says_what_it_published_and_why_it_skipped(desk, capsys, settings):
    settings.PUBLIC_BASE_URL = "https://explainers.example.org"
    explainer = make_explainer()
    schedule(explainer, publish_at=timezone.now() + datetime.timedelta(seconds=1), user=desk)
    call_command("publish_due")
    assert "Nichts fällig." in capsys.readouterr().out
    ScheduledPublication.objects.update(publish_at=timezone.now())
    call_command("publish_due")
    published = capsys.readouterr().out
    assert "veröffentlicht als v1" in published
    assert f"https://explainers.example.org/explainers/{explainer.slug}/v1/" in published
    with pytest.raises(CommandError):
        call_command("publish_due", "--every", "0")


def test_the_desk_schedules_from_the_publish_page_and_the_list_shows_it(client, desk):
    explainer = make_explainer()
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_publish", args=[explainer.pk])
    when = timezone.localtime(later(datetime.timedelta(days=1))).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"kind": "update", "publish_at": when}, follow=True)
    assert "Veröffentlichung geplant für" in response.content.decode()
    assert not explainer.publications.exists()
    listing = client.get(reverse("admin:explainers_explainer_changelist") + "?schedule=pending")
    assert explainer.headline in listing.content.decode()
    change = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    assert "Geplant: Veröffentlichung" in change.content.decode()


def test_the_desk_cancels_a_schedule(client, desk):
    planned = schedule(make_explainer(), publish_at=later(), user=desk)
    client.force_login(desk)
    client.post(
        reverse("admin:explainers_scheduledpublication_changelist"),
        {"action": "cancel", "_selected_action": [planned.pk]},
    )
    planned.refresh_from_db()
    assert planned.status == "cancelled"
    assert publish_due(now=later(SOON * 2)) == []


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_publish_a_schedule_once(desk):
    explainer = make_explainer()
    schedule(explainer, publish_at=later(), user=desk)
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(len(publish_due(now=later(SOON * 2))))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [0, 1]
    assert Publication.objects.count() == 1

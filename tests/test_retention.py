"""Pruning old revisions never touches published or scheduled history."""

import datetime

import pytest
import reversion
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from explainers.domain.builders import document_from_revision
from explainers.domain.publishing import publish
from explainers.domain.retention import prune_revisions
from explainers.domain.revisions import record_revision, revisions_of
from explainers.domain.scheduling import schedule
from explainers.models import Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def edits(explainer, count):
    for n in range(count):
        with reversion.create_revision():
            Question.objects.filter(explainer=explainer, position=1).update(answer=f"Fassung {n}.")
            record_revision(explainer, comment=f"Schritt {n}")


def test_published_and_scheduled_history_survives_pruning(desk):
    explainer = make_explainer()
    edits(explainer, 3)
    first = publish(explainer)
    edits(explainer, 5)
    second = publish(explainer, note="Neu.")
    edits(explainer, 4)
    planned = schedule(
        explainer, publish_at=timezone.now() + datetime.timedelta(hours=1), note="Bald.", user=desk
    )
    edits(explainer, 6)
    before = revisions_of(explainer).count()

    report = prune_revisions(keep_latest=2)

    remaining = set(revisions_of(explainer).values_list("pk", flat=True))
    assert report.pruned == before - len(remaining) > 0
    for publication in (first, second):
        publication.refresh_from_db()
        assert publication.revision_id in remaining
        assert document_from_revision(publication.revision) == publication.document
    assert planned.revision_id in remaining
    assert len(remaining) == 2 + 3  # the latest two, two publications, one schedule


def test_only_revisions_older_than_the_cutoff_are_pruned():
    explainer = make_explainer()
    edits(explainer, 4)
    assert prune_revisions(keep_latest=1, older_than_days=30).pruned == 0
    old = timezone.now() - datetime.timedelta(days=60)
    revisions_of(explainer).update(date_created=old)
    assert prune_revisions(keep_latest=1, older_than_days=30).pruned == 4


def test_the_command_counts_in_a_dry_run_and_checks_its_arguments(capsys):
    explainer = make_explainer()
    edits(explainer, 3)
    call_command("prune_revisions", "--keep", "1", "--dry-run")
    assert "3 Revisionen würden gelöscht" in capsys.readouterr().out
    assert revisions_of(explainer).count() == 4
    call_command("prune_revisions", "--keep", "1")
    assert revisions_of(explainer).count() == 1
    with pytest.raises(CommandError):
        call_command("prune_revisions", "--keep", "0")

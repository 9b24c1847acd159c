"""Publishing under concurrency: consecutive numbers or one clear refusal, never a
duplicate, on SQLite (a file database) and PostgreSQL alike."""

import threading

import pytest
from django.db import connection

from explainers.domain.publishing import PublishRefused, publish
from explainers.models import Explainer, Publication, Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db(transaction=True)


def publish_at_once(explainer_pk, workers, **kwargs):
    barrier = threading.Barrier(workers)
    outcomes = []

    def work():
        try:
            barrier.wait(timeout=10)
            explainer = Explainer.objects.get(pk=explainer_pk)
            outcomes.append(publish(explainer, **kwargs).number)
        except PublishRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()  # so the test database can be dropped afterwards

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_simultaneous_first_publications_give_v1_once_and_one_clear_refusal():
    explainer = make_explainer()
    outcomes = publish_at_once(explainer.pk, 2, note="Neu.")
    numbers = [o for o in outcomes if isinstance(o, int)]
    refusals = [o for o in outcomes if isinstance(o, str)]
    assert numbers == [1]
    assert len(refusals) == 1 and "Nichts zu veröffentlichen" in refusals[0]
    assert list(Publication.objects.values_list("number", flat=True)) == [1]


def test_simultaneous_updates_never_share_a_number():
    explainer = make_explainer()
    publish(explainer)
    Question.objects.filter(explainer=explainer, position=1).update(answer="Neu.")
    outcomes = publish_at_once(explainer.pk, 4, note="Neue Lage.")
    numbers = sorted(Publication.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # consecutive, no duplicate
    assert [o for o in outcomes if isinstance(o, int)] == [2]
    assert all("Nichts zu veröffentlichen" in o for o in outcomes if isinstance(o, str))

"""The desk's short lists on the admin index, and the list filters behind them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from explainers.domain.hand_off import hand_in
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision, revert_to_revision
from explainers.domain.scheduling import schedule
from explainers.models import Explainer, Question
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db


def test_the_admin_index_lists_what_needs_the_desk(client, desk):
    ready = make_explainer(headline="Bitte abnehmen")
    anna = make_user("anna")
    anna.first_name, anna.last_name = "Anna", "Roth"
    anna.save()
    hand_in(ready, user=anna, message="Zahlen neu.")
    overdue = make_explainer(headline="Längst fällig")
    Explainer.objects.filter(pk=overdue.pk).update(review_by=datetime.date(2020, 1, 1))
    changed = make_explainer(headline="Geändert seit v1")
    publish(changed)
    Question.objects.filter(explainer=changed, position=1).update(answer="Neu.")
    from explainers.domain.revisions import stamp

    stamp(changed)
    corrected = make_explainer(headline="Frisch korrigiert")
    publish(corrected)
    Question.objects.filter(explainer=corrected, position=1).update(answer="Richtig.")
    publish(corrected, kind="correction", note="Zahl korrigiert.")
    planned = make_explainer(headline="Mit Sperrfrist")
    schedule(planned, publish_at=timezone.now() + datetime.timedelta(hours=2), user=desk)
    client.force_login(desk)
    html = client.get(reverse("admin:index")).content.decode()
    for headline in ("Bitte abnehmen", "Längst fällig", "Geändert seit v1", "Frisch korrigiert",
                     "Mit Sperrfrist"):  # fmt: skip
        assert headline in html, headline
    assert "Für den Dienst" in html
    assert "Anna Roth" in html and "Zahlen neu." in html  # who asked, and the message


@pytest.mark.parametrize(
    "query, expected",
    [("?review=ready", "Bitte abnehmen"), ("?review=overdue", "Gilt nicht mehr"),
     ("?review=corrected", "Frisch korrigiert")],
)  # fmt: skip
def test_the_list_filters_by_each_desk_list(client, reporter, query, expected):
    ready = make_explainer(headline="Bitte abnehmen")
    Explainer.objects.filter(pk=ready.pk).update(ready_for_review=True)
    stale = make_explainer(headline="Gilt nicht mehr")
    Question.objects.filter(explainer=stale, position=1).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
        valid_until_note="bis zum Gipfel",
    )
    corrected = make_explainer(headline="Frisch korrigiert")
    publish(corrected)
    Question.objects.filter(explainer=corrected, position=1).update(answer="Richtig.")
    publish(corrected, kind="correction", note="Zahl korrigiert.")
    client.force_login(reporter)
    html = client.get(reverse("admin:explainers_explainer_changelist") + query).content.decode()
    assert expected in html
    others = {"Bitte abnehmen", "Gilt nicht mehr", "Frisch korrigiert"} - {expected}
    assert not any(f">{headline}<" in html for headline in others)


def test_a_revert_neither_brings_back_nor_clears_a_hand_off():
    explainer = make_explainer()
    first = latest_revision(explainer)
    stale = Explainer.objects.get(pk=explainer.pk)  # read before it was handed in
    Explainer.objects.filter(pk=explainer.pk).update(ready_for_review=True)
    revert_to_revision(stale, first)
    assert Explainer.objects.get(pk=explainer.pk).ready_for_review is True
    Explainer.objects.filter(pk=explainer.pk).update(ready_for_review=False)
    revert_to_revision(explainer, first)
    assert Explainer.objects.get(pk=explainer.pk).ready_for_review is False

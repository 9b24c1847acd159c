"""What the desk sees around publishing: the internal note of a publication where the next
one is prepared, a publish action that says why there is nothing to publish, and unpublished
changes as a notice rather than an error."""

import pytest
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.domain.revisions import stamp
from explainers.models import Explainer, Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def test_the_internal_note_is_read_on_the_history_and_the_next_publish_page(client, desk):
    explainer = make_explainer()
    publish(explainer, user=desk, internal_note="Mit der Rechtsabteilung abgestimmt (Fall 17).")
    client.force_login(desk)
    history = client.get(reverse("admin:explainers_explainer_history", args=[explainer.pk]))
    assert "Mit der Rechtsabteilung abgestimmt (Fall 17)." in history.content.decode()
    page = client.get(reverse("admin:explainers_explainer_publish", args=[explainer.pk]))
    assert "Interne Notiz zu v1:" in page.content.decode()
    assert "Mit der Rechtsabteilung abgestimmt (Fall 17)." in page.content.decode()


def test_publish_says_why_when_nothing_changed_since_the_last_publication(client, desk):
    explainer = make_explainer()
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    publish_url = reverse("admin:explainers_explainer_publish", args=[explainer.pk])
    client.force_login(desk)
    assert publish_url in client.get(change).content.decode()  # never published
    publish(explainer, user=desk)
    page = client.get(change).content.decode()
    assert publish_url not in page
    assert "Veröffentlichen – seit der letzten Fassung nichts geändert" in page
    Question.objects.filter(explainer=explainer, position=1).update(answer="Neu gefasst.")
    stamp(Explainer.objects.get(pk=explainer.pk))
    page = client.get(change).content.decode()
    assert publish_url in page
    assert 'class="desk-notice unpublished-note"' in page  # a notice, not an error
    assert "errornote" not in page

"""Admin pages stay bounded: their query count does not grow with the explainer."""

import pytest
import reversion
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.domain.revisions import record_revision
from explainers.models import Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_change_page_costs_the_same_at_5_and_50_questions(client, reporter):
    client.force_login(reporter)
    small, large = make_explainer(questions=5), make_explainer(questions=50, sources=8)
    url = "admin:explainers_explainer_change"
    queries(client, reverse(url, args=[small.pk]))  # warm per-process caches
    assert queries(client, reverse(url, args=[small.pk])) == queries(
        client, reverse(url, args=[large.pk])
    )


def test_the_history_page_costs_the_same_at_3_and_120_revisions(client, reporter):
    client.force_login(reporter)
    short, long = make_explainer(), make_explainer()
    for explainer, count in ((short, 2), (long, 119)):
        for n in range(count):
            with reversion.create_revision():
                Question.objects.filter(explainer=explainer, position=1).update(answer=f"{n}")
                record_revision(explainer, comment=f"{n}")
    url = "admin:explainers_explainer_history"
    queries(client, reverse(url, args=[short.pk]))
    assert queries(client, reverse(url, args=[short.pk])) == queries(
        client, reverse(url, args=[long.pk])
    )


def test_the_question_and_source_blocks_cost_no_query_per_block(client, reporter):
    client.force_login(reporter)
    small, large = make_explainer(questions=1, sources=1), make_explainer(questions=40, sources=12)
    url = "admin:explainers_explainer_change"
    queries(client, reverse(url, args=[small.pk]))  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse(url, args=[large.pk]))
    saved_blocks = page.content.decode().count('class="inline-related block has_original')
    assert saved_blocks == 40 + 12
    assert queries(client, reverse(url, args=[small.pk])) == len(captured.captured_queries)

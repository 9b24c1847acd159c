"""Withdrawal (410 with a note) and legal redaction (gone everywhere, for good)."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from explainers.domain.builders import document_from_explainer, document_from_revision
from explainers.domain.publishing import publish
from explainers.domain.revisions import revert_to_revision, revisions_of
from explainers.domain.takedown import REDACTED, TakedownRefused, redact, withdraw
from explainers.models import Publication, Question, Redaction, SearchEntry
from tests.factories import make_explainer
from tests.support.revisions import stored_texts

pytestmark = pytest.mark.django_db

SECRET = "Minister X soll bestochen worden sein"


def reader_urls(slug):
    return [
        reverse("explainers:detail", args=[slug]),
        reverse("explainers:versions", args=[slug]),
        reverse("explainers:version", args=[slug, 1]),
        reverse("explainers:diff", args=[slug, "1..2"]),
        reverse("explainers:explainer_feed", args=[slug]),
    ]


@pytest.fixture
def online(desk):
    explainer = make_explainer()
    publish(explainer)
    Question.objects.filter(explainer=explainer, position=2).update(answer=f"Gerücht: {SECRET}.")
    publish(explainer, note=f"Ergänzt: {SECRET}", user=desk)
    return explainer


def test_a_withdrawn_explainer_answers_410_with_its_note_everywhere(client, desk, online):
    withdraw(online, note="Aus rechtlichen Gründen zurückgezogen.", user=desk)
    for url in reader_urls(online.slug):
        response = client.get(url)
        assert response.status_code == 410, url
        assert "Aus rechtlichen Gründen zurückgezogen." in response.content.decode()


def test_a_withdrawn_explainer_leaves_index_feeds_sitemap_and_search(client, desk, online):
    withdraw(online, note="Zurückgezogen.", user=desk)
    assert online.headline not in client.get(reverse("explainers:index")).content.decode()
    assert online.slug not in client.get(reverse("explainers:feed")).content.decode()
    assert online.slug not in client.get("/sitemap.xml").content.decode()
    assert not SearchEntry.objects.filter(explainer=online).exists()


def test_publishing_again_brings_a_withdrawn_explainer_back(client, desk, online):
    withdraw(online, note="Zurückgezogen.", user=desk)
    Question.objects.filter(explainer=online, position=1).update(answer="Geprüft.")
    publish(online, note="Geprüft und wieder online.", user=desk)
    assert client.get(reverse("explainers:detail", args=[online.slug])).status_code == 200


def test_withdrawal_needs_the_desk_a_note_and_a_publication(reporter, desk):
    draft = make_explainer()
    with pytest.raises(TakedownRefused, match="Nur Veröffentlichtes"):
        withdraw(draft, note="x", user=desk)
    publish(draft)
    with pytest.raises(TakedownRefused):
        withdraw(draft, note="x", user=reporter)
    with pytest.raises(TakedownRefused, match="Hinweis"):
        withdraw(draft, note="  ", user=desk)


def test_a_redacted_passage_is_gone_from_everything_stored(desk, online):
    record = redact(online, passage=SECRET, reason="Einstweilige Verfügung LG Hamburg", user=desk)
    for publication in Publication.objects.filter(explainer=online):
        stored = json.dumps(
            [publication.document, publication.rendered_answers, publication.change_summary,
             publication.change_log, publication.note],
            ensure_ascii=False,
        )  # fmt: skip
        assert SECRET not in stored
        # only the publications that held the passage get a new generation (and new pages)
        assert publication.redaction_generation == (1 if publication.number == 2 else 0)
    assert REDACTED in Publication.objects.get(explainer=online, number=2).note
    assert SECRET.lower() not in stored_texts(revisions_of(online))
    assert SECRET not in json.dumps(document_from_explainer(online), ensure_ascii=False)
    assert not SearchEntry.objects.filter(body__contains=SECRET).exists()
    assert record.replacements >= 4 and record.reason.startswith("Einstweilige")
    assert SECRET not in json.dumps(list(Redaction.objects.values()), default=str)


def test_no_page_revert_or_export_brings_a_redacted_passage_back(client, desk, online, capsys):
    pages = reader_urls(online.slug)[:4] + [reverse("explainers:feed")]
    assert any(SECRET in client.get(url).content.decode() for url in pages)  # cached now
    redact(online, passage=SECRET, reason="Verfügung", user=desk)
    for url in pages:
        assert SECRET not in client.get(url).content.decode(), url
    for revision in revisions_of(online):
        assert SECRET not in json.dumps(document_from_revision(revision), ensure_ascii=False)
        revert_to_revision(online, revision)
        assert SECRET not in json.dumps(document_from_explainer(online), ensure_ascii=False)
    call_command("export_explainer", online.slug, "--version", "2")
    assert SECRET not in capsys.readouterr().out


def test_the_admin_history_and_compare_show_no_redacted_passage(client, desk, online):
    redact(online, passage=SECRET, reason="Verfügung", user=desk)
    client.force_login(desk)
    revisions = list(revisions_of(online))
    pages = [reverse("admin:explainers_explainer_history", args=[online.pk])]
    pages += [
        reverse("admin:explainers_explainer_revision", args=[online.pk, r.pk]) for r in revisions
    ]
    pages.append(
        reverse("admin:explainers_explainer_compare", args=[online.pk])
        + f"?a={revisions[-1].pk}&b={revisions[0].pk}"
    )
    for url in pages:
        assert SECRET not in client.get(url).content.decode(), url


def test_redaction_is_refused_for_reporters_unknown_or_tiny_passages(reporter, desk, online):
    with pytest.raises(TakedownRefused):
        redact(online, passage=SECRET, reason="x", user=reporter)
    with pytest.raises(TakedownRefused, match="kommt im Erklärstück nicht vor"):
        redact(online, passage="Gibt es nirgends", reason="x", user=desk)
    with pytest.raises(TakedownRefused, match="mindestens"):
        redact(online, passage="ab", reason="x", user=desk)
    assert not Redaction.objects.exists()


def test_the_desk_withdraws_and_redacts_in_the_admin_reporters_cannot(
    client, reporter, desk, online
):
    withdraw_url = reverse("admin:explainers_explainer_withdraw", args=[online.pk])
    redact_url = reverse("admin:explainers_explainer_redact", args=[online.pk])
    client.force_login(reporter)
    assert client.post(withdraw_url, {"note": "x"}).status_code == 403
    assert client.post(redact_url, {"passage": SECRET, "reason": "x"}).status_code == 403
    client.force_login(desk)
    assert client.post(redact_url, {"passage": SECRET, "reason": "Verfügung"}).status_code == 302
    assert client.post(withdraw_url, {"note": "Zurückgezogen."}).status_code == 302
    assert client.get(reverse("explainers:detail", args=[online.slug])).status_code == 410

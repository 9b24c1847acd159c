"""Linked translations where they meet their neighbours: the ingest API, redaction, schedules,
withdrawal, catching up, content languages."""

import json

import pytest
from django.urls import reverse

from explainers.domain.api_tokens import make_token
from explainers.domain.builders import document_from_explainer
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision
from explainers.domain.translations import create_translation, free_languages
from explainers.models import Explainer, Question, Translation
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(desk):
    explainer = make_explainer(questions=3, sources=2)
    publish(explainer, user=desk)
    return explainer


def ingest(client, secret, slug, document, base, query=""):
    return client.post(
        reverse("api:revisions", args=[slug]) + query,
        data=json.dumps(document),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IF_MATCH=f'"rev-{base}"',
    )


def test_catch_up_with_a_superscript_digit_is_no_500(client, original, desk):
    translation = create_translation(original, "en", desk)
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_translation_catch_up", args=[translation.pk])
    response = client.post(url, {"number": "²"})
    assert response.status_code == 302


def test_an_ingest_cannot_give_a_translation_its_originals_language(client, original, desk):
    translation = create_translation(original, "en", desk)
    secret = make_token(desk, "Agentur").secret
    document = document_from_explainer(translation)
    document["language"] = "de"
    base = latest_revision(translation).number
    response = ingest(client, secret, translation.slug, document, base)
    translation.refresh_from_db()
    # two German versions of one explainer, and "en" is free again for a second translation
    assert (response.status_code, translation.language) != (201, "de"), free_languages(original)


def test_a_passage_redacted_from_the_original_cannot_come_back_in_its_translation(
    client, original, desk
):
    """The redaction reaches the whole language family (takedown.redact, linked); the
    guard against the passage coming back must too: a name is a name in every language."""
    from explainers.domain.importing import import_document
    from explainers.domain.takedown import redact

    translation = create_translation(original, "en", desk)  # made from v1, before the name
    name = "Der Informant Max Mustermann"
    document = document_from_explainer(Explainer.objects.get(pk=original.pk))
    document["questions"][1]["answer"] = f"{name} hat das gesagt."
    import_document(document, replace=True)
    publish(original, kind="update", note="Neu.", user=desk)
    redact(original, passage=name, reason="Einstweilige Verfügung", user=desk)

    # the agency sends the translation, which still names him, through the ingest API
    secret = make_token(desk, "Agentur").secret
    english = document_from_explainer(Explainer.objects.get(pk=translation.pk))
    english["questions"][1]["answer"] = f"{name} said so."
    response = ingest(
        client,
        secret,
        translation.slug,
        english,
        latest_revision(translation).number,
        query="?publish=first",
    )
    assert response.status_code == 422, response.json()


def test_a_translation_in_a_language_the_settings_later_drop(
    client, settings, monkeypatch, original, desk
):
    translation = create_translation(original, "en", desk)
    publish(translation, user=desk)
    # NEWSROOM_CONTENT_LANGUAGES=de and a restart: the settings and the field's choices
    settings.CONTENT_LANGUAGES = [("de", "Deutsch")]
    monkeypatch.setattr(Explainer._meta.get_field("language"), "choices", [("de", "Deutsch")])
    client.force_login(desk)
    for url in (
        reverse("admin:explainers_explainer_changelist"),
        reverse("admin:explainers_explainer_changelist") + "?translation=outdated",
        reverse("admin:explainers_explainer_change", args=[original.pk]),
        reverse("admin:explainers_explainer_change", args=[translation.pk]),
        reverse("admin:explainers_explainer_translate", args=[original.pk]),
        reverse("explainers:detail", args=[original.slug]),
        reverse("explainers:detail", args=[translation.slug]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_name_in_the_slug_is_redacted_from_every_language_version(client, desk):
    from explainers.domain.takedown import redact

    original = make_explainer(questions=2, sources=1, slug="was-max-mustermann-sagte",
                              headline="Was Max Mustermann sagte")  # fmt: skip
    publish(original, user=desk)
    translation = create_translation(original, "en", desk)
    publish(translation, user=desk)
    redact(original, passage="Max Mustermann", reason="Verfügung", user=desk)
    original.refresh_from_db()
    translation.refresh_from_db()
    assert "mustermann" not in original.slug and "mustermann" not in translation.slug
    for explainer in (original, translation):
        page = client.get(reverse("explainers:detail", args=[explainer.slug]))
        assert page.status_code == 200, (explainer.slug, page.status_code)
        assert b"mustermann" not in page.content.lower(), explainer.slug
    for old in ("was-max-mustermann-sagte", "was-max-mustermann-sagte-en"):
        assert client.get(reverse("explainers:detail", args=[old])).status_code in (404, 410), old


def test_the_panel_says_when_the_original_is_withdrawn(client, original, desk):
    from explainers.domain.takedown import withdraw

    translation = create_translation(original, "en", desk)
    withdraw(original, note="Zurückgezogen.", user=desk)
    client.force_login(desk)
    page = client.get(reverse("admin:explainers_explainer_change", args=[translation.pk]))
    assert "Das Original ist zurzeit nicht veröffentlicht." in page.content.decode()


def test_an_outdated_translation_stays_outdated_on_its_page_when_the_original_is_withdrawn(
    client, original, desk
):
    """The list, the filter and the change page say the same (found by the stateful model)."""
    from explainers.domain.takedown import withdraw

    translation = create_translation(original, "en", desk)
    Question.objects.filter(explainer=original, position=1).update(answer="Neue Lage.")
    publish(original, kind="update", note="Neue Lage.", user=desk)
    withdraw(original, note="Zurückgezogen.", user=desk)
    client.force_login(desk)
    page = client.get(reverse("admin:explainers_explainer_change", args=[translation.pk]))
    html = page.content.decode()
    assert "Übersetzung veraltet" in html
    assert "Das Original ist zurzeit nicht veröffentlicht." in html
    assert "Als aktuell markieren" not in html  # nothing to catch up with
    listing = client.get(reverse("admin:explainers_explainer_changelist") + "?translation=outdated")
    assert translation.headline in listing.content.decode()


def test_a_scheduled_translation_is_published_with_the_link_of_its_frozen_text(original, desk):
    """A schedule freezes a revision; the desk's link moved on (catch_up) after it was made.
    The publication must say which original version its text corresponds to, not the
    working copy's."""
    import datetime

    from django.utils import timezone

    from explainers.domain.importing import import_document
    from explainers.domain.scheduling import publish_due, schedule
    from explainers.domain.translations import catch_up, newer_source_publications

    translation = create_translation(original, "en", desk)
    first = Translation.objects.get(explainer=translation).source_publication
    schedule(translation, publish_at=timezone.now() + datetime.timedelta(hours=1), user=desk)
    # the original publishes an update; the translator follows it in the working copy
    document = document_from_explainer(Explainer.objects.get(pk=original.pk))
    document["questions"][1]["answer"] = "Neue Lage im Original."
    import_document(document, replace=True)
    second = publish(original, kind="update", note="Neu.", user=desk)
    english = document_from_explainer(Explainer.objects.get(pk=translation.pk))
    english["questions"][1]["answer"] = "The new situation."
    import_document(english, replace=True)
    catch_up(Translation.objects.get(explainer=translation), second, desk)

    [outcome] = publish_due(timezone.now() + datetime.timedelta(hours=2))
    published = outcome.published
    assert "The new situation." not in str(published.document)  # the frozen, older text
    assert published.source_publication == first, published.source_publication.number
    assert newer_source_publications(published.source_publication).exists()  # readers warned


def test_a_stale_ingest_into_a_translation_keeps_the_originals_keys(client, original, desk):
    from explainers.domain.importing import import_document

    translation = create_translation(original, "en", desk)
    keys = list(translation.questions.values_list("key", flat=True))
    base = latest_revision(translation).number
    saved = document_from_explainer(Explainer.objects.get(pk=translation.pk))
    saved["kicker"] = "War in Ukraine"  # the desk's save since the base
    import_document(saved, replace=True)
    english = document_from_explainer(Explainer.objects.get(pk=translation.pk))
    english["kicker"] = document_from_explainer(original)["kicker"]
    for n, question in enumerate(english["questions"], start=1):
        del question["key"]
        question["anchor"] = f"question-{n}"
        question["question"] = f"What is question {n}?"
        question["answer"] = f"The answer to question {n}." + (" [^quelle-1]" if n == 1 else "")
    secret = make_token(desk, "Agentur").secret
    response = ingest(client, secret, translation.slug, english, base)
    assert response.status_code == 201, response.json()
    assert response.json()["merged_from"] == base
    assert list(translation.questions.values_list("key", flat=True)) == keys
    assert Explainer.objects.get(pk=translation.pk).kicker == "War in Ukraine"


def test_a_stale_ingest_into_a_translation_with_a_desk_fix_names_the_right_conflict(
    client, original, desk
):
    from explainers.domain.importing import import_document

    translation = create_translation(original, "en", desk)
    base = latest_revision(translation).number
    saved = document_from_explainer(Explainer.objects.get(pk=translation.pk))
    saved["questions"][2]["answer"] = "Desk fix of answer 3."
    import_document(saved, replace=True)
    english = document_from_explainer(Explainer.objects.get(pk=translation.pk))
    for n, question in enumerate(english["questions"], start=1):
        del question["key"]
        question["anchor"] = f"question-{n}"
        question["question"] = f"What is question {n}?"
        question["answer"] = f"The answer to question {n}." + (" [^quelle-1]" if n == 1 else "")
    secret = make_token(desk, "Agentur").secret
    response = ingest(client, secret, translation.slug, english, base)
    body = response.json()
    # the body changed the answer of question 3 and the desk did too: one answer conflict,
    # not "deleted here, changed since" (the body deletes no question)
    assert response.status_code == 409, body
    assert [c["field"] for c in body["conflicts"]] == ["answer"], body["conflicts"]


@pytest.mark.parametrize("redacted_in", ["original", "translation", "sibling"])
def test_publishing_any_language_version_refuses_a_passage_redacted_from_another(
    settings, monkeypatch, original, desk, redacted_in
):
    """publish() looks at the whole family's redactions when the explainer has language
    versions (and only at its own when it has none): the passage written back into a
    working copy by hand, past every form, is still refused."""
    from explainers.domain.publishing import PublishRefused
    from explainers.domain.takedown import redact

    languages = [("de", "Deutsch"), ("en", "English"), ("fr", "Français")]
    settings.CONTENT_LANGUAGES = languages
    monkeypatch.setattr(Explainer._meta.get_field("language"), "choices", languages)
    english = create_translation(original, "en", desk)
    french = create_translation(original, "fr", desk)
    versions = {"original": original, "translation": english, "sibling": french}
    target = {"original": english, "translation": original, "sibling": english}[redacted_in]
    name = "Die Informantin Erika Musterfrau"
    Question.objects.filter(explainer=versions[redacted_in]).update(answer=f"{name} sagte es.")
    redact(versions[redacted_in], passage=name, reason="Einstweilige Verfügung", user=desk)
    Question.objects.filter(explainer=target).update(answer=f"{name} said so.")
    with pytest.raises(PublishRefused, match="geschwärzt"):
        publish(target, kind="update", note="Neu.", user=desk)


def test_an_explainer_without_language_versions_still_refuses_its_own_redacted_passage(desk):
    from explainers.domain.publishing import PublishRefused
    from explainers.domain.takedown import redact

    explainer = make_explainer(questions=2, sources=1)
    name = "Der Informant Max Mustermann"
    Question.objects.filter(explainer=explainer).update(answer=f"{name} sagte es.")
    publish(explainer, user=desk)
    redact(explainer, passage=name, reason="Einstweilige Verfügung", user=desk)
    Question.objects.filter(explainer=explainer).update(answer=f"{name} sagte es wieder.")
    with pytest.raises(PublishRefused, match="geschwärzt"):
        publish(explainer, kind="update", note="Neu.", user=desk)

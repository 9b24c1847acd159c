"""Linked translations on the reader pages: the language versions link each other (hreflang
alternates and visible links), an outdated translation tells its readers in its own
language, and each side's page follows the other side's publications: Last-Modified, ETag,
held pages, the purge and the bake."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from explainers.domain.publishing import publish
from explainers.domain.takedown import withdraw
from explainers.models import CurrentPublication, Explainer, Publication, Question, Translation
from explainers.reader import held_responses
from explainers.reader.translations import linked_explainers
from tests.factories import make_explainer
from tests.test_bake import bake, differing_from_dynamic, site  # noqa: F401 - fixtures
from tests.test_purge import banned, cache_in_front  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

NOTE_DE = (
    "Diese Übersetzung entspricht Fassung v{n} des Originals vom {date}; "
    "das Original wurde seitdem aktualisiert."
)
NOTE_EN = (
    "This translation corresponds to version {n} of the original of {date}; "
    "the original has been updated since."
)


def page(slug: str) -> str:
    return reverse("explainers:detail", args=[slug])


def html_of(client, slug: str, **headers) -> str:
    response = client.get(page(slug), **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def current_publication(explainer) -> Publication:
    return CurrentPublication.objects.get(explainer=explainer).publication


def original(slug="original", language="de", **overrides) -> Explainer:
    explainer = make_explainer(slug=slug, language=language, **overrides)
    publish(explainer)
    return explainer


def translation_of(source, *, slug="translation", language="en", publish_it=True):
    """A translation of `source`'s current publication, as the desk links it."""
    explainer = make_explainer(slug=slug, language=language, headline=f"Übersetzt {slug}")
    Translation.objects.create(
        explainer=explainer, source=source, source_publication=current_publication(source)
    )
    if publish_it:
        publish_translation(explainer, source)
    return explainer


def publish_translation(explainer, source, **options) -> Publication:
    """Publish the translation as corresponding to `source`'s current publication."""
    source_publication = current_publication(source)
    Translation.objects.filter(explainer=explainer).update(source_publication=source_publication)
    if Publication.objects.filter(explainer=explainer).exists():
        change(explainer, f"Nachübersetzt nach v{source_publication.number}.")
    publication = publish(explainer, **options)
    Publication.objects.filter(pk=publication.pk).update(source_publication=source_publication)
    return publication


def change(explainer, answer: str) -> None:
    Question.objects.filter(explainer=explainer, position=1).update(answer=answer)


def revise(explainer, kind="update", note="Neue Lage.", answer="Neue Antwort.") -> Publication:
    change(explainer, f"{answer} {kind}")
    return publish(explainer, kind=kind, note=note)


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def language_links(html: str) -> list[tuple[str, str, str, str]]:
    nav = re.search(r'<nav class="language-versions".*?</nav>', html, re.S)
    if nav is None:
        return []
    return re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" lang="([^"]+)">([^<]+)</a>', nav[0])


def note_of(html: str) -> str | None:
    found = re.search(r'<p class="notice notice--translation"[^>]*>(.*?)</p>', html, re.S)
    return " ".join(found[1].split()) if found else None


def day(moment, language: str) -> str:
    with translation.override(language):
        return formats.date_format(moment.astimezone(), "DATE_FORMAT")


# Linking the language versions


def test_original_and_translation_carry_hreflang_alternates_for_both_with_x_default(client):
    source = original()
    translation_of(source)
    both = {
        "de": "http://testserver/explainers/original/",
        "en": "http://testserver/explainers/translation/",
        "x-default": "http://testserver/explainers/original/",
    }
    assert alternates(html_of(client, "original")) == both
    assert alternates(html_of(client, "translation")) == both


def test_each_language_version_links_the_others_in_their_own_language(client):
    source = original()
    translation_of(source)
    on_original = html_of(client, "original")
    assert language_links(on_original) == [("/explainers/translation/", "en", "en", "English")]
    assert 'lang="de" aria-label="Sprachfassungen"' in on_original
    on_translation = html_of(client, "translation")
    assert language_links(on_translation) == [("/explainers/original/", "de", "de", "Deutsch")]
    assert '<nav class="language-versions" lang="en"' in on_translation


def test_an_explainer_without_public_translations_links_no_language_version(client):
    source = original()
    translation_of(source, publish_it=False)  # linked at the desk, never published
    html = html_of(client, "original")
    assert alternates(html) == {} and language_links(html) == []
    assert client.get(page("translation")).status_code == 404


def test_a_withdrawn_side_is_not_linked(client):
    source = original()
    translated = translation_of(source)
    withdraw(translated, note="Zurückgezogen.")
    html = html_of(client, "original")
    assert alternates(html) == {} and language_links(html) == []
    publish_translation(translated, source, note="Wieder da.")
    assert alternates(html_of(client, "original"))["en"].endswith("/translation/")
    revise(source)
    withdraw(source, note="Zurückgezogen.")
    html = html_of(client, "translation")
    assert alternates(html) == {} and language_links(html) == [] and note_of(html) is None


def test_an_older_version_page_of_a_translation_shows_neither_links_nor_note(client):
    source = original()
    translated = translation_of(source)
    publish_translation(translated, source, note="Nachgebessert.")
    revise(source)
    older = client.get(reverse("explainers:version", args=["translation", 1])).content.decode()
    assert alternates(older) == {} and note_of(older) is None
    current = client.get(reverse("explainers:version", args=["translation", 2])).content.decode()
    assert alternates(current)["de"].endswith("/original/") and note_of(current)


# The outdated note


def test_an_update_of_the_original_makes_a_german_translation_say_so_in_german(client):
    source = original(slug="original", language="en")
    translated = translation_of(source, slug="uebersetzung", language="de")
    assert note_of(html_of(client, "uebersetzung")) is None
    first = current_publication(source)
    revise(source, kind="update")
    html = html_of(client, "uebersetzung", HTTP_ACCEPT_LANGUAGE="en")  # an English reader
    expected = NOTE_DE.format(n=1, date=day(first.published_at, "de"))
    assert note_of(html).startswith(expected)
    assert re.search(
        r'<p class="notice notice--translation" role="note" lang="de">.*?'
        r'<a href="/explainers/original/diff/1..2/" hreflang="en">',
        html, re.S,
    )  # fmt: skip
    assert translated.pk in linked_explainers(source.pk)


def test_the_note_on_an_english_translation_is_written_in_english(client):
    source = original()
    translation_of(source)
    first = current_publication(source)
    revise(source, kind="correction", note="Zahl korrigiert.")
    html = html_of(client, "translation", HTTP_ACCEPT_LANGUAGE="de")  # a German reader
    assert '<p class="notice notice--translation" role="note" lang="en">' in html
    assert day(first.published_at, "en") in note_of(html)  # "December 7, 2026"


def test_the_english_note_reads_in_english(client):
    source = original()
    translation_of(source)
    first = current_publication(source)
    revise(source, kind="clarification", note="Klarer gesagt.")
    note = note_of(html_of(client, "translation"))
    assert note.startswith(NOTE_EN.format(n=1, date=day(first.published_at, "en")))
    assert "See what changed in the original" in note


def test_a_minor_fix_of_the_original_does_not_outdate_the_translation(client):
    source = original()
    translation_of(source)
    revise(source, kind="minor", note="")
    assert note_of(html_of(client, "translation")) is None
    revise(source, kind="clarification", note="Klarer gesagt.")
    html = html_of(client, "translation")
    assert note_of(html) and 'href="/explainers/original/diff/1..3/"' in html


def test_the_note_is_cleared_when_the_translation_publishes_the_latest_version(client):
    source = original()
    translated = translation_of(source)
    revise(source, kind="update")
    revise(source, kind="minor", note="")
    assert note_of(html_of(client, "translation"))
    publish_translation(translated, source, note="Nachgezogen.")  # corresponds to v3
    assert note_of(html_of(client, "translation")) is None
    revise(source, kind="update", answer="Noch neuer.")
    html = html_of(client, "translation")
    assert NOTE_EN.format(n=3, date="")[:40] in note_of(html)  # the translation is English
    assert 'href="/explainers/original/diff/3..4/"' in html


def test_note_and_links_stay_out_of_the_stored_article(client):
    source = original()
    translated = translation_of(source)
    revise(source)
    html_of(client, "translation")
    stored = current_publication(translated).article_bodies
    assert stored and all(
        "notice--translation" not in body["html"] and "language-versions" not in body["html"]
        for body in stored.values()
    )


# Each side follows the other


def test_publishing_the_original_moves_the_translations_etag_and_last_modified(client):
    source = original()
    translation_of(source)
    before = client.get(page("translation"))
    assert client.get(page("translation"), HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    revise(source)
    after = client.get(page("translation"), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and note_of(after.content.decode())
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]
    since = client.get(page("translation"), HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert since.status_code == 200


def test_a_withdrawal_of_the_translation_moves_the_originals_last_modified(client):
    source = original()
    translated = translation_of(source)
    before = client.get(page("original"))
    withdraw(translated, note="Zurückgezogen.")
    after = client.get(page("original"), HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200 and language_links(after.content.decode()) == []


def test_a_held_translation_page_is_dropped_when_the_original_publishes(client, settings):
    settings.READER_CACHE = True
    source = original()
    translation_of(source)
    held_responses.clear()
    html_of(client, "translation")
    assert held_responses.held_bytes() > 0
    revise(source)
    assert note_of(html_of(client, "translation"))


def test_the_purge_of_one_side_bans_the_pages_of_the_other(
    cache_in_front,  # noqa: F811 - the fixture imported above
    desk,
    django_capture_on_commit_callbacks,
):
    source = original()
    translated = translation_of(source)
    other = original(slug="anderes")
    cache_in_front.clear()
    with django_capture_on_commit_callbacks(execute=True):
        revise(source)
    (expression,) = cache_in_front
    assert banned(expression, "/explainers/translation/")
    assert banned(expression, "/explainers/translation/v1/")
    assert not banned(expression, "/explainers/anderes/")
    cache_in_front.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish_translation(translated, source, note="Nachgezogen.")
    (expression,) = cache_in_front
    assert banned(expression, "/explainers/original/")
    assert not banned(expression, f"/explainers/{other.slug}/")


def test_the_bake_rewrites_the_other_sides_page(
    site,  # noqa: F811 - the fixture imported above
    desk,
    tmp_path,
    settings,
    django_capture_on_commit_callbacks,
):
    source = original()
    translated = translation_of(source)
    output = tmp_path / "bake"
    bake(output)
    settings.BAKE_DIR = str(output)
    baked = output / "public" / "explainers" / "translation" / "index.html"
    assert note_of(baked.read_text()) is None
    with django_capture_on_commit_callbacks(execute=True):
        revise(source)
    assert note_of(baked.read_text())
    with django_capture_on_commit_callbacks(execute=True):
        publish_translation(translated, source, note="Nachgezogen.", user=desk)
    assert note_of(baked.read_text()) is None
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(translated, note="Zurückgezogen.")
    on_original = (output / "public" / "explainers" / "original" / "index.html").read_text()
    assert language_links(on_original) == []
    assert differing_from_dynamic(output / "public") == {}


# Cost


def warm_queries(client, slug: str) -> int:
    html_of(client, slug)  # stores the article
    held_responses.clear()
    with CaptureQueriesContext(connection) as queries:
        html_of(client, slug)
    return len(queries)


def test_language_versions_cost_no_query_without_translations_and_one_with_them(client):
    alone = warm_queries(client, original(slug="allein").slug)
    source = original()
    translation_of(source)
    assert warm_queries(client, "original") == alone + 1
    assert warm_queries(client, "translation") == alone + 1
    translation_of(source, slug="zweite", language="en")  # more translations, same count
    assert warm_queries(client, "original") == alone + 1
    revise(source)
    assert warm_queries(client, "translation") == alone + 2  # the note's rule
    assert alone == 1  # the current publication with its stored article, nothing more


def test_a_content_language_the_interface_does_not_speak_gets_its_note_in_english():
    from django.template.loader import render_to_string

    from explainers.reader.translations import OutdatedNote, text_language

    assert (text_language("de"), text_language("en"), text_language("fr")) == ("de", "en", "en")
    note = OutdatedNote(
        language="fr",
        number=3,
        published_at=timezone.now(),
        diff_path="/x/",
        original_language="de",
    )
    html = render_to_string("explainers/_translation_note.html", {"note": note})
    assert 'lang="en"' in html and "This translation corresponds to version 3" in html
    nav = render_to_string(
        "explainers/_language_versions.html",
        {"versions": _FakeVersions(), "language": "fr"},
    )
    assert 'lang="en"' in nav and "This page in:" in nav


class _FakeVersions:
    others = [type("V", (), {"path": "/explainers/a/", "language": "de", "name": "Deutsch"})()]

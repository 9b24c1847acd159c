"""A publication's article is rendered once and stored: readers get the stored body while
it still holds, a redaction takes it away in its own transaction, and `rerender` renews
what a new release left behind."""

import io

import pytest
from django.core.management import CommandError, call_command

from explainers.domain.publishing import publish
from explainers.domain.takedown import redact
from explainers.models import Explainer, Publication, Question
from explainers.reader import held_responses
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

SECRET = "Kontonummer 1234"


def page(client, explainer, *, language="de") -> str:
    held_responses.clear()
    response = client.get(f"/explainers/{explainer.slug}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def set_stored(explainer, **changes) -> None:
    for publication in Publication.objects.filter(explainer=explainer):
        bodies = publication.article_bodies
        for entry in bodies.values():
            entry.update(changes)
        Publication.objects.filter(pk=publication.pk).update(article_bodies=bodies)


def stored_html() -> list[str]:
    return [
        entry["html"]
        for bodies in Publication.objects.values_list("article_bodies", flat=True)
        for entry in bodies.values()
    ]


def published(desk, **overrides) -> Explainer:
    explainer = make_explainer(**overrides)
    publish(explainer, user=desk)
    return explainer


def test_publishing_stores_the_article_in_the_site_language(
    desk, django_capture_on_commit_callbacks
):
    explainer = make_explainer()
    with django_capture_on_commit_callbacks(execute=True):
        publication = publish(explainer, user=desk)
    publication.refresh_from_db()
    assert set(publication.article_bodies) == {"de"}
    assert explainer.headline in publication.article_bodies["de"]["html"]


def test_readers_get_the_stored_article(client, desk, settings):
    explainer = published(desk)
    page(client, explainer)
    set_stored(explainer, html="<article>Gespeicherter Artikel</article>")
    assert "Gespeicherter Artikel" in page(client, explainer)


def test_an_article_of_another_release_is_rendered_again(client, desk, settings):
    explainer = published(desk)
    page(client, explainer)
    set_stored(explainer, html="<article>Alter Artikel</article>", release="alt")
    text = page(client, explainer)
    assert "Alter Artikel" not in text and explainer.headline in text
    stored = Publication.objects.get(explainer=explainer).article_bodies["de"]
    assert stored["release"] == settings.RELEASE  # stored for the next reader


def test_an_article_stored_before_media_moved_is_rendered_again(client, desk, settings):
    explainer = published(desk)
    page(client, explainer)
    set_stored(explainer, html="<article>Bilder unter /media/</article>")
    settings.MEDIA_URL = "https://medien.example.org/"  # media moved (docs/operations.md)
    text = page(client, explainer)
    assert "Bilder unter /media/" not in text and explainer.headline in text


def test_a_renamed_explainer_links_its_versions_under_the_new_name(client, desk):
    explainer = published(desk, slug="alter-name")
    assert "/explainers/alter-name/versions/" in page(client, explainer)
    Explainer.objects.filter(pk=explainer.pk).update(slug="neuer-name")
    explainer.refresh_from_db()
    publish(explainer, note="Umbenannt.", user=desk)
    v1 = client.get("/explainers/neuer-name/v1/").content.decode()
    assert "/explainers/neuer-name/versions/" in v1
    assert "/explainers/alter-name/versions/" not in v1


def test_a_redaction_removes_the_stored_articles_with_the_passage(client, desk):
    explainer = published(desk)
    Question.objects.filter(explainer=explainer, position=1).update(answer=f"Es gilt {SECRET}.")
    publish(explainer, note="Ergänzt.", user=desk)
    client.get(f"/explainers/{explainer.slug}/v1/")
    assert SECRET in page(client, explainer)
    assert any(SECRET in html for html in stored_html())

    redact(explainer, passage=SECRET, reason="Einstweilige Verfügung", user=desk)
    assert not any(SECRET in html for html in stored_html())
    assert SECRET not in page(client, explainer)


def test_rerender_renews_what_an_older_release_left_and_nothing_else(client, desk, settings):
    first, second = published(desk), published(desk)
    page(client, first)
    page(client, first, language="en")
    page(client, second)
    set_stored(first, html="alt", release="alt")
    out = io.StringIO()
    call_command("rerender", stdout=out)
    # first in both languages, second in English (a language readers have asked for)
    assert out.getvalue().startswith("3 Artikel neu gerendert")
    assert "alt" not in stored_html()
    assert sum("en" in p.article_bodies for p in Publication.objects.all()) == 2
    call_command("rerender", stdout=out)
    assert "0 Artikel neu gerendert" in out.getvalue()


def test_rerender_refuses_an_unknown_language():
    with pytest.raises(CommandError, match="Unbekannte Sprache: xx"):
        call_command("rerender", language=["xx"])

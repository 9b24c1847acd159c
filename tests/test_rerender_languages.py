"""`manage.py rerender` renders every public publication in every language an article is
stored in, and reads each publication's stored articles once."""

import io

import pytest
from django.core.management import call_command
from django.db.models import JSONField

from explainers.domain.publishing import publish
from explainers.models import Publication
from explainers.reader import article_bodies
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def published(desk):
    explainer = make_explainer()
    publish(explainer, user=desk)
    return Publication.objects.get(explainer=explainer)


def stored_as(publication, *languages, release="alt"):
    bodies = {
        language: {"html": "alt", "release": release, "generation": 0, "slug": "alt"}
        for language in languages
    }
    Publication.objects.filter(pk=publication.pk).update(article_bodies=bodies)


def languages_of(publication) -> set[str]:
    publication.refresh_from_db()
    return set(publication.article_bodies)


@pytest.fixture
def decoded_articles(monkeypatch):
    """How often a publication's stored articles were decoded from the database."""
    decoded = []
    original = JSONField.from_db_value

    def counting(self, value, expression, connection):
        result = original(self, value, expression, connection)
        if isinstance(result, dict) and any(
            isinstance(entry, dict) and "html" in entry for entry in result.values()
        ):
            decoded.append(result)
        return result

    monkeypatch.setattr(JSONField, "from_db_value", counting)
    return decoded


def test_a_language_stored_only_on_a_later_publication_is_rendered_for_the_earlier_ones(desk):
    first, second = published(desk), published(desk)
    stored_as(first, "de")
    stored_as(second, "de", "en")
    out = io.StringIO()
    call_command("rerender", stdout=out)
    assert out.getvalue().startswith("4 Artikel neu gerendert")
    assert languages_of(first) == languages_of(second) == {"de", "en"}
    assert "alt" not in [entry["html"] for entry in first.article_bodies.values()]


def test_the_site_language_is_rendered_even_where_no_article_is_stored(desk):
    publication = published(desk)
    stored_as(publication, "en")
    assert article_bodies.rerender() == 2
    assert languages_of(publication) == {"de", "en"}


def test_rerender_reads_each_publication_s_stored_articles_once(desk, decoded_articles):
    publications = [published(desk) for _ in range(3)]
    for publication in publications:
        stored_as(publication, "de", "en")
    decoded_articles.clear()
    assert article_bodies.rerender() == 6
    assert len(decoded_articles) == len(publications)


def test_rerender_in_one_language_reads_each_publication_s_stored_articles_once(
    desk, decoded_articles
):
    publications = [published(desk) for _ in range(2)]
    for publication in publications:
        stored_as(publication, "de", "en")
    decoded_articles.clear()
    assert article_bodies.rerender(everything=True, languages=["en"]) == 2
    assert len(decoded_articles) == len(publications)

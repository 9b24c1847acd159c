"""One presenter of a document (explainers/reader/presenting.py): the reader page, the
preview, the publish form and the admin's revision page show questions and sources alike."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html as lxml_html
from PIL import Image

from explainers.domain.publishing import publish
from explainers.domain.revisions import revisions_of
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def shown_parts(html: str) -> list[str]:
    """Each question section and the source list, as markup."""
    tree = lxml_html.fromstring(html)
    parts = tree.xpath("//nav[@class='toc'] | //section[@class='question' or @class='sources']")
    return [lxml_html.tostring(part, encoding="unicode", with_tail=False) for part in parts]


def revision_page(explainer, revision) -> str:
    return reverse("admin:explainers_explainer_revision", args=[explainer.pk, revision.pk])


def test_readers_the_preview_and_the_desk_see_questions_and_sources_alike(client, desk):
    explainer = make_explainer(sources=3)  # source 1 is dated and cited by question 1
    client.force_login(desk)
    publish_form = page(client, reverse("admin:explainers_explainer_publish", args=[explainer.pk]))
    preview = page(client, reverse("explainers:preview", args=[explainer.slug]))
    publication = publish(explainer)
    reader = page(client, reverse("explainers:detail", args=[explainer.slug]))
    revision = page(client, revision_page(explainer, publication.revision))

    assert len(shown_parts(reader)) == 1 + 3 + 1  # the questions' list, 3 questions, sources
    assert shown_parts(preview) == shown_parts(reader)
    without_list = shown_parts(reader)[1:]  # the desk's pages list no questions to jump to
    assert shown_parts(revision) == without_list
    assert shown_parts(publish_form) == without_list


def test_the_desk_sees_a_sources_date_number_and_citing_question_as_readers_do(client, desk):
    explainer = make_explainer(sources=2)  # never published: the desk's view alone
    client.force_login(desk)
    tree = lxml_html.fromstring(page(client, revision_page(explainer, revisions_of(explainer)[0])))
    [dated] = tree.xpath("//section[@class='sources']//li[@id='quelle-1']")
    [when] = dated.findall("time")
    assert (when.get("datetime"), when.text) == ("2025-08-17", "17. August 2025")
    assert "2025-08-17" not in dated.text_content()  # the reader's format, not the ISO date
    assert "(Artikel)" in dated.text_content()
    [cited_in] = dated.xpath(".//span[@class='cited-by']/a")
    question = explainer.questions.get(position=1).question
    assert cited_in.get("href") == "#frage-1" and cited_in.text_content() == question
    [footnote] = tree.xpath("//section[@id='frage-1']//a[@href='#quelle-1']")
    assert footnote.text_content().strip("[]") == "1"
    keys = tree.xpath("//article[@class='explainer-document']/p[@class='help']/code/text()")
    assert keys == [explainer.slug, "quelle-1", "quelle-2"]  # what only the desk needs


def test_the_desk_sees_a_revisions_lead_image_as_the_smallest_size_readers_get(
    client, desk, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "bilder").mkdir()
    Image.new("RGB", (1200, 600), "blue").save(tmp_path / "bilder" / "karte.png")
    image = {"src": "bilder/karte.png", "alt": "Karte", "caption": "Die Lage.", "credit": "dpa"}
    explainer = make_explainer(image=image)
    client.force_login(desk)
    publication = publish(explainer)
    reader = lxml_html.fromstring(page(client, reverse("explainers:detail", args=[explainer.slug])))
    smallest = reader.find(".//figure/img").get("srcset").split(",")[0].split()[0]
    desk_view = lxml_html.fromstring(page(client, revision_page(explainer, publication.revision)))
    [thumbnail] = desk_view.xpath("//img[@class='lead-image-thumbnail']")
    assert (thumbnail.get("src"), thumbnail.get("alt")) == (smallest, "Karte")
    caption = desk_view.find(".//figure/figcaption").text_content()
    assert "bilder/karte.png" in caption and "Die Lage." in caption and "dpa" in caption

"""The front page shows each explainer's lead image small, from the renditions made at upload:
the smallest stored size with its width and height (no jump when it loads), alt="" because the
headline stands beside it, loaded lazily; an explainer without an image gets no picture box."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html
from PIL import Image

from explainers.domain.publishing import publish
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def with_uploaded_image(client, explainer, size: tuple[int, int]) -> None:
    image = Image.new("RGB", size, "blue")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    data = encode(change_form_data(explainer)) | {"image_alt": "Karte der Ukraine"}
    data["image"] = SimpleUploadedFile("karte.png", buffer.getvalue(), content_type="image/png")
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    assert client.post(change, data).status_code == 302
    explainer.refresh_from_db()


def cards(client) -> dict[str, lxml_html.HtmlElement]:
    page = lxml_html.fromstring(client.get(reverse("explainers:index")).content.decode())
    return {card.findtext(".//h2/a"): card for card in page.findall(".//li[@class]")}


def test_the_index_shows_the_smallest_rendition_with_its_size_beside_the_headline(
    client, desk, media
):
    explainer = make_explainer(headline="Mit Karte")
    client.force_login(desk)
    with_uploaded_image(client, explainer, (1200, 600))
    publish(explainer)
    client.logout()

    img = cards(client)["Mit Karte"].find(".//img")
    name = Path(explainer.image.name)
    src = f"/media/{name.parent}/renditions/{name.stem}-480w.png"
    assert img.get("src") == src and (media / src.removeprefix("/media/")).is_file()
    assert (img.get("width"), img.get("height")) == ("480", "240")
    assert img.get("alt") == "" and img.get("loading") == "lazy"
    with Image.open(media / src.removeprefix("/media/")) as stored:
        assert stored.size == (480, 240)  # the sizes the page states are the file's


def test_an_image_narrower_than_every_rendition_is_shown_as_it_is(client, desk, media):
    explainer = make_explainer(headline="Kleines Bild")
    client.force_login(desk)
    with_uploaded_image(client, explainer, (300, 200))
    publish(explainer)
    client.logout()

    img = cards(client)["Kleines Bild"].find(".//img")
    assert img.get("src") == f"/media/{explainer.image.name}"
    assert (img.get("width"), img.get("height")) == ("300", "200")


def test_an_explainer_without_an_image_gets_no_picture_and_no_empty_box(client):
    publish(make_explainer(headline="Ohne Bild"))
    card = cards(client)["Ohne Bild"]
    assert card.find(".//img") is None
    assert "teaser-card--with-image" not in card.get("class")


def test_an_image_published_before_sizes_were_recorded_shows_the_original_without_sizes(client):
    publish(make_explainer(headline="Altes Bild", image={"src": "bilder/alt.jpg", "alt": "Alt"}))
    img = cards(client)["Altes Bild"].find(".//img")
    assert img.get("src") == "/media/bilder/alt.jpg" and img.get("alt") == ""
    assert img.get("width") is None and img.get("height") is None


def test_thumbnails_cost_no_query(client, desk, media):
    publish(make_explainer(headline="Ohne Bild"))
    with CaptureQueriesContext(connection) as without_images:
        client.get(reverse("explainers:index"))
    explainer = make_explainer(headline="Mit Karte")
    client.force_login(desk)
    with_uploaded_image(client, explainer, (1200, 600))
    publish(explainer)
    client.logout()
    with CaptureQueriesContext(connection) as with_images:
        html = client.get(reverse("explainers:index")).content.decode()
    assert "-480w.png" in html
    assert len(with_images) == len(without_images)

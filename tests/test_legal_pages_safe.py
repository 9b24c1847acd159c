"""Impressum and Datenschutz: the desk edits title and text, and neither can do more than
show text on the page."""

import importlib

import pytest
from django.apps import apps
from django.contrib.flatpages.models import FlatPage
from django.urls import reverse

from tests.e2e.conftest import ensure_legal_pages

pytestmark = pytest.mark.django_db

REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">Impressum'


@pytest.fixture
def impressum():
    ensure_legal_pages()
    return FlatPage.objects.get(url="/impressum/")


def test_a_title_with_markup_is_shown_as_text(client, impressum):
    FlatPage.objects.filter(pk=impressum.pk).update(title=REFRESH)
    html = client.get("/impressum/").content.decode()
    assert '<meta http-equiv="refresh"' not in html
    assert "&lt;meta http-equiv=&quot;refresh&quot;" in html


def test_the_desk_edits_only_title_and_text_not_the_template(client, desk, impressum):
    client.force_login(desk)
    url = reverse("admin:flatpages_flatpage_change", args=[impressum.pk])
    page = client.get(url).content.decode()
    assert 'name="template_name"' not in page and 'name="url"' not in page
    response = client.post(
        url,
        {
            "title": "Impressum",
            "content": "<p>Verlag</p>",
            "template_name": "admin/login.html",
            "url": "/admin/",
        },
    )
    assert response.status_code == 302
    impressum.refresh_from_db()
    assert (impressum.url, impressum.template_name, impressum.content) == (
        "/impressum/",
        "",
        "<p>Verlag</p>",
    )
    assert client.get("/impressum/").status_code == 200
    assert client.get(reverse("admin:flatpages_flatpage_add")).status_code == 403


def test_a_stored_template_is_cleared_by_the_migration(client, impressum):
    FlatPage.objects.filter(pk=impressum.pk).update(template_name="admin/login.html")
    migration = importlib.import_module("explainers.migrations.0012_legal_pages_plain_template")
    migration.clear_templates(apps, None)
    impressum.refresh_from_db()
    assert impressum.template_name == ""
    assert "Impressum" in client.get("/impressum/").content.decode()

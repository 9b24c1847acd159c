"""One public address for every absolute URL: feeds, sitemap, canonical links, JSON-LD,
robots.txt, "view on site" and the bake say PUBLIC_BASE_URL (or, in development, the
host the request came to), never the Sites row's http://localhost/. Feed ids are `tag:`
URIs that stay when the address moves."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import feedparser
import pytest
from django.conf import settings as django_settings
from django.contrib.flatpages.models import FlatPage
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from explainers import checks
from explainers.domain import public_urls
from explainers.domain.publishing import publish
from explainers.domain.takedown import withdraw
from explainers.reader import held_responses
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db

PUBLIC = "https://explainers.example.org"
OTHER_HOST = "news.example.org"


@pytest.fixture
def public(settings):
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["explainers.example.org", OTHER_HOST, "testserver"]
    return PUBLIC


@pytest.fixture
def explainer(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    explainer = make_explainer(slug="sicherheitsgarantien")
    explainer.image, explainer.image_alt = "karte.png", "Karte"
    explainer.save()
    publish(explainer)
    explainer.refresh_from_db()
    return explainer


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def absolute_urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"<>']+", text)) - {
        "http://www.w3.org/2005/Atom",
        "http://search.yahoo.com/mrss/",
        "http://www.sitemaps.org/schemas/sitemap/0.9",
        "http://www.w3.org/1999/xhtml",
        "https://schema.org",
    }


def assert_all_under(text: str, base: str) -> None:
    urls = absolute_urls(text)
    assert urls, "no absolute URL at all"
    assert {u for u in urls if not u.startswith(base + "/")} == set()


# Feeds


def test_the_feeds_link_to_the_public_address_not_to_localhost(client, public, explainer):
    page = f"{PUBLIC}/explainers/{explainer.slug}/"
    for path, link in [
        (reverse("explainers:feed"), f"{PUBLIC}/"),
        (reverse("explainers:explainer_feed", args=[explainer.slug]), page),
    ]:
        text = text_of(client.get(path, HTTP_HOST=OTHER_HOST))
        assert "localhost" not in text and OTHER_HOST not in text
        feed = feedparser.parse(text)
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.link == link
        assert next(li.href for li in feed.feed.links if li.rel == "self") == PUBLIC + path
        assert feed.entries[0].link == f"{page}v1/"


def test_without_the_setting_the_feed_uses_the_host_the_request_came_to(
    client, settings, explainer
):
    settings.ALLOWED_HOSTS = [OTHER_HOST]
    text = text_of(client.get(reverse("explainers:feed"), HTTP_HOST=OTHER_HOST, secure=True))
    assert "localhost" not in text
    assert feedparser.parse(text).entries[0].link == (
        f"https://{OTHER_HOST}/explainers/{explainer.slug}/v1/"
    )


def test_atom_ids_are_tag_uris_that_stay_when_the_site_moves(client, settings, explainer):
    settings.ALLOWED_HOSTS = ["explainers.example.org", OTHER_HOST]
    authority = django_settings.FEED_TAG_AUTHORITY
    publication = explainer.latest_publication()
    ids = []
    for base in (PUBLIC, f"https://{OTHER_HOST}"):
        settings.PUBLIC_BASE_URL = base  # a new deployment: nothing held from the old one
        held_responses.clear()
        for path, feed_id in [
            (reverse("explainers:feed"), f"tag:{authority}:feed"),
            (reverse("explainers:explainer_feed", args=[explainer.slug]),
             f"tag:{authority}:feed/explainer-{explainer.pk}"),
        ]:  # fmt: skip
            feed = feedparser.parse(text_of(client.get(path, HTTP_HOST=OTHER_HOST)))
            assert not feed.bozo, feed.bozo_exception
            assert feed.feed.id == feed_id
            [entry] = feed.entries
            assert entry.id == f"tag:{authority}:publication-{publication.pk}"
            assert entry.link.startswith(base + "/")  # the link moved, the id did not
            ids.append((feed.feed.id, entry.id))
    assert ids[:2] == ids[2:]


def test_the_tag_authority_is_its_own_setting(client, public, settings, explainer):
    settings.FEED_TAG_AUTHORITY = "zeitung.example.de,2019-04"
    feed = feedparser.parse(text_of(client.get(reverse("explainers:feed"))))
    assert feed.entries[0].id.startswith("tag:zeitung.example.de,2019-04:publication-")


# Sitemap, robots.txt, the explainer page


def test_the_sitemap_lists_pages_under_the_public_address(client, public, explainer):
    text = text_of(client.get(reverse("sitemap"), HTTP_HOST=OTHER_HOST))
    locations = re.findall(r"<loc>([^<]+)</loc>", text)
    assert f"{PUBLIC}/explainers/{explainer.slug}/" in locations
    assert f"{PUBLIC}/impressum/" in locations and f"{PUBLIC}/datenschutz/" in locations
    assert_all_under(text, PUBLIC)


def test_without_the_setting_the_sitemap_uses_the_request_host(client, settings, explainer):
    settings.ALLOWED_HOSTS = [OTHER_HOST]
    text = text_of(client.get(reverse("sitemap"), HTTP_HOST=OTHER_HOST))
    assert f"<loc>http://{OTHER_HOST}/explainers/{explainer.slug}/</loc>" in text
    assert_all_under(text, f"http://{OTHER_HOST}")


def test_robots_txt_names_the_public_sitemap(client, public):
    text = text_of(client.get(reverse("robots"), HTTP_HOST=OTHER_HOST))
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in text


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_canonical_link_and_json_ld_use_the_public_address(client, public, explainer):
    html = text_of(
        client.get(reverse("explainers:detail", args=[explainer.slug]), HTTP_HOST=OTHER_HOST)
    )
    page = f"{PUBLIC}/explainers/{explainer.slug}/"
    assert f'<link rel="canonical" href="{page}">' in html
    article = json_ld(html)
    assert article["url"] == article["mainEntityOfPage"] == page
    assert article["publisher"]["logo"]["url"].startswith(f"{PUBLIC}/static/")
    assert article["image"]["url"].startswith(f"{PUBLIC}/media/")
    assert OTHER_HOST not in html and "localhost" not in html


# "View on site" in the admin


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("chefin", superuser=True))
    return client


def test_view_on_site_of_a_legal_page_opens_the_public_page(admin_client, public):
    page = FlatPage.objects.get(url="/impressum/")
    html = text_of(admin_client.get(reverse("admin:flatpages_flatpage_change", args=[page.pk])))
    assert f'<a href="{PUBLIC}/impressum/" class="viewsitelink">' in html


def test_without_the_setting_view_on_site_stays_on_the_admins_host(admin_client):
    page = FlatPage.objects.get(url="/impressum/")
    html = text_of(admin_client.get(reverse("admin:flatpages_flatpage_change", args=[page.pk])))
    assert '<a href="/impressum/" class="viewsitelink">' in html


def test_view_on_site_of_an_explainer_is_its_public_page_while_it_has_one(
    admin_client, public, explainer
):
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    response = admin_client.get(change)
    assert response.context["absolute_url"] == f"{PUBLIC}/explainers/{explainer.slug}/"
    withdraw(explainer, note="Rechtliche Gründe.")
    assert admin_client.get(change).context["has_absolute_url"] is False
    unpublished = make_explainer()
    response = admin_client.get(reverse("admin:explainers_explainer_change", args=[unpublished.pk]))
    assert response.context["has_absolute_url"] is False


# The setting itself


def test_production_without_the_setting_fails_the_system_check(settings):
    settings.DEBUG = False
    settings.PUBLIC_BASE_URL = ""
    assert [error.id for error in checks.public_address()] == ["explainers.E001"]
    settings.PUBLIC_BASE_URL = PUBLIC
    assert checks.public_address() == []


@pytest.mark.parametrize(
    "value",
    ["explainers.example.org", "ftp://explainers.example.org", "https://explainers.example.org/news",
     "https://explainers.example.org/?utm=1", "https://user:pw@explainers.example.org",
     "https://explainers.example.org:99999", "https://"],
)  # fmt: skip
def test_a_malformed_base_url_is_a_check_error_that_names_it(settings, value):
    settings.PUBLIC_BASE_URL = value
    [error] = checks.public_address()
    assert error.id == "explainers.E002"
    assert "PUBLIC_BASE_URL" in error.msg and repr(value) in error.msg


@pytest.mark.parametrize("value", ["explainers.example.org", "example.org,26", "https://x.org,2026",
                                   "example.org,2026-13", ""])  # fmt: skip
def test_a_malformed_tag_authority_is_a_check_error(settings, value):
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.FEED_TAG_AUTHORITY = value
    assert [error.id for error in checks.public_address()] == ["explainers.E003"]


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; " \
           "print(settings.PUBLIC_BASE_URL)"  # fmt: skip
    base = {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", code], env=base | env, capture_output=True, text=True,
        cwd=django_settings.BASE_DIR, check=False,
    )  # fmt: skip


def test_a_malformed_environment_value_stops_the_start_with_a_clear_message():
    done = start({"PUBLIC_BASE_URL": "explainers.example.org/"})
    assert done.returncode != 0
    assert "PUBLIC_BASE_URL must be the site's public address as scheme://host[:port]" in (
        done.stderr
    )
    good = start({"PUBLIC_BASE_URL": "https://Explainers.Example.org/"})
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == PUBLIC


def test_built_without_a_request_the_address_is_the_setting_or_the_development_default(
    settings,
):
    settings.PUBLIC_BASE_URL = ""
    settings.DEBUG = True
    assert public_urls.absolute("/feed/") == "http://127.0.0.1:8000/feed/"
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_BASE_URL"):
        public_urls.absolute("/feed/")
    settings.PUBLIC_BASE_URL = PUBLIC
    request = RequestFactory().get("/", HTTP_HOST=OTHER_HOST)
    assert public_urls.absolute("/feed/", request) == f"{PUBLIC}/feed/"


# The bake


def baked_feed(tmp_path, *args) -> str:
    output = tmp_path / "bake"
    call_command("bake", str(output), *args, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return (output / "public" / "feed" / "index.atom").read_text()


@pytest.fixture
def bakeable(settings, collected, public, explainer):  # noqa: F811
    settings.STATIC_ROOT = str(collected)
    settings.SECURE_HSTS_SECONDS = 3600


def test_the_bake_uses_the_public_address_unless_host_overrides_it(bakeable, tmp_path):
    feed = baked_feed(tmp_path)
    assert "localhost" not in feed
    assert_all_under(feed, PUBLIC)
    overridden = baked_feed(tmp_path, "--host", OTHER_HOST)
    assert "localhost" not in overridden and "explainers.example.org/" not in overridden
    assert_all_under(overridden, f"https://{OTHER_HOST}")
    entry = feedparser.parse(overridden).entries[0]
    assert entry.id == feedparser.parse(feed).entries[0].id  # ids are not addresses

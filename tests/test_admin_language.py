"""The admin's language: a switch in the header (Django's set_language), remembered per
user and applied at login; German names for Django's flat pages; the icon on both sides."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from explainers.domain.publishing import publish
from explainers.models import AdminPreference
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
SWITCH = "/admin/sprache/"


@pytest.fixture(autouse=True)
def _german_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_switch_is_in_the_admin_header_and_marks_the_current_language(client, reporter):
    client.force_login(reporter)
    html = text_of(client.get(reverse("admin:index")))
    assert f'action="{SWITCH}"' in html
    assert 'value="de" lang="de" aria-current="true">Deutsch</button>' in html
    assert 'value="en" lang="en">English</button>' in html


def test_choosing_english_stores_it_sets_the_cookie_and_returns_to_the_same_page(client, reporter):
    client.force_login(reporter)
    page = reverse("admin:explainers_explainer_changelist") + "?q=Frage"
    response = client.post(SWITCH, {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert response.cookies[COOKIE].value == "en"
    assert AdminPreference.objects.get(user=reporter).language == "en"
    html = text_of(client.get(page))
    assert '<html lang="en"' in html and "Log out" in html and "Abmelden" not in html
    assert 'value="en" lang="en" aria-current="true">English</button>' in html
    html = text_of(client.post(SWITCH, {"language": "de", "next": page}, follow=True))
    assert "Abmelden" in html and AdminPreference.objects.get(user=reporter).language == "de"


def test_an_unknown_language_is_refused_in_german_and_nothing_changes(client, reporter):
    AdminPreference.objects.create(user=reporter, language="de")
    client.force_login(reporter)
    client.get("/admin/")  # the preference applies at the first admin page after login
    response = client.post(SWITCH, {"language": "fr", "next": "/admin/"})
    assert response.status_code == 302 and COOKIE not in response.cookies
    html = text_of(client.get("/admin/"))
    assert "Diese Sprache gibt es hier nicht – die Sprache bleibt, wie sie war." in html
    assert AdminPreference.objects.get(user=reporter).language == "de"


@pytest.mark.parametrize(
    "next_url", ["https://elsewhere.example/admin/", "//elsewhere.example/", "/", ""]
)
def test_the_switch_only_ever_returns_into_the_admin(client, reporter, next_url):
    client.force_login(reporter)
    response = client.post(SWITCH, {"language": "en", "next": next_url})
    assert response["Location"] == reverse("admin:index")


def test_the_switch_is_for_logged_in_staff_only_and_only_by_post(client, reporter):
    response = client.post(SWITCH, {"language": "en", "next": "/admin/"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert COOKIE not in response.cookies and not AdminPreference.objects.exists()
    client.force_login(reporter)
    assert client.get(SWITCH, {"language": "en"}).status_code == 405
    assert not AdminPreference.objects.exists()


def test_the_preference_applies_at_login_whatever_the_cookie_said(client, reporter):
    AdminPreference.objects.create(user=reporter, language="en")
    client.cookies[COOKIE] = "de"
    response = client.post(
        reverse("admin:login"),
        {"username": "reporter", "password": "pw-long-enough", "next": "/admin/"},
    )
    assert response.status_code == 302
    first = client.get("/admin/")
    assert "Log out" in text_of(first) and first.cookies[COOKIE].value == "en"
    again = client.get("/admin/")
    assert "Log out" in text_of(again) and COOKIE not in again.cookies  # set once per login


def test_a_switch_as_the_first_request_after_login_wins_over_the_old_preference(client, reporter):
    AdminPreference.objects.create(user=reporter, language="en")
    client.force_login(reporter)
    response = client.post(SWITCH, {"language": "de", "next": "/admin/"})
    assert response.cookies[COOKIE].value == "de"
    assert AdminPreference.objects.get(user=reporter).language == "de"
    assert "Abmelden" in text_of(client.get("/admin/"))


def test_without_a_preference_the_admin_keeps_the_cookie_or_the_browser_language(client, reporter):
    client.force_login(reporter)
    assert "Abmelden" in text_of(client.get("/admin/"))
    assert "Log out" in text_of(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en"))
    client.cookies[COOKIE] = "en"
    response = client.get("/admin/")
    assert "Log out" in text_of(response) and COOKIE not in response.cookies


def test_a_switch_on_one_login_is_the_language_of_the_next_login(client, reporter):
    client.force_login(reporter)
    client.post(SWITCH, {"language": "en", "next": "/admin/"})
    client.logout()
    client.cookies.pop(COOKIE, None)
    client.force_login(reporter)
    assert "Log out" in text_of(client.get("/admin/"))


# Django's flat pages under German names


def test_the_flat_pages_have_german_names_in_index_sidebar_list_and_change_page(client, desk):
    client.force_login(desk)
    page = FlatPage.objects.get(url="/impressum/")
    pages = [
        client.get(reverse("admin:index")),
        client.get(reverse("admin:flatpages_flatpage_changelist")),
        client.get(reverse("admin:flatpages_flatpage_change", args=[page.pk])),
    ]
    for html in map(text_of, pages):
        assert "Flat Page" not in html and "flat page" not in html
        assert "Statische Seiten" in html
    assert "Statische Seite zur Änderung auswählen" in text_of(pages[1])
    assert "<h1>Statische Seite ändern</h1>" in text_of(pages[2])
    assert 'id="nav-sidebar"' in text_of(pages[2])  # the sidebar is there, with the name


def test_the_app_config_leaves_the_flatpages_migrations_alone():
    """The names are set on the model's _meta, not in its declared options, so Django's
    own flatpages migrations still describe the model completely."""
    out = io.StringIO()
    call_command("makemigrations", "flatpages", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
    with translation.override(None):
        assert str(FlatPage._meta.original_attrs["verbose_name"]) == "flat page"
        assert str(FlatPage._meta.verbose_name) == "Statische Seite"


# The icon


def test_favicon_ico_leads_to_the_icon_and_both_sides_link_it(client, reporter):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.STATIC_URL + "explainers/favicon")
    assert response["Location"].endswith(".ico")
    for name in ("favicon.svg", "favicon-32.png", "favicon.ico"):
        assert finders.find(f"explainers/{name}"), name
    explainer = make_explainer()
    publish(explainer)
    reader = text_of(client.get(reverse("explainers:detail", args=[explainer.slug])))
    client.force_login(reporter)
    desk_page = text_of(client.get(reverse("admin:index")))
    for html in (reader, desk_page):
        assert 'rel="icon"' in html and "favicon.svg" in html and "favicon-32.png" in html

"""The English catalogue: `Accept-Language: en` gives the English UI on reader pages and
in the app's admin screens, while an explainer's text stays in its own language."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from explainers.domain.publishing import publish
from explainers.domain.takedown import withdraw
from tests.factories import make_explainer

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sd]")

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _german_after_each_test():
    """LocaleMiddleware leaves the request's language active in this thread; code run by
    later tests (management commands, publishing) must see the default language again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def published(**overrides):
    explainer = make_explainer(**overrides)
    publish(explainer)
    return explainer


def html_of(response, status=200):
    assert response.status_code == status, response.status_code
    return response.content.decode()


def url(name, *args):
    return reverse(f"explainers:{name}", args=args)


# A tiny .po reader: enough for the catalogue makemessages writes.


def po_entries(path: Path = PO_FILE) -> list[dict]:
    """Entries as dicts: flags, msgid, msgid_plural and msgstr / msgstr[n]."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    return entries


def messages() -> list[dict]:
    """Every entry but the header."""
    return [entry for entry in po_entries() if entry["msgid"]]


def translations_of(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


# The catalogue


def test_the_catalogue_has_messages_and_a_header_for_english_with_two_plural_forms():
    header = next(entry for entry in po_entries() if entry["msgid"] == "")
    assert "Language: en\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    assert "fuzzy" not in header["flags"]
    assert len(messages()) > 100


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [
        e["msgid"] for e in messages() if not all(s.strip() for s in translations_of(e))
    ]
    fuzzy = [e["msgid"] for e in messages() if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_plural_messages_have_both_english_forms():
    plurals = [entry for entry in messages() if "msgid_plural" in entry]
    assert plurals
    for entry in plurals:
        assert set(translations_of(entry)) and "msgstr[0]" in entry and "msgstr[1]" in entry


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def test_translations_keep_every_placeholder_of_their_message():
    for entry in messages():
        singular = placeholders(entry["msgid"])
        if "msgid_plural" not in entry:
            assert placeholders(entry["msgstr"]) == singular, entry["msgid"]
            continue
        # A singular form may leave out the count ("one of your changes"), never add names.
        plural = placeholders(entry["msgid_plural"])
        assert singular <= placeholders(entry["msgstr[0]"]) <= singular | plural, entry["msgid"]
        assert placeholders(entry["msgstr[1]"]) == plural, entry["msgid"]


def test_the_compiled_catalogue_matches_the_po_file():
    """A stale .mo (the .po edited but not compiled) shows up as a mismatch."""
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in messages():
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["msgstr[1]"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


def test_django_translates_the_german_ui_strings_into_english():
    with translation.override("en"):
        assert translation.gettext("Verwendete Quellen") == "Sources"
        assert translation.gettext("Was sich geändert hat") == "What has changed"
        assert translation.gettext("Stand:") == "Updated:"
        assert translation.gettext("Kleine Korrektur") == "Minor fix"
        assert translation.ngettext("%(n)s Frage", "%(n)s Fragen", 2) == "%(n)s questions"
    with translation.override("de"):
        assert translation.gettext("Verwendete Quellen") == "Verwendete Quellen"


# Reader pages


@pytest.mark.django_db
def test_the_explainer_page_has_an_english_ui_around_the_german_text(client):
    explainer = published(byline="Anna Schmidt")
    response = client.get(url("detail", explainer.slug), **EN)
    html = html_of(response)
    assert '<html lang="en"' in html
    assert '<article class="explainer" lang="de">' in html
    assert explainer.headline in html and "Antwort auf Frage 1." in html  # content stays
    assert "Ukraine-Krieg" in html and "Worum es geht, in einem Satz." in html
    assert "Sources" in html and "What has changed" in html and "Updated:" in html
    assert "First published:" in html and "By Anna Schmidt" in html
    assert "Skip to content" in html and "Privacy" in html
    for german in ("Verwendete Quellen", "Was sich geändert hat", "Stand:", "Zitiert in:"):
        assert german not in html
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT_LANGUAGE": "de"}])
def test_the_explainer_page_is_german_without_english_in_accept_language(client, headers):
    explainer = published()
    response = client.get(url("detail", explainer.slug), **headers)
    html = html_of(response)
    assert '<html lang="de"' in html
    assert "Verwendete Quellen" in html and "Was sich geändert hat" in html and "Stand:" in html
    assert "What has changed" not in html
    assert response["Content-Language"] == "de"


@pytest.mark.django_db
def test_a_reader_page_ignores_the_language_cookie(client):
    """The admin's language switch sets the cookie; reader pages follow Accept-Language
    alone, or a shared cache could store an English page under a German request."""
    explainer = published()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url("detail", explainer.slug))
    html = html_of(response)
    assert '<html lang="de"' in html and "Verwendete Quellen" in html and "Sources" not in html
    assert response["Content-Language"] == "de"
    assert "Cookie" not in response.get("Vary", "")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = html_of(client.get(url("detail", explainer.slug), **EN))
    assert '<html lang="en"' in html and "Sources" in html


@pytest.mark.django_db
def test_an_editor_who_chose_english_for_the_admin_still_reads_german_pages(client, reporter):
    explainer = published()
    client.force_login(reporter)
    client.post("/admin/sprache/", {"language": "en", "next": "/admin/"})
    assert "Log out" in html_of(client.get("/admin/"))
    html = html_of(client.get(url("detail", explainer.slug)))
    assert '<html lang="de"' in html and "Verwendete Quellen" in html


@pytest.mark.django_db
def test_the_site_name_is_translated(client):
    explainer = published()
    html = html_of(client.get(url("detail", explainer.slug), **EN))
    assert f"<title>{explainer.headline} – Newsroom Explainers</title>" in html
    assert '<a class="site-name" href="/">Newsroom Explainers</a>' in html
    assert "© Newsroom Explainers" in html
    html = html_of(client.get(url("index")))
    assert '<a class="site-name" href="/">Newsroom Erklärstücke</a>' in html


@pytest.mark.django_db
def test_english_and_german_readers_each_get_their_own_cached_article(client):
    explainer = published()
    assert "Verwendete Quellen" in html_of(client.get(url("detail", explainer.slug)))
    assert "Sources" in html_of(client.get(url("detail", explainer.slug), **EN))
    assert "Verwendete Quellen" in html_of(client.get(url("detail", explainer.slug)))


@pytest.mark.django_db
def test_an_older_version_and_its_changes_are_explained_in_english(client):
    explainer = published()
    explainer.questions.filter(position=1).update(answer="Neue Antwort.")
    publish(explainer, kind="correction", note="Zahl korrigiert.")
    html = html_of(client.get(url("version", explainer.slug, 1), **EN))
    assert "You are reading an older version (v1)" in html
    assert "Go to the current version" in html
    html = html_of(client.get(url("detail", explainer.slug), **EN))
    assert "Correction</strong>" in html and "Zahl korrigiert." in html  # the note stays German
    html = html_of(client.get(url("diff", explainer.slug, "1..2"), **EN))
    assert "What has changed: v1 → v2" in html and "Editors' notes" in html
    assert "Uhr" not in html


@pytest.mark.django_db
def test_the_index_is_english(client):
    explainer = published()
    html = html_of(client.get(url("index"), **EN))
    assert '<html lang="en"' in html
    assert "Explainers: the key questions and answers" in html
    assert "3 questions" in html and "Updated:" in html
    assert explainer.headline in html


@pytest.mark.django_db
def test_the_versions_page_is_english(client):
    explainer = published()
    html = html_of(client.get(url("versions", explainer.slug), **EN))
    assert '<html lang="en"' in html
    assert "All versions" in html and "Published versions, newest first" in html
    for heading in ("Version", "Date", "Type", "Note", "Changes", "Compare"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "First publication" in html
    assert "Alle Fassungen" not in html


@pytest.mark.django_db
def test_the_search_page_is_english(client):
    published(questions=[
        {"key": "q-1", "anchor": "truppen", "question": "Wer schickt Truppen?",
         "answer": "Frankreich und Großbritannien wohl.", "cites": []},
    ], sources=0)  # fmt: skip
    html = html_of(client.get(url("search"), {"q": "Frankreich"}, **EN))
    assert '<html lang="en"' in html
    assert "Search the explainers" in html and "Search term" in html
    assert "1 result for “Frankreich”." in html
    html = html_of(client.get(url("search"), {"q": "Nirgendwo"}, **EN))
    assert "No results for “Nirgendwo”." in html


@pytest.mark.django_db
def test_a_missing_page_is_english(client):
    html = html_of(client.get("/gibt-es-nicht/", **EN), status=404)
    assert '<html lang="en"' in html
    assert "Page not found" in html and "See all explainers" in html
    html = html_of(client.get(url("detail", "gibt-es-nicht"), **EN), status=404)
    assert "Page not found" in html


@pytest.mark.django_db
def test_a_withdrawn_explainer_is_explained_in_english_with_the_desks_own_note(client, desk):
    explainer = published()
    withdraw(explainer, note="Aus rechtlichen Gründen zurückgezogen.", user=desk)
    html = html_of(client.get(url("detail", explainer.slug), **EN), status=410)
    assert "This explainer has been withdrawn" in html and "Withdrawn on" in html
    assert "Aus rechtlichen Gründen zurückgezogen." in html


@pytest.mark.django_db
def test_a_bad_request_is_explained_in_english(client):
    explainer = published()
    html = html_of(client.get(url("diff", explainer.slug, "2..1"), **EN), status=400)
    assert "Invalid request" in html and "The first version must be older" in html


# Admin screens


@pytest.mark.django_db
def test_the_admin_screens_of_the_app_are_english(client, desk):
    explainer = make_explainer()
    client.force_login(desk)
    change = html_of(
        client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]), **EN)
    )
    assert "Headline" in change and "Lead image" in change and "Publish …" in change
    publish_page = html_of(
        client.get(reverse("admin:explainers_explainer_publish", args=[explainer.pk]), **EN)
    )
    assert "Never published: this will be the first publication (v1)." in publish_page
    history = html_of(
        client.get(reverse("admin:explainers_explainer_history", args=[explainer.pk]), **EN)
    )
    assert "1 revision." in history and "Newsroom Explainers" in history
    changelist = html_of(client.get(reverse("admin:explainers_explainer_changelist"), **EN))
    assert "Unpublished changes" in changelist and "Review by" in changelist


def test_german_form_messages_stay_djangos_own_with_the_api_installed():
    """Django REST framework's German catalog words some of Django's messages differently
    ("Gib eine gültige URL ein."); app catalogs outrank Django's, so locale/de keeps
    Django's own wording for every message the two catalogs share."""
    import gettext as python_gettext
    from pathlib import Path

    import django
    import rest_framework

    def catalog(package, *parts) -> dict:
        path = Path(package.__file__).parent.joinpath(*parts, "de", "LC_MESSAGES", "django.mo")
        with path.open("rb") as file:
            return python_gettext.GNUTranslations(file)._catalog

    djangos = catalog(django, "conf", "locale")
    drfs = catalog(rest_framework, "locale")
    shared = [
        k for k in drfs if isinstance(k, str) and k and k in djangos and drfs[k] != djangos[k]
    ]
    assert "Enter a valid URL." in shared
    with translation.override("de"):
        assert {k: translation.gettext(k) for k in shared} == {k: djangos[k] for k in shared}

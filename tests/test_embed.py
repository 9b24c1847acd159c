"""Embedding one question: the card at /explainers/<slug>/frage/<key>/, its oEmbed answer,
the framing policy it alone sends, and that purge and bake know the cards."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from explainers.bake import bake_files
from explainers.domain.publishing import publish
from explainers.domain.takedown import REDACTED, redact, withdraw
from explainers.models import Explainer, Question
from explainers.reader import held_responses, purge
from tests.factories import make_explainer
from tests.support.servers import fetch
from tests.test_bake import (  # noqa: F401 - the bake's fixtures and helpers
    added_headers,
    bake,
    baked,
    body_of,
    copied,
    dynamic,
    locations,
    newsroom,
    nginx,
    nginx_binary,
    site,
)

pytestmark = pytest.mark.django_db

SOURCES = [
    {"key": "bpb", "label": "Was ist die Nato?", "publisher": "bpb.de",
     "url": "https://www.bpb.de/nato", "date": "2025-03-01", "kind": "article"},
    {"key": "rede", "label": "Rede im Bundestag", "publisher": "Bundestag",
     "url": None, "date": None, "kind": "document"},
    {"key": "nie", "label": "Nie zitiert", "publisher": "", "url": None, "date": None,
     "kind": "other"},
]  # fmt: skip
QUESTIONS = [
    {"key": "q-eins", "anchor": "was-ist", "question": "Was ist \"Artikel 5\"?",
     "answer": "Ein Bündnisfall [^rede] – siehe auch [^bpb].", "cites": ["rede", "bpb"]},
    {"key": "q-zwei", "anchor": "wer-zahlt", "question": "Wer zahlt?",
     "answer": "Die Mitglieder zahlen [^bpb].", "cites": ["bpb"]},
    {"key": "q-drei", "anchor": "ohne", "question": "Und ohne Quelle?",
     "answer": "Eine Antwort ohne Beleg.", "cites": []},
]  # fmt: skip


def published(desk, **overrides):
    overrides.setdefault("questions", QUESTIONS)
    overrides.setdefault("sources", SOURCES)
    explainer = make_explainer(**overrides)
    publish(explainer, user=desk)
    explainer.refresh_from_db()
    return explainer


def card_url(slug, key):
    return reverse("explainers:card", args=[slug, key])


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def sources_listed(html: str) -> list[tuple[str, str]]:
    """(number, text) of each source the card lists."""
    found = re.findall(r'<li id="quelle-(\d+)" value="\1">(.*?)</li>', html, re.S)
    return [(number, " ".join(re.sub(r"<[^>]+>", "", text).split())) for number, text in found]


# The card


def test_the_card_shows_the_question_its_answer_and_the_sources_it_cites(client, desk):
    explainer = published(desk, headline="Was die Nato zusagt")
    html = html_of(client.get(card_url(explainer.slug, "q-eins")))
    assert "Was ist „Artikel 5“?</h1>" in html  # typeset as on the page
    assert "Ein Bündnisfall" in html and "Wer zahlt?" not in html
    # numbered as on the full page: "rede" is met first there, then "bpb"
    assert sources_listed(html) == [
        ("1", "Bundestag: Rede im Bundestag"),
        ("2", "bpb.de: Was ist die Nato?, 1. März 2025"),
    ]
    assert 'href="#quelle-1"' in html and 'href="#quelle-2"' in html
    page = html_of(client.get(reverse("explainers:detail", args=[explainer.slug])))
    assert 'id="quelle-1"' in page and "Rede im Bundestag" in page.split('id="quelle-1"')[1][:400]
    full = f"http://testserver/explainers/{explainer.slug}/"
    assert f'<link rel="canonical" href="{full}">' in html
    assert f'<a href="{full}#was-ist" target="_top" rel="noopener">' in html
    assert "Was die Nato zusagt" in html


def test_a_later_question_keeps_the_numbers_of_the_full_page(client, desk):
    explainer = published(desk)
    html = html_of(client.get(card_url(explainer.slug, "q-zwei")))
    assert sources_listed(html) == [("2", "bpb.de: Was ist die Nato?, 1. März 2025")]
    html = html_of(client.get(card_url(explainer.slug, "q-drei")))
    assert sources_listed(html) == [] and "Verwendete Quellen" not in html


def test_the_card_is_in_the_explainers_language_with_its_own_stylesheet(client, desk):
    explainer = published(desk, language="en", headline="What NATO promises")
    html = html_of(client.get(card_url(explainer.slug, "q-eins"), HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="en">' in html
    assert ">Sources</h2>" in html and "Updated: " in html  # the site's words in English
    assert "/static/explainers/embed.css" in html and "site.css" not in html
    assert "style=" not in html and "<script" not in html


def test_the_card_shows_the_current_publication_only(client, desk):
    explainer = published(desk)
    Question.objects.filter(explainer=explainer, key="q-zwei").update(answer="Im Entwurf.")
    assert "Im Entwurf." not in html_of(client.get(card_url(explainer.slug, "q-zwei")))
    publish(explainer, user=desk, note="Neu.")
    held_responses.clear()
    assert "Im Entwurf." in html_of(client.get(card_url(explainer.slug, "q-zwei")))


def test_unknown_key_or_explainer_is_404(client, desk):
    explainer = published(desk)
    assert client.get(card_url(explainer.slug, "q-gibt-es-nicht")).status_code == 404
    assert client.get(card_url("gibt-es-nicht", "q-eins")).status_code == 404


def test_a_withdrawn_explainer_card_is_410_with_the_note(client, desk):
    explainer = published(desk)
    withdraw(explainer, note="Aus rechtlichen Gründen zurückgezogen.", user=desk)
    response = client.get(card_url(explainer.slug, "q-eins"))
    assert response.status_code == 410
    assert "Aus rechtlichen Gründen zurückgezogen." in response.content.decode()


def test_a_renamed_slug_answers_301_to_the_card_under_the_new_slug(client, desk):
    explainer = published(desk)
    old = explainer.slug
    Explainer.objects.filter(pk=explainer.pk).update(slug="neuer-name")
    explainer.refresh_from_db()
    publish(explainer, user=desk, note="Umbenannt.")
    response = client.get(card_url(old, "q-eins"))
    assert response.status_code == 301
    assert response["Location"] == card_url("neuer-name", "q-eins")


def test_a_redacted_passage_is_gone_from_the_card(client, desk):
    explainer = published(desk)
    assert "Bündnisfall" in html_of(client.get(card_url(explainer.slug, "q-eins")))
    redact(explainer, passage="Bündnisfall", reason="Einstweilige Verfügung", user=desk)
    html = html_of(client.get(card_url(explainer.slug, "q-eins")))
    assert "Bündnisfall" not in html and REDACTED in html


def test_the_card_has_validators_answers_304_and_may_be_cached(client, desk):
    explainer = published(desk)
    response = client.get(card_url(explainer.slug, "q-eins"))
    assert response["ETag"] and response["Last-Modified"]
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    again = client.get(card_url(explainer.slug, "q-eins"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    since = client.get(
        card_url(explainer.slug, "q-eins"), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
    )
    assert since.status_code == 304


@pytest.mark.parametrize("questions", [3, 40])
def test_the_card_runs_a_constant_number_of_queries(
    client, desk, django_assert_max_num_queries, questions
):
    rows = [
        {"key": f"q-{i}", "anchor": f"frage-{i}", "question": f"Frage {i}?",
         "answer": f"Antwort {i} [^bpb].", "cites": ["bpb"]}
        for i in range(questions)
    ]  # fmt: skip
    explainer = published(desk, questions=rows)
    held_responses.clear()
    with django_assert_max_num_queries(1):
        html_of(client.get(card_url(explainer.slug, f"q-{questions - 1}")))
    with django_assert_max_num_queries(0):  # held by this worker, as reader pages are
        html_of(client.get(card_url(explainer.slug, f"q-{questions - 1}")))
    with django_assert_max_num_queries(1):
        oembed = client.get(
            "/oembed/", {"url": f"http://testserver{card_url(explainer.slug, 'q-1')}"}
        )
        assert oembed.status_code == 200


# Framing: the card alone may be framed


def test_the_card_may_be_framed_by_the_configured_ancestors(client, desk, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://partner.example", "https://*.zeitung.example"]
    explainer = published(desk)
    for _attempt in range(2):  # rendered, then replayed from the held copy
        response = client.get(card_url(explainer.slug, "q-eins"))
        assert response.status_code == 200
        assert "X-Frame-Options" not in response
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors https://partner.example https://*.zeitung.example" in policy
        assert "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
        assert "script-src 'self'" in policy and "default-src 'self'" in policy


def test_by_default_any_site_may_frame_the_card(client, desk):
    explainer = published(desk)
    response = client.get(card_url(explainer.slug, "q-eins"))
    assert "frame-ancestors *" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    ["/", "/explainers/{slug}/", "/explainers/{slug}/versions/", "/oembed/?url=x", "/suche/?q=a",
     "/explainers/gibt-es-nicht/", "/admin/login/"],
)  # fmt: skip
def test_every_other_page_refuses_to_be_framed(client, desk, path):
    explainer = published(desk)
    client.get(card_url(explainer.slug, "q-eins"))  # the card's policy stays with the card
    response = client.get(path.format(slug=explainer.slug))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# oEmbed


def oembed(client, url, **params):
    return client.get("/oembed/", {"url": url, **params})


def test_oembed_describes_the_card_as_a_rich_iframe(client, desk, settings):
    settings.PUBLISHER_NAME = "Testzeitung"
    explainer = published(desk, byline="Anna Schmidt")
    card = f"http://testserver{card_url(explainer.slug, 'q-eins')}"
    response = oembed(client, card, format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["provider_name"] == "Testzeitung"
    assert data["provider_url"] == "http://testserver/"
    assert data["title"] == 'Was ist "Artikel 5"?'
    assert data["author_name"] == "Anna Schmidt"
    assert 300 <= data["width"] <= 600 and data["height"] > 150
    assert data["html"].startswith(f'<iframe src="{card}" width="{data["width"]}"')
    assert 'title="Was ist &quot;Artikel 5&quot;?"' in data["html"]


def test_oembed_finds_the_question_from_the_page_url_with_its_anchor(client, desk):
    explainer = published(desk)
    page = f"http://testserver/explainers/{explainer.slug}/#wer-zahlt"
    data = json.loads(oembed(client, page).content)
    assert card_url(explainer.slug, "q-zwei") in data["html"]
    assert data["title"] == "Wer zahlt?"


def test_oembed_respects_maxwidth_and_maxheight(client, desk):
    explainer = published(desk)
    card = f"http://testserver{card_url(explainer.slug, 'q-eins')}"
    wide = json.loads(oembed(client, card).content)
    narrow = json.loads(oembed(client, card, maxwidth="320", maxheight="200").content)
    assert (wide["width"], narrow["width"]) == (600, 320)
    assert narrow["height"] == 200


def test_oembed_xml_is_501(client, desk):
    explainer = published(desk)
    card = f"http://testserver{card_url(explainer.slug, 'q-eins')}"
    assert oembed(client, card, format="xml").status_code == 501


def test_oembed_is_404_for_anything_but_a_public_question(client, desk):
    explainer = published(desk)
    withdrawn = published(desk)
    withdraw(withdrawn, note="Weg.", user=desk)
    for url in [
        f"http://testserver/explainers/{explainer.slug}/",  # the page without a question
        f"http://testserver/explainers/{explainer.slug}/#gibt-es-nicht",
        f"http://testserver{card_url(explainer.slug, 'q-gibt-es-nicht')}",
        f"http://testserver{card_url(withdrawn.slug, 'q-eins')}",
        f"http://testserver/explainers/{explainer.slug}/versions/#was-ist",
        f"http://anderswo.example{card_url(explainer.slug, 'q-eins')}",
        f"ftp://testserver{card_url(explainer.slug, 'q-eins')}",
        "",
    ]:
        response = oembed(client, url)
        assert response.status_code == 404, url
        assert "keine öffentliche Frage" in json.loads(response.content)["error"]


def test_the_card_names_its_oembed_url(client, desk):
    explainer = published(desk)
    html = html_of(client.get(card_url(explainer.slug, "q-eins")))
    found = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)
    href = found.group(1).replace("&amp;", "&")
    parts = urlsplit(href)
    assert parts.path == "/oembed/"
    query = parse_qs(parts.query)
    assert query["url"] == [f"http://testserver{card_url(explainer.slug, 'q-eins')}"]
    assert json.loads(client.get(href).content)["type"] == "rich"


# Purge and bake


def test_a_publication_bans_the_cards_and_the_oembed_answers(desk):
    explainer = published(desk)
    expressions = purge.changed_pages(explainer)
    card = card_url(explainer.slug, "q-eins")
    assert any(re.search(expression, card) for expression in expressions)
    assert any(re.search(expression, "/oembed/?url=x") for expression in expressions)
    other = card_url("ein-anderes", "q-eins")
    assert not any(re.search(expression, other) for expression in expressions)


@pytest.mark.usefixtures("site")
def test_the_bake_writes_every_card_and_nginx_sends_the_cards_framing_policy(desk, tmp_path):
    explainer = published(desk)
    withdrawn = published(desk)
    withdraw(withdrawn, note="Weg.", user=desk)
    output = tmp_path / "bake"
    bake(output)
    public = output / "public"
    for key in ("q-eins", "q-zwei", "q-drei"):
        path = card_url(explainer.slug, key)
        written = (public / bake_files.file_for(path)).read_bytes()
        assert written == body_of(dynamic(path)), key
    assert not (public / "explainers" / withdrawn.slug / "frage").exists()
    found = locations((output / "nginx.conf").read_text())
    card_location = next(head for head in found if "/frage/" in head and "301" not in head)
    page_location = next(head for head in found if head.startswith('location ~ "^/explainers/(?<'))
    card_headers = added_headers(found[card_location])
    assert card_headers == copied(dynamic(card_url(explainer.slug, "q-eins")))
    assert "frame-ancestors *" in card_headers["content-security-policy"]
    assert "x-frame-options" not in card_headers
    page_headers = added_headers(found[page_location])
    assert page_headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page_headers["content-security-policy"]


def test_nginx_serves_the_baked_cards_with_their_headers_301s_and_410s(request):
    # test_bake.py's fixtures: a full bake of its newsroom, served by nginx
    server, output, site_of = map(request.getfixturevalue, ("nginx", "baked", "newsroom"))
    a, b = site_of.a.slug, site_of.b.slug
    path = card_url(a, "q-0001")
    status, headers, body = fetch(server.base, path)
    assert (status, body) == (200, (output / "public" / bake_files.file_for(path)).read_bytes())
    assert "X-Frame-Options" not in headers
    assert "frame-ancestors *" in headers["Content-Security-Policy"]
    status, headers, _body = fetch(server.base, card_url("alter-name", "q-0001"))
    assert (status, headers["Location"]) == (301, path)
    assert fetch(server.base, card_url(b, "q-0001"))[0] == 410
    assert fetch(server.base, card_url(a, "q-0001") + "?utm=x")[0] == 502  # passed to the app


def test_the_framing_setting_is_read_from_the_environment_and_checked():
    from tests.test_production_settings import PRODUCTION, run_with

    code = "import django; from django.conf import settings; django.setup(); " \
           "print(settings.EMBED_FRAME_ANCESTORS)"  # fmt: skip
    good = run_with(PRODUCTION | {"EMBED_FRAME_ANCESTORS": " https://a.example  'self' "}, code)
    assert good.stdout.strip() == "['https://a.example', \"'self'\"]", good.stderr
    assert run_with(PRODUCTION, code).stdout.strip() == "['*']"
    for bad in ("https://a.example; script-src *", "https://a.example,https://b.example", " "):
        done = run_with(PRODUCTION | {"EMBED_FRAME_ANCESTORS": bad}, code)
        assert done.returncode != 0 and "EMBED_FRAME_ANCESTORS" in done.stderr, bad

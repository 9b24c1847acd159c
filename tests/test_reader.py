"""Reader pages read publications only: what a reader sees, and what they never see."""

import json
import re

import feedparser
import pytest
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.domain.revisions import stamp
from explainers.models import Explainer, Question
from explainers.reader import held_responses
from tests.factories import make_document, make_explainer, make_user

pytestmark = pytest.mark.django_db


def published(**overrides):
    explainer = make_explainer(**overrides)
    publish(explainer)
    return explainer


def revise(explainer, *, kind="update", note="Neue Lage.", position=1, answer="Neue Antwort."):
    Question.objects.filter(explainer=explainer, position=position).update(answer=answer)
    return publish(explainer, kind=kind, note=note)


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def url(name, *args):
    return reverse(f"explainers:{name}", args=args)


# The explainer page


def test_the_explainer_page_shows_the_latest_publication(client):
    explainer = published(byline="Anna Schmidt")
    revise(explainer, kind="correction", note="Zahl der Soldaten korrigiert.")
    html = html_of(client.get(url("detail", explainer.slug)))
    assert explainer.headline in html and "Von Anna Schmidt" in html
    assert "Stand:" in html and "Erstveröffentlichung:" in html
    assert 'href="#frage-2"' in html and 'id="frage-2"' in html  # table of contents
    assert "Neue Antwort." in html
    assert "Korrektur</strong>" in html and "Zahl der Soldaten korrigiert." in html
    assert url("versions", explainer.slug) in html
    assert '<link rel="canonical"' in html and 'name="robots"' not in html


def test_sources_are_numbered_with_links_back_to_the_questions_citing_them(client):
    explainer = published()
    html = html_of(client.get(url("detail", explainer.slug)))
    assert 'href="#quelle-1"' in html  # the marker in answer 1
    assert 'id="quelle-1"' in html and "medium1.de:" in html
    assert 'href="https://medium1.de/artikel"' in html
    # "Zitiert in" names the citing question in its own words, not by its number
    assert re.search(r'Zitiert in:\s*<a href="#frage-1"><q>Was ist Frage 1\?</q></a>', html)


def test_an_unpublished_edit_never_reaches_readers(client):
    explainer = published()
    Explainer.objects.filter(pk=explainer.pk).update(headline="Geheimer Entwurf", byline="X")
    Question.objects.filter(explainer=explainer).update(answer="Unfertig")
    html = html_of(client.get(url("detail", explainer.slug)))
    assert "Geheimer Entwurf" not in html and "Unfertig" not in html


def test_a_draft_is_404_on_every_reader_url(client):
    draft = make_explainer()
    for name, args in [
        ("detail", []), ("versions", []), ("version", [1]), ("diff", ["1..2"]),
        ("explainer_feed", []),
    ]:  # fmt: skip
        assert client.get(url(name, draft.slug, *args)).status_code == 404, name


def test_a_changed_question_gets_an_updated_badge_and_a_new_one_a_new_badge(client):
    explainer = published(questions=2)
    revise(explainer, position=2)
    Question.objects.create(
        explainer=explainer, position=3, key="q-neu", anchor="ganz-neu",
        question="Was ist neu?", answer="Das hier.",
    )  # fmt: skip
    publish(explainer, note="Neue Frage.")
    html = html_of(client.get(url("detail", explainer.slug)))
    assert "Aktualisiert am" in html and "Neu seit" in html
    assert html.count("badge--updated") >= 1
    badges = re.findall(r'<p class="badge badge--\w+">([^<]*)</p>', html)
    assert badges and all(re.search(r"\d{1,2}:\d{2} Uhr$", badge) for badge in badges), badges


def test_the_first_publication_has_no_badges(client):
    html = html_of(client.get(url("detail", published().slug)))
    assert "badge--" not in html


# Versions, old versions, diffs


def test_the_versions_page_lists_every_publication_with_kind_note_and_counts(client):
    explainer = published()
    revise(explainer, kind="correction", note="Zahl korrigiert.")
    revise(explainer, kind="minor", note="", answer="Tippfehler weg.")
    html = html_of(client.get(url("versions", explainer.slug)))
    for text in ("v1", "v2", "v3", "Korrektur", "Kleine Korrektur", "Zahl korrigiert.",
                 "Fragen: 0 neu, 1 geändert, 0 entfernt"):  # fmt: skip
        assert text in html
    assert url("version", explainer.slug, 1) in html
    assert url("diff", explainer.slug, "2..3") in html


def test_an_old_version_says_so_and_is_not_indexed(client):
    explainer = published()
    revise(explainer)
    html = html_of(client.get(url("version", explainer.slug, 1)))
    assert "Sie lesen eine ältere Fassung (v1)" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "Antwort auf Frage 1." in html and "Neue Antwort." not in html


def test_the_latest_version_page_has_no_notice_and_points_to_the_explainer(client):
    explainer = published()
    html = html_of(client.get(url("version", explainer.slug, 1)))
    assert "ältere Fassung" not in html
    assert f'<link rel="canonical" href="http://testserver{url("detail", explainer.slug)}">' in html


def test_the_diff_page_marks_changes_in_text_not_only_colour(client):
    explainer = published()
    revise(explainer, kind="clarification", note="Präzisiert.")
    html = html_of(client.get(url("diff", explainer.slug, "1..2")))
    assert "<del>" in html and "<ins>" in html and "[geändert]" in html
    assert "Präzisiert." in html and "Klarstellung" in html


@pytest.mark.parametrize("span", ["a..b", "3..1", "2..2", "1...2", "1..", "..2", "99999999..1"])
def test_malformed_or_backwards_ranges_are_400_pages(client, span):
    explainer = published()
    revise(explainer)
    response = client.get(url("diff", explainer.slug, span))
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


def test_unknown_versions_slugs_and_ranges_are_404_pages(client):
    explainer = published()
    assert client.get(url("diff", explainer.slug, "1..999")).status_code == 404
    assert client.get(url("version", explainer.slug, 999)).status_code == 404
    response = client.get(url("detail", "gibt-es-nicht"))
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


# Slugs follow publications


def test_a_renamed_slug_moves_only_with_the_next_publication_then_old_urls_answer_301(client):
    explainer = published()
    old = explainer.slug
    Explainer.objects.filter(pk=explainer.pk).update(slug="neuer-name")
    assert client.get(url("detail", old)).status_code == 200
    assert client.get(url("detail", "neuer-name")).status_code == 404
    explainer.refresh_from_db()
    publish(explainer, note="Umbenannt.")
    for name, args in [("detail", []), ("versions", []), ("version", [1]), ("diff", ["1..2"]),
                       ("explainer_feed", [])]:  # fmt: skip
        response = client.get(url(name, old, *args))
        assert response.status_code == 301, name
        assert response["Location"] == url(name, "neuer-name", *args)


def test_after_a_rename_older_versions_name_the_new_address_as_canonical(client):
    explainer = published()
    old = explainer.slug
    client.get(url("version", old, 1))  # cached under the old name
    Explainer.objects.filter(pk=explainer.pk).update(slug="neuer-name")
    explainer.refresh_from_db()
    publish(explainer, note="Umbenannt.")
    latest = html_of(client.get(url("detail", "neuer-name")))
    older = html_of(client.get(url("version", "neuer-name", 1)))
    assert 'href="http://testserver/explainers/neuer-name/"' in latest
    assert "/explainers/neuer-name/" in older
    assert f"/explainers/{old}/" not in older


def test_recommended_explainers_show_their_current_headline_in_their_language(client):
    target = published(headline="Was die Nato zusagen kann", language="de")
    english = published(headline="What NATO can promise", language="en")
    explainer = published(related=[target.slug, english.slug])
    page = html_of(client.get(url("detail", explainer.slug)))
    assert (
        f'<li lang="de"><a href="{url("detail", target.slug)}">Was die Nato zusagen kann</a>'
        in page
    )
    assert (
        f'<li lang="en"><a href="{url("detail", english.slug)}">What NATO can promise</a>' in page
    )
    assert "None" not in page


# Index, search, feeds, sitemap, furniture


def test_the_index_lists_published_explainers_newest_first_and_no_drafts(client):
    first = published()
    second = published(questions=4)
    draft = make_explainer()
    html = html_of(client.get(url("index")))
    assert html.index(second.headline) < html.index(first.headline)
    assert draft.headline not in html
    assert "4 Fragen" in html and "Stand:" in html


def test_search_finds_a_question_by_its_answer_and_links_its_anchor(client):
    explainer = published(questions=[
        {"key": "q-1", "anchor": "truppen", "question": "Wer schickt Truppen?",
         "answer": "Frankreich und Großbritannien wohl.", "cites": []},
    ], sources=0)  # fmt: skip
    draft = make_explainer(questions=[
        {"key": "q-1", "anchor": "geheim", "question": "Geheim?", "answer": "Frankreich.",
         "cites": []},
    ], sources=0)  # fmt: skip
    html = html_of(client.get(url("search"), {"q": "Frankreich"}))
    assert f"{url('detail', explainer.slug)}#truppen" in html
    assert "<mark>Frankreich</mark>" in html
    assert draft.slug not in html


def test_search_escapes_what_it_highlights(client):
    published(questions=[{"key": "q-1", "anchor": "a", "question": "Was ist das?",
                          "answer": "Ein <script>alert(1)</script> Test.", "cites": []}],
              sources=0)  # fmt: skip
    html = html_of(client.get(url("search"), {"q": "Test"}))
    assert "<script>alert" not in html


@pytest.mark.parametrize("query", ["a" * 201, "Nato\x00", "\x00"])
def test_overlong_or_nul_queries_are_400(client, query):
    assert client.get(url("search"), {"q": query}).status_code == 400


def test_the_atom_feeds_parse_and_leave_out_minor_fixes_and_drafts(client):
    explainer = published()
    revise(explainer, kind="correction", note="Zahl korrigiert.")
    revise(explainer, kind="minor", note="", answer="Tippfehler.")
    make_explainer()
    for feed_url, expected in [(url("feed"), 2), (url("explainer_feed", explainer.slug), 2)]:
        feed = feedparser.parse(client.get(feed_url).content)
        assert not feed.bozo, feed.bozo_exception
        assert len(feed.entries) == expected
    entry = feedparser.parse(client.get(url("feed")).content).entries[0]
    assert "v2 (Korrektur)" in entry.title and "Zahl korrigiert." in entry.summary


def test_sitemap_and_robots_list_only_public_pages(client):
    explainer = published()
    draft = make_explainer()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert url("detail", explainer.slug) in sitemap and "<lastmod>" in sitemap
    assert draft.slug not in sitemap and "/impressum/" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_impressum_and_datenschutz_are_linked_from_every_page(client):
    explainer = published()
    for page in (url("index"), url("detail", explainer.slug), url("versions", explainer.slug)):
        html = html_of(client.get(page))
        assert 'href="/impressum/"' in html and 'href="/datenschutz/"' in html
    assert "Angaben gemäß § 5" in html_of(client.get("/impressum/"))
    assert html_of(client.get("/datenschutz/"))


# Structured data


def _json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_json_ld_describes_a_news_article_with_corrections(client):
    explainer = published(byline="Anna Schmidt und Jonas Weber")
    revise(explainer, kind="correction", note="Zahl korrigiert.")
    data = _json_ld(html_of(client.get(url("detail", explainer.slug))))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == explainer.headline
    assert [a["name"] for a in data["author"]] == ["Anna Schmidt", "Jonas Weber"]
    assert data["inLanguage"] == "de" and data["publisher"]["logo"]["url"].startswith("http")
    assert data["datePublished"] < data["dateModified"]
    assert data["correction"][0] == {
        "@type": "CorrectionComment", "text": "Zahl korrigiert.",
        "datePublished": data["correction"][0]["datePublished"],
    }  # fmt: skip


def test_json_ld_is_safe_against_script_in_headline_and_note(client):
    headline = "Was tun?</script><script>alert(1)</script>"
    explainer = published(headline=headline)
    revise(explainer, kind="correction", note="</script><!-- x -->")
    html = html_of(client.get(url("detail", explainer.slug)))
    assert "</script><script>alert(1)" not in html
    data = _json_ld(html)
    assert data["headline"] == headline and data["correction"][0]["text"] == "</script><!-- x -->"


# Speed and caching


@pytest.mark.parametrize("questions", [5, 50])
def test_the_explainer_page_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries, questions
):
    explainer = published(questions=questions)
    with django_assert_max_num_queries(6):  # the first reader's request stores the article
        html_of(client.get(url("detail", explainer.slug)))
    held_responses.clear()
    with django_assert_max_num_queries(3):
        html_of(client.get(url("detail", explainer.slug)))


def test_the_article_is_rendered_once_per_language_and_stored(client):
    explainer = published(questions=3)
    html_of(client.get(url("detail", explainer.slug)))
    html_of(client.get(url("detail", explainer.slug), HTTP_ACCEPT_LANGUAGE="en"))
    bodies = explainer.publications.get().article_bodies
    assert set(bodies) == {"de", "en"}
    assert "Die Fragen" in bodies["de"]["html"] and "The questions" in bodies["en"]["html"]


@pytest.mark.parametrize("publications", [1, 6])
def test_other_reader_pages_run_a_constant_number_of_queries(
    client, django_assert_max_num_queries, publications
):
    explainer = published(questions=8)
    for n in range(publications - 1):
        revise(explainer, answer=f"Fassung {n}.")
    last = publications
    html_of(client.get(url("version", explainer.slug, 1)))  # its article is stored now
    held_responses.clear()
    for page in (url("versions", explainer.slug), url("version", explainer.slug, 1),
                 url("index"), url("explainer_feed", explainer.slug)):  # fmt: skip
        with django_assert_max_num_queries(3):
            html_of(client.get(page))
    if last > 1:
        with django_assert_max_num_queries(3):
            html_of(client.get(url("diff", explainer.slug, f"1..{last}")))


def test_a_repeated_request_is_answered_304_and_cacheable_by_a_cdn(client):
    explainer = published()
    first = client.get(url("detail", explainer.slug))
    assert "public" in first["Cache-Control"] and "stale-while-revalidate" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"]
    again = client.get(url("detail", explainer.slug), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_anonymous_reader_pages_do_not_touch_the_session(client):
    explainer = published()
    response = client.get(url("detail", explainer.slug))
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_a_new_publication_is_shown_at_once_despite_the_cache(client):
    explainer = published()
    html_of(client.get(url("detail", explainer.slug)))
    revise(explainer, answer="Ganz frisch.")
    assert "Ganz frisch." in html_of(client.get(url("detail", explainer.slug)))


# Preview


def test_preview_is_404_for_anonymous_and_for_staff_without_change_permission(client):
    explainer = make_explainer()
    assert client.get(url("preview", explainer.slug)).status_code == 404
    viewer = make_user("gast")
    viewer.groups.clear()  # staff, but without the change permission
    client.force_login(viewer)
    assert client.get(url("preview", explainer.slug)).status_code == 404


def test_preview_shows_the_working_copy_to_reporters_never_cached(client, reporter):
    explainer = published()
    Question.objects.filter(explainer=explainer, position=1).update(answer="Noch geheim.")
    client.force_login(reporter)
    response = client.get(url("preview", explainer.slug))
    html = html_of(response)
    assert "Noch geheim." in html and "Vorschau des Arbeitsstands" in html
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")


def test_a_document_factory_sanity_check():
    assert make_document()["questions"][0]["cites"] == ["quelle-1"]


def test_the_diff_shows_citation_markers_as_readers_see_them(client):
    explainer = published()
    revise(explainer, answer="Neu belegt [^quelle-2].")
    html = html_of(client.get(url("diff", explainer.slug, "1..2")))
    assert "[2]" in html and "[^quelle-2]" not in html


def test_a_304_is_answered_before_rendering(client, django_assert_max_num_queries):
    explainer = published()
    etag = client.get(url("detail", explainer.slug))["ETag"]
    from django.core.cache import cache

    cache.clear()  # nothing rendered is cached: a 304 must not need it
    with django_assert_max_num_queries(2):
        again = client.get(url("detail", explainer.slug), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert "public" in again["Cache-Control"]


def test_the_latest_update_note_stands_at_the_top_linked_to_its_diff(client):
    explainer = published()
    Question.objects.filter(explainer=explainer, position=1).update(answer="Neue Zahl.")
    stamp(Explainer.objects.get(pk=explainer.pk))
    publish(explainer, kind="correction", note="Die Zahl der Truppen war falsch.")
    html = html_of(client.get(url("detail", explainer.slug)))
    header = html.split('class="explainer__header"')[1].split("</header>")[0]
    assert "Korrigiert am" in header and "Die Zahl der Truppen war falsch." in header
    assert f'href="/explainers/{explainer.slug}/diff/1..2/"' in header
    first = html_of(client.get(url("version", explainer.slug, 1)))
    assert 'class="latest-change' not in first  # v1 has no note of its own

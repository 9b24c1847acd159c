import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings

from explainers.core import rendering
from explainers.core.rendering import (
    ALLOWED_TAGS,
    MARKER_RE,
    citation_markers,
    is_safe_url,
    render_answer,
    render_document_answers,
    render_markdown,
    source_numbers,
    unknown_markers,
    unsafe_links,
)
from tests.support.strategies import HOSTILE_HTML, HOSTILE_LINKS, hostile_markdown_texts


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parsed_tags(html):
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def hrefs(html):
    return [attrs.get("href") for tag, attrs in parsed_tags(html) if tag == "a"]


def cite(text, numbers=None, prefix="q-zitat"):
    return render_answer(text, numbers or {}, cite_id_prefix=prefix)


def test_paragraphs_are_separated_by_blank_lines():
    assert render_markdown("Eins\nweiter\n\nZwei") == "<p>Eins\nweiter</p>\n<p>Zwei</p>\n"


def test_emphasis_and_strong():
    html = render_markdown("*kursiv* und **fett**")
    assert html == "<p><em>kursiv</em> und <strong>fett</strong></p>\n"


def test_https_link_is_kept_with_rel():
    html = render_markdown("[Tagesschau](https://www.tagesschau.de/a?b=1&c=2)")
    assert html == (
        '<p><a href="https://www.tagesschau.de/a?b=1&amp;c=2" rel="noopener noreferrer">'
        "Tagesschau</a></p>\n"
    )


def test_mailto_and_anchor_links_are_kept():
    assert hrefs(render_markdown("[m](mailto:a@b.de) [f](#frage-2)")) == [
        "mailto:a@b.de",
        "#frage-2",
    ]


@pytest.mark.parametrize("text", HOSTILE_LINKS)
def test_hostile_link_never_becomes_a_link(text):
    assert hrefs(render_markdown(text)) == []
    assert hrefs(cite(text)) == []


@pytest.mark.parametrize("text", HOSTILE_LINKS)
def test_sanitiser_stands_behind_link_validation(text, monkeypatch):
    monkeypatch.setattr(rendering._MD, "validateLink", lambda url: True)
    assert all(href is None for href in hrefs(render_markdown(text)))


def test_lists():
    html = render_markdown("- a\n- b\n\n1. c\n2. d")
    assert html == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol>\n<li>c</li>\n<li>d</li>\n</ol>\n"


def test_block_quote():
    assert render_markdown("> Zitat") == "<blockquote>\n<p>Zitat</p>\n</blockquote>\n"


def test_markup_outside_the_subset_stays_text():
    html = render_markdown("# Titel\n\n![Bild](x.png)\n\n```\ncode\n```")
    assert {tag for tag, _ in parsed_tags(html)} == {"p"}
    assert "# Titel" in html and "```" in html


@pytest.mark.parametrize("text", HOSTILE_HTML)
def test_raw_html_is_escaped(text):
    html = cite(text)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert [tag for tag, _ in parsed_tags(html)] == ["p"]
    assert "&lt;" in html


def test_markers_are_numbered_by_source_order_not_appearance():
    html = cite("Erst [^b], dann [^a].", {"a": 1, "b": 2})
    assert re.findall(r">\[(\d)\]</a>", html) == ["2", "1"]
    assert hrefs(html) == ["#quelle-2", "#quelle-1"]


def test_citation_markup():
    html = cite("Satz.[^a]", {"a": 1}, prefix="was-ist-das-zitat")
    assert html == (
        '<p>Satz.<sup class="cite"><a href="#quelle-1" id="was-ist-das-zitat-1" '
        'aria-label="Quelle 1">[1]</a></sup></p>\n'
    )


def test_repeated_citation_gets_a_unique_id():
    html = cite("[^a] [^b] [^a] [^a]", {"a": 1, "b": 2})
    ids = [attrs["id"] for tag, attrs in parsed_tags(html) if tag == "a"]
    assert ids == ["q-zitat-1", "q-zitat-2", "q-zitat-1-2", "q-zitat-1-3"]


def test_unknown_marker_stays_text():
    assert cite("Hier [^fehlt].", {"a": 1}) == "<p>Hier [^fehlt].</p>\n"


def test_render_markdown_leaves_markers_as_text():
    assert render_markdown("Teaser [^a]") == "<p>Teaser [^a]</p>\n"


def test_marker_inside_link_text_keeps_the_link():
    html = cite("[siehe [^a]](https://example.org)", {"a": 1})
    assert hrefs(html) == ["https://example.org"]


def test_citation_markers_unique_in_order():
    assert citation_markers("[^b] x [^a] [^b] [^Gross] [^ok-2]") == ["b", "a", "ok-2"]
    assert MARKER_RE.fullmatch("[^a-1]")


def test_unknown_markers():
    assert unknown_markers("[^a] [^x] [^b] [^x]", ["a", "b"]) == ["x"]
    assert unknown_markers("", ["a"]) == []


@pytest.mark.parametrize(
    "url",
    ["https://www.zeit.de/x", "http://example.org", "HTTPS://EXAMPLE.ORG/a?b#c"],
)
def test_is_safe_url_accepts_http_and_https(url):
    assert is_safe_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\nscript:alert(1)",
        " https://example.org",
        "https://exa mple.org",
        "https://example.org\t",
        "&#106;avascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "ftp://example.org",
        "mailto:a@b.de",
        "//example.org",
        "/relativ",
        "https://",
        "https:///pfad",
        "http://[::1",
        "",
        None,
    ],
)
def test_is_safe_url_rejects(url):
    assert not is_safe_url(url)


def test_unsafe_links_finds_every_hostile_variant():
    found = unsafe_links("\n\n".join(HOSTILE_LINKS))
    assert found == [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "javascript :alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example",
        "/relativ",
    ]


def test_unsafe_links_ignores_allowed_links():
    text = "[a](https://a.de) [b](http://b.de/x) [c](mailto:c@d.de) [d](#frage) [^a]"
    assert unsafe_links(text) == []


def test_source_numbers_follow_source_order():
    document = {"sources": [{"key": "zeit"}, {"key": "dlf"}, {"key": "zeit"}]}
    assert source_numbers(document) == {"zeit": 1, "dlf": 2}
    assert source_numbers({}) == {}


def test_render_document_answers_keys_by_question_key():
    document = {
        "sources": [{"key": "a"}, {"key": "b"}],
        "questions": [
            {"key": "q-1", "anchor": "was-ist", "answer": "Text [^b]", "cites": ["b"]},
            {"key": "q-2", "anchor": "", "answer": "Mehr [^a] [^x]", "cites": ["a"]},
        ],
    }
    rendered = render_document_answers(document)
    assert list(rendered) == ["q-1", "q-2"]
    assert 'id="was-ist-zitat-2"' in rendered["q-1"]
    assert 'id="q-2-zitat-1"' in rendered["q-2"] and "[^x]" in rendered["q-2"]


@settings(max_examples=200, deadline=None)
@given(hostile_markdown_texts)
def test_render_answer_is_always_safe(text):
    html = render_answer(text, {"a": 1, "b": 2}, cite_id_prefix="q-zitat")
    assert "<script" not in html.lower()
    for tag, attrs in parsed_tags(html):
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attrs)
        assert not any("javascript:" in (value or "").lower() for value in attrs.values())
        href = attrs.get("href")
        assert href is None or href.startswith(("https:", "http:", "mailto:", "#"))

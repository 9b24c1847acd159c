"""A corpus of hostile input, and the checks that a page or feed built from it is inert.

Used by tests/test_hostile_input.py (and the URL fuzzing and exposure tests): every string
here goes through the editors' fields and the importer, and whatever is accepted must come
out on every surface as text – never as markup, script, event handler or dangerous link.
"""

from __future__ import annotations

import json
import re

import lxml.html

# name -> text. Short entries fit every field; the long ones test the limits.
SHORT = {
    "script": "<script>alert('xss')</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg/onload=alert(1)>",
    "attribute-breakout": '"><script>alert(1)</script><p title="',
    "single-quote-breakout": "'><img src=x onerror=alert(1) x='",
    "html-javascript-link": '<a href="javascript:alert(1)">Klick</a>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "style": "<style>body{display:none}</style>",
    "close-script": "</script><script>alert(1)</script>",
    "close-comment": "--><script>alert(1)</script><!--",
    "cdata-end": "]]><script>alert(1)</script><![CDATA[",
    "close-textarea": "</textarea><script>alert(1)</script>",
    "close-title": "</title><script>alert(1)</script>",
    "entities": "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &#60;b&#62; &quot; &#x27;",
    "template-syntax": "{{ request.user }} {% debug %} ${7*7} #{7*7}",
    "json-breakout": '"}]}</script><script>alert(1)</script>',
    "sql": "'; DROP TABLE explainers_explainer; --",
    "rtl-zero-width": (
        "Preis \u202egnp.exe\u202c \u2066isoliert\u2069 null\u200bbreite\u200c\u200d\u2060\ufeff"
    ),
    "emoji-combining": (
        "👩\u200d👩\u200d👧\u200d👦 🇺🇦 🏳️\u200d🌈 Z\u0335\u0321a\u0338l\u0335g\u0336o e\u0301"
    ),
    "line-separators": "Zeile\u2028Trenner\u2029Absatz",
    "control-characters": "Steuer\x01\x08\x0b\x0c\x1b\x7f\x85zeichen",
    # Not a link in the editors' Markdown (no autolinks): text, like the <a> above.
    "autolink-javascript": "<javascript:alert(1)>",
}
# Markdown links to dangerous targets, refused in the Markdown fields (teaser, intro,
# answer) and shown as plain text wherever else they are accepted.
LINKS = {
    "md-javascript": "[Klick](javascript:alert(1))",
    "md-javascript-upper": "[Klick](JAVASCRIPT:alert(1))",
    "md-javascript-entities": "[Klick](&#106;avascript&#x3A;alert(1))",
    "md-javascript-tab": "[Klick](java&#9;script:alert(1))",
    "md-data": "[Klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-vbscript": "[Klick](VbScript:msgbox(1))",
}
# Source URLs: every one must be refused ("nur http und https").
URLS = {
    "javascript": "javascript:alert(1)",
    "javascript-upper": "JAVASCRIPT:alert(1)",
    "javascript-leading-space": "  javascript:alert(1)",
    "javascript-control": "\x01\x02javascript:alert(1)",
    "javascript-tab": "java\tscript:alert(1)",
    "javascript-entity": "&#106;avascript:alert(1)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript": "vbscript:msgbox(1)",
    "attribute-breakout": 'https://example.org/" onmouseover="alert(1)',
    "nul": "https://example.org/\x00",
}
LONG_WORD = "Donaudampfschifffahrt" * 476 + "ende"  # 10,000 characters, no space
MEGABYTE = "Wort " * 210_000  # about 1 MB
NUL = "Null\x00zeichen"

HOSTILE = {**SHORT, **LINKS, "long-word": LONG_WORD, "nul": NUL, "megabyte": MEGABYTE}

# What comes out: readers must never get any of these from input.
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "svg", "math"}
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def dangerous_url(value: str) -> bool:
    """Would a browser read this attribute value as a javascript:/data:/vbscript: URL?"""
    return _SCHEME_NOISE.sub("", value or "").lower().startswith(DANGEROUS_SCHEMES)


def parse(html: str):
    return lxml.html.document_fromstring(html)


def assert_inert(html: str, *, json_ld: int = 0, admin: bool = False):
    """No script but the expected JSON-LD blocks, our own static scripts and JSON data
    blocks, no event handler, no dangerous URL, no embedding element. Returns the parsed
    tree."""
    tree = parse(html)
    seen_json_ld = 0
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        tag = element.tag.lower()
        # The admin draws its own icons with inline SVG; readers' pages have none.
        assert tag not in FORBIDDEN_TAGS - ({"svg"} if admin else set()), lxml.html.tostring(
            element
        )[:200]
        if tag == "script":
            kind = (element.get("type") or "").lower()
            if kind == "application/ld+json":
                seen_json_ld += 1
            elif re.match(r"/[^/]" if admin else r"/static/", element.get("src", "")):
                assert not (element.text or "").strip()  # our own static scripts
            elif kind == "application/json":
                json.loads(element.text or "null")  # a data block, e.g. json_script
            else:
                raise AssertionError(f"unexpected script: {lxml.html.tostring(element)[:200]!r}")
        if tag == "meta":
            assert (element.get("http-equiv") or "").lower() != "refresh"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (tag, name, value)
            if name.lower() in URL_ATTRIBUTES:
                assert not dangerous_url(value), (tag, name, value)
    assert seen_json_ld == json_ld, f"{seen_json_ld} JSON-LD blocks, expected {json_ld}"
    return tree


def json_ld_blocks(html: str) -> list[dict]:
    """Each JSON-LD block as the browser's HTML tokenizer cuts it out of the raw page: from
    the opening tag to the first ``</script`` (whatever the case) – so a block that a
    ``</script>`` in the data ended early does not parse."""
    blocks = []
    for match in re.finditer(r'<script type="application/ld\+json">', html):
        end = html.lower().index("</script", match.end())
        blocks.append(json.loads(html[match.end() : end]))
    return blocks


def count(tree, tag: str) -> int:
    return len(tree.findall(f".//{tag}"))


def text_of(tree) -> str:
    return tree.text_content()


def squash(text: str) -> str:
    """Whitespace folded, as a reader sees it (and as templates and XML may rewrap it)."""
    return " ".join(text.split())

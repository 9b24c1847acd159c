"""The nginx side of the static bake: a snippet for a `server {}` block that serves the
baked folder with the headers Django sends, answers older slugs with 301 and withdrawn
explainers with 410, and passes everything else to the app.

Pure text from plain data (explainers/bake/baking.py gathers it from rendered responses):
no header value is written here that Django did not send.

Only URL shapes the bake knows are served from files; any other path, a baked path with
a query string (the index's `?page=N` excepted) and a file the bake has not (yet)
written go to the app. So the folder may change under a running nginx: a page removed
or not baked yet is answered by the app, a withdrawal takes effect as soon as its 410
page exists. Only new 301s need `nginx -s reload`; until then the app answers them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from explainers.bake.bake_files import GONE_FILE

SLUG = "[-a-zA-Z0-9_]+"  # Django's <slug:> converter
# The sub-pages of an explainer that are HTML (the current page, versions, vN, a diff).
_PAGE_TAIL = r"(?:versions/|v[0-9]+/|diff/[0-9]+\.\.[0-9]+/)?"
KEY = "[a-z0-9-]+"  # a question's key (explainers/core/documents.py), in a card's URL
# The same, as the 301 of an older slug answers them (views.diff checks the span first).
_MOVED_TAIL = rf"(?:versions/|v[0-9]+/|diff/[0-9]{{1,6}}\.\.[0-9]{{1,6}}/|feed/|frage/{KEY}/)?"
# whitenoise's name for a file with a content hash (CompressedManifestStaticFilesStorage).
HASHED_STATIC = r"\.[0-9a-f]{12}\.[^/]+$"
_UPSTREAM_RE = re.compile(r"https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
SNIPPET_NAME = "nginx.conf"


@dataclass(frozen=True)
class Headers:
    """What nginx sends for one kind of file: its Content-Type and the other headers
    Django sent with it (security headers, Cache-Control, Content-Language, …)."""

    content_type: str
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Exact:
    """One URL answered from one file, e.g. /feed/ from feed/index.atom."""

    path: str
    file: str
    headers: Headers


@dataclass(frozen=True)
class Spec:
    root: Path  # the served folder (OUTPUT_DIR/public)
    upstream: str  # the app, e.g. http://127.0.0.1:8000
    reader: Headers  # index and explainer pages
    feed: Headers
    gone: Headers  # the 410 page of a withdrawn explainer
    card: Headers | None = None  # the question cards, with their own framing policy
    index_path: str = "/"
    exact: tuple[Exact, ...] = ()  # main feed, sitemap, robots.txt, legal pages
    moved: tuple[tuple[tuple[str, ...], str], ...] = ()  # (older slugs, current slug)
    moved_headers: Headers | None = None
    static_url: str = ""  # "/static/", or "" when static files are not baked
    static: Headers | None = None
    static_hashed: Headers | None = None  # only when hashed names get other headers
    static_types: dict[str, str] = field(default_factory=dict)  # extension → media type


class SnippetError(ValueError):
    """A value nginx cannot be given safely (the message names it)."""


def is_key(key: str) -> bool:
    return re.fullmatch(KEY, key) is not None


def check_upstream(upstream: str) -> str:
    """`http(s)://host[:port]`, nothing else: it is written into the config verbatim."""
    if not _UPSTREAM_RE.fullmatch(upstream):
        raise SnippetError(upstream)
    return upstream


def quoted(value: str) -> str:
    """A double-quoted nginx string. `$` would start a variable and there is no escape
    for it, so such values (and quotes, backslashes, control characters) are refused."""
    if any(char in value for char in '"\\$') or any(ord(char) < 32 for char in value):
        raise SnippetError(value)
    return f'"{value}"'


def stable_value(name: str, value: str) -> str:
    """django-csp builds the policy from a set, so the order of its directives differs
    between processes; sorted, the snippet only changes when the policy does."""
    if name.lower().startswith("content-security-policy"):
        return "; ".join(sorted(part.strip() for part in value.split(";") if part.strip()))
    return value


def _block(head: str, body: list[str]) -> list[str]:
    return [f"{head} {{", *(f"    {line}" if line else line for line in body), "}"]


def _added(headers: Headers) -> list[str]:
    return [
        f"add_header {name} {quoted(stable_value(name, value))} always;"
        for name, value in headers.extra
    ]


def _typed(headers: Headers) -> list[str]:
    return ["types { }", f"default_type {quoted(headers.content_type)};", *_added(headers)]


def _proxy(upstream: str) -> list[str]:
    return [
        f"proxy_pass {upstream};",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        # nginx's own id replaces any a client sent (the app believes trusted proxies)
        "proxy_set_header X-Request-ID $request_id;",
    ]


def _files(match: str, spec: Spec, headers: Headers, try_files: str, before=()) -> list[str]:
    root = f"root {quoted(str(spec.root))};"
    return _block(f"location {match}", [root, *before, *_typed(headers), f"try_files {try_files};"])


def _index(spec: Spec) -> list[str]:
    # Server-level `set`/`if`: an `if` inside the location would drop its try_files.
    # Without a query string the file is /index.html, "?page=N" picks the baked page N,
    # any other query leaves "/index.html?", a name the bake never writes: the app answers.
    choose = _block(
        'if ($args ~ "^page=(?<bake_page>[0-9]{1,6})$")',
        ["set $bake_index /index-page-$bake_page.html;"],
    )
    index = _files(f"= {spec.index_path}", spec, spec.reader, "$bake_index @bake_app")
    return ["set $bake_index /index.html$is_args;", *choose, "", *index]


def _explainers(spec: Spec) -> list[str]:
    # A withdrawn explainer's folder holds only its 410 page: every URL of it answers 410
    # with that page as soon as the file is there (`if` with `return` is safe in a
    # location). "$is_args" makes a request with a query string miss the file: the app
    # answers it.
    gone_check = [
        f"error_page 410 /explainers/$bake_slug/{GONE_FILE};",
        *_block(f"if (-f $document_root/explainers/$bake_slug/{GONE_FILE})", ["return 410;"]),
    ]
    pages = _files(
        f'~ "^/explainers/(?<bake_slug>{SLUG})/{_PAGE_TAIL}$"',
        spec, spec.reader, "${uri}index.html$is_args @bake_app", gone_check,
    )  # fmt: skip
    feeds = _files(
        f'~ "^/explainers/(?<bake_slug>{SLUG})/feed/$"',
        spec, spec.feed, "${uri}index.atom$is_args @bake_app", gone_check,
    )  # fmt: skip
    cards = (
        _files(
            f'~ "^/explainers/(?<bake_slug>{SLUG})/frage/{KEY}/$"',
            spec,
            spec.card,
            "${uri}index.html$is_args @bake_app",
            gone_check,
        )  # fmt: skip
        if spec.card is not None
        else []
    )
    gone = _block(
        f'location ~ "^/explainers/{SLUG}/{re.escape(GONE_FILE)}$"',
        ["internal;", f"root {quoted(str(spec.root))};", *_typed(spec.gone)],
    )
    return [*pages, "", *feeds, "", *([*cards, ""] if cards else []), *gone]


def _moved(spec: Spec) -> list[str]:
    lines: list[str] = []
    for older, current in spec.moved:
        for slug in (*older, current):
            if not re.fullmatch(SLUG, slug):
                raise SnippetError(slug)
        body = ["absolute_redirect off;", *_added(spec.moved_headers or Headers(""))]
        body.append(f"return 301 /explainers/{current}/$bake_rest;")
        match = f'~ "^/explainers/(?:{"|".join(older)})/(?<bake_rest>{_MOVED_TAIL})$"'
        lines += [*_block(f"location {match}", body), ""]
    return lines


def _static(spec: Spec) -> list[str]:
    if not spec.static_url or spec.static is None:
        return []
    types = [f"{media_type} {ext};" for ext, media_type in sorted(spec.static_types.items())]
    text_types = sorted({t for t in spec.static_types.values() if t.startswith("text/")})
    body = [
        f"root {quoted(str(spec.root))};",
        *_block("types", types),
        "default_type application/octet-stream;",  # whitenoise's default too
        # whitenoise names the charset of text files; nginx does for these types
        "charset utf-8;",
        f"charset_types {' '.join(text_types) or 'text/plain'};",
        "gzip_static on;",
        "gzip_vary on;",
        *_added(spec.static),
        "try_files $uri @bake_app;",
    ]
    if spec.static_hashed is not None:
        hashed = [*_added(spec.static_hashed), "try_files $uri @bake_app;"]
        body += _block(f'location ~ "{HASHED_STATIC}"', hashed)
    return _block(f"location ^~ {spec.static_url}", body)


def snippet(spec: Spec) -> str:
    check_upstream(spec.upstream)
    lines = [
        "# Generated by `manage.py bake`; every bake rewrites it. Include it in the server {}",
        "# block of the reader site (TLS, server_name and /media/ stay yours):",
        f"#     include {spec.root.parent / SNIPPET_NAME};",
        "# Files come from the bake; the search, the admin, anything not baked and baked pages",
        f"# asked with a query string (the index's ?page=N excepted) go to {spec.upstream}.",
        "# Reload nginx when this file changed (new 301s); until then the app answers them.",
        "",
        *_index(spec),
        "",
    ]
    for exact in spec.exact:
        try_files = f"/{exact.file}$is_args @bake_app"
        lines += [*_files(f"= {exact.path}", spec, exact.headers, try_files), ""]
    lines += _moved(spec)  # before the explainer pages: the first matching regex wins
    lines += [*_explainers(spec), ""]
    lines += [*_static(spec), ""]
    lines += [*_block("location /", _proxy(spec.upstream)), ""]
    lines += _block("location @bake_app", _proxy(spec.upstream))
    return "\n".join(lines) + "\n"

"""The static bake: every public page as a plain file with exactly the app's bytes, an
nginx snippet with the app's headers, 301s and 410s, and re-bakes of only what a
publication, withdrawal or redaction changed."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from explainers.bake import bake_files, bake_nginx, baking
from explainers.domain.publishing import publish
from explainers.domain.takedown import REDACTED, redact, withdraw
from explainers.models import Explainer
from explainers.reader import held_responses, views
from tests.factories import make_explainer
from tests.support.missing_tools import missing
from tests.support.servers import Nginx, fetch, find_nginx, free_port

pytestmark = pytest.mark.django_db

HOST = "news.example.org"
# Baked files whose bytes may differ from the dynamic page, each with the reason. None may.
ALLOWED_TO_DIFFER: dict[str, str] = {}
# Headers of Django's response that nginx does not copy, and why.
LEFT_OUT = {
    "content-type": "set per location with default_type (compared on its own)",
    "content-length": "nginx counts the file",
    "etag": "nginx makes its own from the file",
    "last-modified": "nginx takes the file's",
    "vary": "a baked file is the German page whoever asks: it does not vary",
    "x-request-id": "names one request to the app",
}
# And what may differ in the ones it copies: django-csp orders the directives of its policy
# as a set iterates, differently in each process; the snippet sorts them.
SAME_UP_TO = {"content-security-policy": bake_nginx.stable_value}
SECURITY_HEADERS = {
    "content-security-policy",
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "x-frame-options",
}


# Fixtures


@pytest.fixture
def site(settings, collected, monkeypatch):
    settings.STATIC_ROOT = str(collected)
    settings.ALLOWED_HOSTS = [HOST, "testserver"]
    settings.SECURE_HSTS_SECONDS = 3600  # HSTS only on secure requests, as the bake makes
    monkeypatch.setattr(views, "INDEX_PAGE_SIZE", 2)  # an index of two pages


@pytest.fixture
def newsroom(site, desk):
    """A: three publications, renamed at v2 (its first slug answers 301); C recommends A;
    B withdrawn; D unrelated."""
    a = make_explainer(slug="alter-name", headline="Sicherheitsgarantien")
    a.questions.filter(position=2).update(answer="Ein Satz über geheime Gespräche.")
    publish(a, user=desk)
    Explainer.objects.filter(pk=a.pk).update(slug="garantien")
    publish(a, user=desk, note="Neuer Kurzname.")
    a.questions.filter(position=1).update(answer="Eine korrigierte Antwort.")
    publish(a, user=desk, kind="correction", note="Zahl korrigiert.")
    c = make_explainer(related=["garantien"])
    publish(c, user=desk)
    b = make_explainer()
    publish(b, user=desk)
    withdraw(b, note="Aus rechtlichen Gründen zurückgezogen.", user=desk)
    d = make_explainer()
    publish(d, user=desk)
    for explainer in (a, b, c, d):
        explainer.refresh_from_db()
    return SimpleNamespace(a=a, b=b, c=c, d=d)


def bake(output: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("bake", str(output), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def baked(newsroom, tmp_path, settings):
    """A full bake, and BAKE_DIR pointing at it."""
    output = tmp_path / "bake"
    bake(output)
    settings.BAKE_DIR = str(output)
    return output


# Helpers


def files_of(public: Path) -> list[str]:
    return sorted(p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file())


def dynamic(path: str):
    return Client().get(path, HTTP_ACCEPT_LANGUAGE="de", secure=True, HTTP_HOST=HOST)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def differing_from_dynamic(public: Path) -> dict[str, str]:
    """Every baked file against what the app answers its URL now, rendered afresh."""
    held_responses.clear()
    cache.clear()
    differing = {}
    for file in files_of(public):
        response = dynamic(bake_files.path_for(file))
        expected = 410 if file.endswith("/" + bake_files.GONE_FILE) else 200
        if response.status_code != expected:
            differing[file] = f"status {response.status_code}"
        elif body_of(response) != (public / file).read_bytes():
            differing[file] = "bytes"
    return differing


def snapshot(output: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every served file and of the snippet."""
    files = {f"public/{f}": output / "public" / f for f in files_of(output / "public")}
    files["nginx.conf"] = output / "nginx.conf"
    return {name: (p.stat().st_ino, p.stat().st_mtime_ns) for name, p in files.items()}


def locations(snippet: str) -> dict[str, list[str]]:
    """Each top-level `location … {` of the snippet with its own lines."""
    found: dict[str, list[str]] = {}
    head, depth = None, 0
    for raw in snippet.splitlines():
        line = raw.strip()
        if depth == 0 and line.startswith("location "):
            head = line.removesuffix("{").strip()
            found[head] = []
        elif depth == 1 and head:
            found[head].append(line)
        depth += line.count("{") - line.count("}")
    return found


def added_headers(lines: list[str]) -> dict[str, str]:
    pairs = (re.fullmatch(r'add_header (\S+) "(.*)" always;', line) for line in lines)
    return {m.group(1).lower(): m.group(2) for m in pairs if m}


def default_type(lines: list[str]) -> str:
    return next(re.fullmatch(r'default_type "(.*)";', x).group(1)
                for x in lines if x.startswith("default_type"))  # fmt: skip


def copied(response) -> dict[str, str]:
    """The headers of Django's response nginx must send too."""
    return {
        name.lower(): SAME_UP_TO.get(name.lower(), lambda _n, v: v)(name, value)
        for name, value in response.items()
        if name.lower() not in LEFT_OUT
    }


# Where pages go


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("/", "index.html"),
        ("/?page=2", "index-page-2.html"),
        ("/feed/", "feed/index.atom"),
        ("/sitemap.xml", "sitemap.xml"),
        ("/robots.txt", "robots.txt"),
        ("/impressum/", "impressum/index.html"),
        ("/explainers/a/", "explainers/a/index.html"),
        ("/explainers/a/v2/", "explainers/a/v2/index.html"),
        ("/explainers/a/diff/1..2/", "explainers/a/diff/1..2/index.html"),
        ("/explainers/a/feed/", "explainers/a/feed/index.atom"),
    ],
)
def test_each_url_has_one_file_and_each_file_answers_its_url(path, file):
    assert bake_files.file_for(path) == file
    assert bake_files.path_for(file) == path


# The full bake


def test_a_full_bake_writes_every_public_page_the_410_page_and_the_static_files(baked, newsroom):
    public = baked / "public"
    files = set(files_of(public))
    a, b, c = newsroom.a.slug, newsroom.b.slug, newsroom.c.slug
    pages = {
        "index.html", "index-page-1.html", "index-page-2.html", "feed/index.atom",
        "sitemap.xml", "robots.txt", "impressum/index.html", "datenschutz/index.html",
        f"explainers/{c}/index.html", f"explainers/{c}/versions/index.html",
        f"explainers/{c}/v1/index.html", f"explainers/{c}/feed/index.atom",
        f"explainers/{b}/410.html",
    }  # fmt: skip
    subpages = ("", "versions/", "v1/", "v2/", "v3/", "diff/1..2/", "diff/2..3/")
    pages |= {f"explainers/{a}/{sub}index.html" for sub in subpages}
    assert pages <= files
    assert not [f for f in files if f.startswith("explainers/alter-name/")]  # an older slug
    assert not [f for f in files if f.startswith(f"explainers/{b}/") and "410" not in f]
    assert "static/explainers/site.css" in files
    assert (baked / "nginx.conf").is_file() and "nginx.conf" not in files  # not served


def test_every_baked_file_is_byte_for_byte_what_the_app_answers(baked):
    assert differing_from_dynamic(baked / "public") == ALLOWED_TO_DIFFER


def test_every_url_of_a_withdrawn_explainer_answers_the_baked_410_page(baked, newsroom):
    gone = (baked / "public" / "explainers" / newsroom.b.slug / "410.html").read_bytes()
    assert "Aus rechtlichen Gründen zurückgezogen." in gone.decode()
    for sub in ("", "versions/", "v1/", "feed/"):
        response = dynamic(f"/explainers/{newsroom.b.slug}/{sub}")
        assert (response.status_code, response.content) == (410, gone), sub


def test_a_second_bake_changes_nothing_and_a_stale_page_is_removed(baked):
    before = snapshot(baked)
    stray = baked / "public" / "explainers" / "gibt-es-nicht" / "index.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("alt")
    printed = bake(baked)
    assert printed.startswith("Dateien: 0 geschrieben, ")
    assert ", 1 entfernt." in printed
    assert not stray.parent.exists()
    assert snapshot(baked) == before


# The nginx snippet


def test_the_snippet_sends_djangos_headers_for_each_kind_of_file(baked, newsroom):
    found = locations((baked / "nginx.conf").read_text())
    a = newsroom.a.slug
    page_location = next(head for head in found if head.startswith('location ~ "^/explainers/(?<'))
    kinds = {
        "location = /": "/",
        page_location: f"/explainers/{a}/",
        "location = /feed/": "/feed/",
        "location = /sitemap.xml": "/sitemap.xml",
        "location = /robots.txt": "/robots.txt",
        "location = /impressum/": "/impressum/",
    }
    for head, path in kinds.items():
        response = dynamic(path)
        assert added_headers(found[head]) == copied(response), head
        assert default_type(found[head]) == response["Content-Type"], head
    assert set(added_headers(found[page_location])) >= SECURITY_HEADERS
    assert default_type(found["location = /feed/"]) == "application/atom+xml; charset=utf-8"


def test_the_snippet_answers_an_older_slug_301_and_a_withdrawn_explainer_410(baked, newsroom):
    text = (baked / "nginx.conf").read_text()
    moved = [head for head in locations(text) if "alter-name" in head]
    assert len(moved) == 1
    assert f"return 301 /explainers/{newsroom.a.slug}/$bake_rest;" in locations(text)[moved[0]]
    django = dynamic("/explainers/alter-name/v1/")
    assert (django.status_code, django["Location"]) == (301, f"/explainers/{newsroom.a.slug}/v1/")
    assert "if (-f $document_root/explainers/$bake_slug/410.html)" in text
    gone = next(lines for head, lines in locations(text).items() if "410" in head)
    assert added_headers(gone) == copied(dynamic(f"/explainers/{newsroom.b.slug}/"))


def test_before_any_withdrawal_the_snippet_already_has_the_410_pages_headers(site, desk, tmp_path):
    explainer = make_explainer()
    publish(explainer, user=desk)
    bake(tmp_path / "bake")
    found = locations((tmp_path / "bake" / "nginx.conf").read_text())
    gone = next(lines for head, lines in found.items() if "410" in head)
    withdraw(explainer, note="Zurückgezogen.", user=desk)
    response = dynamic(f"/explainers/{explainer.slug}/")
    assert response.status_code == 410
    assert added_headers(gone) == copied(response)
    assert default_type(gone) == response["Content-Type"]


@pytest.fixture
def nginx_binary():
    binary = find_nginx()
    if binary is None:
        missing("nginx is missing: apt-get install -y nginx")
    return binary


@pytest.fixture
def nginx(baked, nginx_binary, tmp_path):
    """nginx serving the bake; the app upstream is a closed port (502 = passed on)."""
    text = (baked / "nginx.conf").read_text()
    snippet = tmp_path / "snippet.conf"
    snippet.write_text(text.replace(baking.DEFAULT_UPSTREAM, f"http://127.0.0.1:{free_port()}"))
    server = Nginx(nginx_binary, snippet, tmp_path / "nginx")
    checked = server.test()
    assert checked.returncode == 0, checked.stderr
    with server:
        yield server


def test_nginx_serves_the_bake_with_djangos_headers_301s_and_410s(nginx, baked, newsroom):
    public = baked / "public"
    a, b = newsroom.a.slug, newsroom.b.slug
    for path in (f"/explainers/{a}/", "/", "/?page=2", f"/explainers/{a}/diff/2..3/", "/feed/"):
        status, headers, body = fetch(nginx.base, path)
        assert (status, body) == (200, (public / bake_files.file_for(path)).read_bytes()), path
        django = dynamic(path)
        assert headers["Content-Type"] == django["Content-Type"], path
        nginx_headers = {k.lower(): v for k, v in headers.items() if k.lower() in copied(django)}
        assert copied(django) == {
            k: SAME_UP_TO.get(k, lambda _n, v: v)(k, v) for k, v in nginx_headers.items()
        }, path
    for sub in ("", "v1/", "diff/1..2/", "feed/"):
        status, headers, _body = fetch(nginx.base, f"/explainers/alter-name/{sub}")
        assert (status, headers["Location"]) == (301, f"/explainers/{a}/{sub}"), sub
    gone = (public / "explainers" / b / "410.html").read_bytes()
    for sub in ("", "versions/", "v1/", "feed/"):
        status, headers, body = fetch(nginx.base, f"/explainers/{b}/{sub}")
        assert (status, body, headers["X-Robots-Tag"]) == (410, gone, "noindex"), sub
    assert fetch(nginx.base, "/static/explainers/site.css")[0] == 200
    for dynamic_only in ("/suche/?q=Frage", "/admin/", f"/explainers/{a}/?utm=x", "/?page=9"):
        assert fetch(nginx.base, dynamic_only)[0] == 502, dynamic_only  # passed to the app


def test_a_withdrawal_reaches_a_running_nginx_without_a_reload(
    nginx, baked, newsroom, desk, django_capture_on_commit_callbacks
):
    path = f"/explainers/{newsroom.d.slug}/"
    assert fetch(nginx.base, path)[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(newsroom.d, note="Zurückgezogen.", user=desk)
    status, _headers, body = fetch(nginx.base, path)
    assert status == 410 and "Zurückgezogen." in body.decode()


# Re-bakes with BAKE_DIR


def test_publishing_rebakes_only_the_affected_files_each_replaced_whole(
    baked, newsroom, desk, django_capture_on_commit_callbacks
):
    before = snapshot(baked)
    a, c = newsroom.a, newsroom.c.slug
    Explainer.objects.filter(pk=a.pk).update(headline="Sicherheitsgarantien, neu gefasst")
    a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        publish(a, user=desk, note="Neue Lage.")
    after = snapshot(baked)
    changed = {name for name in after if before.get(name) != after[name]}
    a = a.slug
    must_change = {
        # the explainer: current page, versions, feed, the new version and its diff, and
        # v3, which is an older version now
        f"public/explainers/{a}/index.html", f"public/explainers/{a}/versions/index.html",
        f"public/explainers/{a}/feed/index.atom", f"public/explainers/{a}/v4/index.html",
        f"public/explainers/{a}/diff/3..4/index.html", f"public/explainers/{a}/v3/index.html",
        # its question cards (they name the headline and the date)
        *(f"public/explainers/{a}/frage/q-000{n}/index.html" for n in (1, 2, 3)),
        # the index (A moves to the top), the main feed and the sitemap
        "public/index.html", "public/index-page-1.html", "public/index-page-2.html",
        "public/feed/index.atom", "public/sitemap.xml",
    }  # fmt: skip
    # C recommends A: re-rendered, rewritten if A's current headline shows there
    may_change = {f"public/explainers/{c}/index.html", f"public/explainers/{c}/v1/index.html"}
    assert must_change <= changed <= must_change | may_change
    assert set(before) <= set(after)
    for name in changed & set(before):
        assert after[name][0] != before[name][0], name  # a new inode: renamed over, not rewritten
    assert not [f for f in files_of(baked) if f.endswith(".tmp")]
    assert differing_from_dynamic(baked / "public") == ALLOWED_TO_DIFFER


def test_a_new_slug_moves_the_pages_and_the_snippet_gets_the_301(
    baked, newsroom, desk, django_capture_on_commit_callbacks
):
    a, c = newsroom.a, newsroom.c.slug
    before = snapshot(baked)
    Explainer.objects.filter(pk=a.pk).update(slug="garantien-neu")
    a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        publish(a, user=desk, note="Umbenannt.")
    public = baked / "public"
    after = snapshot(baked)
    for page in (f"public/explainers/{c}/index.html", f"public/explainers/{c}/v1/index.html"):
        assert after[page] != before[page]  # C's recommendation of A changed with its slug
    assert not (public / "explainers" / "garantien").exists()
    assert (public / "explainers" / "garantien-neu" / "v4" / "index.html").is_file()
    text = (baked / "nginx.conf").read_text()
    assert "return 301 /explainers/garantien-neu/$bake_rest;" in text
    assert "alter-name|garantien" in text
    assert differing_from_dynamic(public) == ALLOWED_TO_DIFFER


def test_withdrawing_turns_the_pages_into_the_410_page_and_drops_them_elsewhere(
    baked, newsroom, desk, django_capture_on_commit_callbacks
):
    a = newsroom.a
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(a, note="Aus rechtlichen Gründen zurückgezogen.", user=desk)
    public = baked / "public"
    assert [f for f in files_of(public) if f.startswith(f"explainers/{a.slug}/")] == [
        f"explainers/{a.slug}/410.html"
    ]
    for file in ("index.html", "index-page-1.html", "feed/index.atom", "sitemap.xml",
                 f"explainers/{newsroom.c.slug}/index.html"):  # fmt: skip
        assert f"/explainers/{a.slug}/" not in (public / file).read_text(), file
    assert differing_from_dynamic(public) == ALLOWED_TO_DIFFER


def test_publishing_again_brings_a_withdrawn_explainer_back(
    baked, newsroom, desk, django_capture_on_commit_callbacks
):
    b = newsroom.b
    b.questions.filter(position=1).update(answer="Überarbeitet.")
    with django_capture_on_commit_callbacks(execute=True):
        publish(b, user=desk, note="Wieder online.")
    files = [f for f in files_of(baked / "public") if f.startswith(f"explainers/{b.slug}/")]
    assert f"explainers/{b.slug}/410.html" not in files
    assert f"explainers/{b.slug}/v1/index.html" in files
    assert differing_from_dynamic(baked / "public") == ALLOWED_TO_DIFFER


def test_redacting_removes_the_passage_from_every_baked_file(
    baked, newsroom, desk, django_capture_on_commit_callbacks
):
    passage = "geheime Gespräche"
    public = baked / "public"

    def holding(text):
        return [f for f in files_of(public) if text.encode() in (public / f).read_bytes()]

    assert len(holding(passage)) >= 4  # the current page and v1–v3 at least
    with django_capture_on_commit_callbacks(execute=True):
        redact(newsroom.a, passage=passage, reason="Einstweilige Verfügung", user=desk)
    assert holding(passage) == []
    assert holding(REDACTED)
    assert differing_from_dynamic(public) == ALLOWED_TO_DIFFER


def test_a_failing_rebake_is_logged_and_the_publication_stands(
    baked, newsroom, desk, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(self, path):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(baking.Renderer, "get", broken)
    a = newsroom.a
    a.questions.filter(position=1).update(answer="Noch eine Fassung.")
    with (
        caplog.at_level(logging.ERROR, logger="explainers.bake.baking"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publication = publish(a, user=desk, note="Neue Lage.")
    assert publication.number == 4
    [record] = [r for r in caplog.records if r.name == "explainers.bake.baking"]
    assert record.exc_info and "disk on fire" in str(record.exc_info[1])
    assert "manage.py bake" in record.getMessage()


def test_without_a_full_bake_first_a_rebake_writes_nothing(
    newsroom, desk, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.BAKE_DIR = str(tmp_path / "leer")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(newsroom.d, note="Zurückgezogen.", user=desk)
    assert not (tmp_path / "leer").exists()


def test_without_bake_dir_nothing_is_scheduled(newsroom, desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        withdraw(newsroom.d, note="Zurückgezogen.", user=desk)
    assert all(getattr(c, "__module__", "") != "explainers.bake.baking" for c in callbacks)


def test_a_file_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "seite" / "index.html"
    bake_files.write_atomic(target, b"alt")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(bake_files.os, "replace", fail)
    with pytest.raises(OSError):
        bake_files.write_atomic(target, b"neu" * 1000)
    assert target.read_bytes() == b"alt"
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.html"]


# The command's errors


def test_an_output_dir_that_is_a_file_or_below_one_is_a_clear_command_error(site, tmp_path):
    a_file = tmp_path / "datei"
    a_file.write_text("x")
    with pytest.raises(CommandError, match="OUTPUT_DIR ist kein Ordner"):
        bake(a_file)
    with pytest.raises(CommandError, match="In OUTPUT_DIR kann nicht geschrieben werden"):
        bake(a_file / "darunter")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "evil.example"], "steht nicht in ALLOWED_HOSTS"),
        (["--upstream", "http://app:8000/pfad;"], "--upstream muss http"),
    ],
)
def test_a_host_not_allowed_or_a_bad_upstream_is_a_clear_command_error(site, tmp_path, args,
                                                                       message):  # fmt: skip
    with pytest.raises(CommandError, match=message):
        bake(tmp_path / "bake", *args)


def test_baking_plain_http_where_the_app_redirects_to_https_is_a_clear_command_error(
    newsroom, settings, tmp_path
):
    settings.SECURE_SSL_REDIRECT = True
    with pytest.raises(CommandError, match="antwortet mit 301 statt 200"):
        bake(tmp_path / "bake", "--scheme", "http")

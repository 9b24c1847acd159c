"""Reader URLs with odd versions, diff ranges, search terms and slugs, through Django's test
client with DEBUG off: the answer is always one of 200, 301/302, 304, 400, 404 or 410 –
never a 500. Methods other than GET and HEAD get 405 from the reader views (require_safe);
the Atom feeds and the sitemap are Django's views and answer any method like GET (in
production the CSRF middleware refuses a POST without a token with 403 first).
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainers.domain.publishing import publish
from explainers.domain.takedown import withdraw
from explainers.models import Explainer, Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

READER_STATUSES = {200, 301, 302, 304, 400, 404, 410}
SAFE_METHODS_ONLY = 405
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """A published explainer with two versions, one renamed (its old slug moved), one
    withdrawn, one draft; built once, rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        live = make_explainer(questions=3, sources=2)
        publish(live)
        Question.objects.filter(explainer=live, position=1).update(answer="Neu. [^quelle-1]")
        publish(live, kind="correction", note="Korrigiert.")
        renamed = make_explainer()
        publish(renamed)
        Explainer.objects.filter(pk=renamed.pk).update(slug="neuer-name")
        publish(Explainer.objects.get(pk=renamed.pk), note="Umbenannt.")
        gone = make_explainer()
        publish(gone)
        withdraw(gone, note="Rechtlich zurückgezogen.")
        draft = make_explainer()
        yield {
            "live": live.slug,
            "moved": renamed.slug,
            "gone": gone.slug,
            "draft": draft.slug,
        }
        transaction.set_rollback(True)


def reader() -> Client:
    return Client(raise_request_exception=False)


def status_of(client: Client, path: str, data=None, method: str = "get") -> int:
    response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    assert response.status_code in READER_STATUSES, (method, path, data, response.status_code)
    return response.status_code


# --- fixed lists ----------------------------------------------------------------------------

VERSIONS = [
    "0", "-1", "1", "2", "3", "01", "99999999999999999999999", "1" * 400, "abc", "1.5", "1e3",
    "%31", "１", "١", "²", "%00", "1%00", " 1", "%ff", "🙂", "",
]  # fmt: skip
SPANS = [
    "1..2", "2..1", "1..1", "..", "1...2", "1..", "..2", "0..1", "-1..2", "1..3",
    "999999999999..1", "1..999999999999", "1" * 7 + "..2", "%00", "1..2%00", "1%2E%2E2",
    "١..٢", "1..٢", "１..２", "²..³", "%ff..%fe", "a..b", "1..2..3", "1 ..2", "🙂..🙂",
    "1" * 10_000 + "..2", "%2e%2e",
]  # fmt: skip
SLUGS = [
    "{live}", "{moved}", "{gone}", "{draft}", "unbekannt", "%41", "%61rklaerstueck", "ärger",
    "%C3%A4rger", ".", "..", "%2e%2e", "...", "a" * 10_000, "a%00b", "%00", "a%2Fb",
    "a%20b", "-", "_", "UPPER", "{live}.", "{live}%20", "%ff", "🙂", "a%5Cb", "%0d%0aX:y",
]  # fmt: skip
SEARCH_TERMS = [
    "", " ", "Antwort", "x" * 200, "x" * 201, "x" * 10_000, "\x00", "a\x00b", "🙂", "👩\u200d👩",
    "' OR 1=1 --", "%", "_", "\\", "\\'", '"', '"unclosed', "-", "--", "OR", "!", ":*", "&|!()",
    "<->", "a & b | !c", "der die das", "<script>alert(1)</script>", "&lt;b&gt;", "\u202e",
    "\ufffd", "ß ẞ", "a" * 199 + "🙂",
]  # fmt: skip
PAGES = ["", "0", "-1", "1", "2", "99999999999999999999999", "abc", "1e3", "2.5", "١", "\x00",
         "%00", " 1"]  # fmt: skip


def reader_paths(site, slug_template: str) -> list[str]:
    slug = slug_template.format(**site)
    base = f"/explainers/{slug}"
    return [
        f"{base}/",
        f"{base}",
        f"{base}/versions/",
        f"{base}/v1/",
        f"{base}/v2/",
        f"{base}/diff/1..2/",
        f"{base}/feed/",
        f"{base}/preview/",
    ]


def test_the_plain_reader_urls_answer_as_expected(site):
    client = reader()
    expected = {
        "/": 200, "/suche/": 200, "/feed/": 200, "/sitemap.xml": 200, "/robots.txt": 200,
        "/impressum/": 200, "/datenschutz/": 200, f"/explainers/{site['live']}/": 200,
        f"/explainers/{site['live']}/diff/1..2/": 200, f"/explainers/{site['live']}/v2/": 200,
        f"/explainers/{site['moved']}/": 301, f"/explainers/{site['gone']}/": 410,
        f"/explainers/{site['draft']}/": 404, f"/explainers/{site['live']}/preview/": 404,
        f"/explainers/{site['live']}": 301,
    }  # fmt: skip
    assert {path: status_of(client, path) for path in expected} == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_odd_slugs_never_fail(site, slug):
    client = reader()
    for path in reader_paths(site, slug):
        status_of(client, path)


def test_odd_version_numbers_never_fail(site):
    client = reader()
    statuses = {v: status_of(client, f"/explainers/{site['live']}/v{v}/") for v in VERSIONS}
    assert statuses["1"] == statuses["2"] == 200
    assert statuses["01"] == 301  # to /v1/: one address per page
    assert statuses["0"] == statuses["3"] == statuses["99999999999999999999999"] == 404
    assert {statuses[v] for v in ("-1", "abc", "１", "١", "²", "%ff")} == {404}
    assert statuses["%00"] == 400  # NUL anywhere in an address (newsroom/nul_guard.py)
    for v in VERSIONS:
        status_of(client, f"/explainers/{site['moved']}/v{v}/")
        status_of(client, f"/explainers/{site['gone']}/v{v}/")


def test_odd_diff_ranges_never_fail(site):
    client = reader()
    statuses = {s: status_of(client, f"/explainers/{site['live']}/diff/{s}/") for s in SPANS}
    assert statuses["1..2"] == statuses["1%2E%2E2"] == 200
    assert {statuses[s] for s in ("2..1", "1..1", "..", "1...2", "%00", "١..٢", "１..２")} == {400}
    assert statuses["1..3"] == statuses["0..1"] == 404
    for span in SPANS:
        status_of(client, f"/explainers/{site['draft']}/diff/{span}/")
        status_of(client, f"/explainers/{site['gone']}/diff/{span}/")


@pytest.mark.parametrize("term", SEARCH_TERMS, ids=range(len(SEARCH_TERMS)))
def test_odd_search_terms_and_pages_never_fail(site, term):
    client = reader()
    status = status_of(client, "/suche/", {"q": term})
    if "\x00" in term or len(term) > 200:
        assert status == 400
    else:
        assert status == 200
    for page in PAGES:
        status_of(client, "/suche/", {"q": term, "page": page})


def test_raw_query_strings_never_fail(site):
    client = reader()
    for query in ["q=%ff", "q=%ff%fe%00", "q=%", "q=%zz", "q=a&q=b", "q[]=a", "page=%00",
                  "q=" + "%F0%9F%99%82" * 100, "q=a;b", "q=%E2%80%AE", "&&&=", "q"]:  # fmt: skip
        status_of(client, f"/suche/?{query}")
        status_of(client, f"/?{query}")
        status_of(client, f"/explainers/{site['live']}/?{query}")
        status_of(client, f"/feed/?{query}")


@pytest.mark.parametrize("page", PAGES)
def test_odd_index_pages_never_fail(site, page):
    expected = 400 if "\x00" in page else 200  # NUL anywhere in an address: 400
    assert status_of(reader(), "/", {"page": page}) == expected


def test_conditional_requests_get_304(site):
    client = reader()
    for path in (f"/explainers/{site['live']}/", f"/explainers/{site['live']}/diff/1..2/", "/"):
        etag = client.get(path)["ETag"]
        assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert status_of(client, path, method="get") == 200


def safe_only_paths(site) -> list[str]:
    live = site["live"]
    return [
        "/", "/suche/?q=Antwort", f"/explainers/{live}/", f"/explainers/{live}/versions/",
        f"/explainers/{live}/v1/", f"/explainers/{live}/diff/1..2/", "/robots.txt",
    ]  # fmt: skip


def test_head_answers_like_get_without_a_body(site):
    client = reader()
    live = site["live"]
    for path in [*safe_only_paths(site), "/feed/", f"/explainers/{live}/feed/", "/sitemap.xml",
                 f"/explainers/{site['moved']}/", f"/explainers/{site['gone']}/",
                 "/explainers/unbekannt/"]:  # fmt: skip
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW", "TRACE"])
def test_other_methods_are_not_allowed_on_reader_pages(site, method):
    client = reader()
    for path in safe_only_paths(site):
        response = client.generic(method, path)
        assert response.status_code == SAFE_METHODS_ONLY, (method, path)
        assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}
    # Django's own views (feeds, sitemap) answer like GET; nothing fails.
    for path in ("/feed/", f"/explainers/{site['live']}/feed/", "/sitemap.xml"):
        assert client.generic(method, path).status_code in {200, SAFE_METHODS_ONLY}
    # The staff preview is 404 for everyone else, whatever the method.
    assert client.generic(method, f"/explainers/{site['live']}/preview/").status_code == 404


# --- hypothesis -----------------------------------------------------------------------------

segments = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["..", ".", "%", "%00", "%ff", "v", "1..2", "🙂", "\x00", "/", "?", "#"]),
    st.integers(-(10**30), 10**30).map(str),
)


def encoded(segment: str) -> str:
    return quote(segment, safe="")


@FUZZ
@given(slug=segments, number=segments, span=segments)
def test_any_slug_version_and_range_never_fail(site, slug, number, span):
    client = reader()
    for base in (f"/explainers/{encoded(slug)}", f"/explainers/{site['live']}"):
        for path in (f"{base}/", f"{base}/v{encoded(number)}/", f"{base}/diff/{encoded(span)}/",
                     f"{base}/feed/", f"{base}/versions/"):  # fmt: skip
            status_of(client, path)


@FUZZ
@given(term=st.text(max_size=250), page=segments)
def test_any_search_term_and_page_never_fail(site, term, page):
    client = reader()
    status = status_of(client, "/suche/", {"q": term, "page": page})
    if "\x00" in term + page or len(term) > 200:
        assert status == 400
    else:
        assert status == 200
    status_of(client, "/", {"page": page})


@FUZZ
@given(path=st.lists(segments, min_size=1, max_size=4))
def test_any_path_never_fails(site, path):
    status_of(reader(), "/" + "/".join(encoded(segment) for segment in path) + "/")


def test_the_lists_cover_what_they_say():
    assert len(list(itertools.chain(VERSIONS, SPANS, SLUGS, SEARCH_TERMS, PAGES))) > 100

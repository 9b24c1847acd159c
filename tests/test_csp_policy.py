"""The policy built once (newsroom/csp.py) sends what django-csp's own middleware sends:
the policy and the report-only policy, each left out where the settings exclude the path,
where the view exempts the page from it, or where the page already carries one."""

import itertools

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from django.http import HttpResponse

from newsroom import csp

REPORT_ONLY = {
    "DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-berichte/"},
    "EXCLUDE_URL_PREFIXES": ["/berichte-frei/"],
}
PATHS = ("/", "/admin/", "/berichte-frei/seite/")
EXEMPTIONS = ((), ("_csp_exempt",), ("_csp_exempt_ro",), ("_csp_exempt", "_csp_exempt_ro"))
SET_BY_VIEW = ((), (HEADER,), (HEADER_REPORT_ONLY,))


@pytest.fixture(params=["policy only", "with report-only", "report-only only"])
def configured(request, settings):
    policy = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/admin/"]}
    if request.param == "report-only only":
        settings.CONTENT_SECURITY_POLICY = None
    else:
        settings.CONTENT_SECURITY_POLICY = policy
    if request.param != "policy only":
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = REPORT_ONLY
    return request.param


def page(exempt, set_by_view):
    response = HttpResponse("<p>Seite</p>")
    for name in exempt:
        setattr(response, name, True)
    for header in set_by_view:
        response[header] = "default-src 'none'"
    return response


def sent(middleware_class, rf, path, exempt, set_by_view) -> dict:
    middleware = middleware_class(lambda request: page(exempt, set_by_view))
    response = middleware(rf.get(path))
    return {name: response.get(name) for name in (HEADER, HEADER_REPORT_ONLY)}


def test_every_page_gets_the_headers_django_csp_would_send(configured, rf):
    kinds = set()
    for path, exempt, set_by_view in itertools.product(PATHS, EXEMPTIONS, SET_BY_VIEW):
        ours = sent(csp.ConstantCSPMiddleware, rf, path, exempt, set_by_view)
        theirs = sent(CSPMiddleware, rf, path, exempt, set_by_view)
        assert ours == theirs, (path, exempt, set_by_view)
        if not set_by_view:
            kinds.add(tuple(name for name, value in ours.items() if value))
    expected = {
        "policy only": {(HEADER,), ()},
        "with report-only": {(HEADER, HEADER_REPORT_ONLY), (HEADER,), (HEADER_REPORT_ONLY,), ()},
        "report-only only": {(HEADER_REPORT_ONLY,), ()},
    }
    assert kinds == expected[configured]


def test_the_report_only_policy_names_where_reports_go(configured, rf):
    headers = sent(csp.ConstantCSPMiddleware, rf, "/", (), ())
    if configured == "policy only":
        assert headers[HEADER_REPORT_ONLY] is None
    else:
        assert "report-uri /csp-berichte/" in headers[HEADER_REPORT_ONLY]
    assert (headers[HEADER] is None) == (configured == "report-only only")

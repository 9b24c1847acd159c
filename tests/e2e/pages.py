"""The reader pages the e2e tests visit, by a short name used in test ids and file names."""

from explainers.domain.demo import SLUG

PAGES = {
    "index": "/",
    "explainer": f"/explainers/{SLUG}/",
    "versions": f"/explainers/{SLUG}/versions/",
    "version-1": f"/explainers/{SLUG}/v1/",
    "diff-1-3": f"/explainers/{SLUG}/diff/1..3/",
    "search": "/suche/?q=Sicherheitsgarantien",
    "impressum": "/impressum/",
    "datenschutz": "/datenschutz/",
}

# Error pages readers reach: an unknown explainer (404) and a malformed diff span (400).
ERROR_PAGES = {
    "not-found": ("/explainers/gibt-es-nicht/", 404),
    "bad-request": (f"/explainers/{SLUG}/diff/3..1/", 400),
}

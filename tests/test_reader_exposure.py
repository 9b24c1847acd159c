"""Anonymous readers never see what is not published: a draft, the preview, an unpublished
revision, an internal note, or a scheduled publication before its time – on any surface
(pages, old versions and diffs guessed by number, feeds, sitemap, search, index, JSON-LD,
headers). Each secret carries its own marker word, searched for in every answer.

tests/test_permissions.py covers the admin URLs by role; tests/test_reader.py the basic
"a draft is 404"; here every reader surface is searched for every marker.
"""

from __future__ import annotations

import datetime

import pytest
import reversion
from django.db import transaction
from django.test import Client
from django.utils import timezone

from explainers.domain.publishing import publish
from explainers.domain.revisions import record_revision
from explainers.domain.scheduling import publish_due, schedule
from explainers.models import Explainer, Publication, Question, RelatedLink, Source
from tests.factories import make_explainer, make_user
from tests.hostile import json_ld_blocks

pytestmark = pytest.mark.django_db

# One lower-case word per secret, so that slugs derived from them carry it too.
MARKERS = {
    "public-internal-note": "interngeheimvorab",
    "working-copy": "arbeitsstandgeheim",
    "scheduled": "planunggeheim",
    "scheduled-internal-note": "interngeheimplanung",
    "draft": "entwurfgeheim",
}
TOMORROW = datetime.timedelta(days=1)


def edit_everything(explainer: Explainer, marker: str, *, rename: bool = False) -> None:
    """Put `marker` into every field, question, source and the byline of the working copy,
    as one revision (what the admin does on save)."""
    Explainer.objects.filter(pk=explainer.pk).update(
        headline=f"Überschrift {marker}",
        kicker=f"Dachzeile {marker}",
        teaser=f"Teaser {marker}",
        intro=f"Einleitung {marker}",
        byline=f"Anna {marker}",
        image_alt=f"Bild {marker}",
        **({"slug": f"slug-{marker}"} if rename else {}),
    )
    Question.objects.filter(explainer=explainer).update(answer=f"Antwort {marker}.")
    Question.objects.create(
        explainer=explainer, position=99, key=f"q-{marker[:20]}", anchor=f"frage-{marker}",
        question=f"Neue Frage {marker}?", answer=f"Neue Antwort {marker}.",
    )  # fmt: skip
    Source.objects.create(
        explainer=explainer, position=99, key=f"quelle-{marker[:20]}", label=f"Quelle {marker}"
    )
    with reversion.create_revision():
        record_revision(Explainer.objects.get(pk=explainer.pk), comment=f"Kommentar {marker}")


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        desk = make_user("exposure-desk", publish=True)
        online = make_explainer(questions=2, sources=1)
        publish(
            online, note="Erste Fassung.", internal_note=f"Intern {MARKERS['public-internal-note']}"
        )
        # Planned for tomorrow, with its own text and internal note …
        edit_everything(online, MARKERS["scheduled"])
        plan = schedule(
            Explainer.objects.get(pk=online.pk),
            publish_at=timezone.now() + TOMORROW,
            kind="correction",
            note=f"Korrektur {MARKERS['scheduled']}",
            internal_note=f"Intern {MARKERS['scheduled-internal-note']}",
            user=desk,
        )
        # … and edited further since, under a new working-copy slug, never published.
        edit_everything(Explainer.objects.get(pk=online.pk), MARKERS["working-copy"], rename=True)
        draft = make_explainer(slug=f"slug-{MARKERS['draft']}", headline=MARKERS["draft"])
        edit_everything(draft, MARKERS["draft"])
        # A published explainer recommending the draft, in its working copy and its document.
        recommending = make_explainer(related=[])
        RelatedLink.objects.create(explainer=recommending, target=draft, position=1)
        publish(Explainer.objects.get(pk=recommending.pk))
        RelatedLink.objects.create(
            explainer=Explainer.objects.get(pk=online.pk), target=draft, position=1
        )
        assert publish_due() == []  # not yet
        yield {
            "online": online,
            "public_slug": online.slug,
            "working_slug": f"slug-{MARKERS['working-copy']}",
            "draft": draft,
            "recommending": recommending.slug,
            "plan": plan,
            "desk": desk,
        }
        transaction.set_rollback(True)


def surfaces(site) -> dict[str, str]:
    public, working = site["public_slug"], site["working_slug"]
    draft = site["draft"].slug
    paths = {
        "index": "/",
        "index-page-2": "/?page=2",
        "feed": "/feed/",
        "sitemap": "/sitemap.xml",
        "robots": "/robots.txt",
        "recommending-page": f"/explainers/{site['recommending']}/",
    }
    for name, slug in (("public", public), ("working-slug", working), ("draft", draft)):
        paths |= {
            f"{name}-page": f"/explainers/{slug}/",
            f"{name}-versions": f"/explainers/{slug}/versions/",
            f"{name}-feed": f"/explainers/{slug}/feed/",
            f"{name}-preview": f"/explainers/{slug}/preview/",
            f"{name}-preview-query": f"/explainers/{slug}/?preview=1&vorschau=1",
        }
        for number in (0, 1, 2, 3):
            paths[f"{name}-v{number}"] = f"/explainers/{slug}/v{number}/"
        for span in ("1..2", "0..1", "1..3", "2..3"):
            paths[f"{name}-diff-{span}"] = f"/explainers/{slug}/diff/{span}/"
    for name, marker in MARKERS.items():
        paths[f"search-{name}"] = f"/suche/?q={marker}"
    paths["search-everything"] = "/suche/?q=Antwort"
    return paths


SURFACE_NAMES = sorted(
    surfaces(
        {"public_slug": "p", "working_slug": "w", "draft": Explainer(slug="d"), "recommending": "r"}
    )
)


def assert_no_marker(response, where: str, echoed: str = "") -> str:
    """No marker in the body or the headers (but `echoed`, the search term, may be repeated
    back to the reader who typed it)."""
    body = response.content.decode("utf-8", "replace").lower()
    headers = str(response.headers).lower()
    if echoed:
        assert "search-results" not in body, f"{where}: hits"
        body = body.replace(echoed, "")
    for name, marker in MARKERS.items():
        assert marker not in body, f"{where}: {name} shows"
        assert marker not in headers, f"{where}: {name} in the headers"
    return body


@pytest.mark.parametrize("surface", SURFACE_NAMES)
def test_no_reader_surface_shows_anything_unpublished(site, surface):
    path = surfaces(site)[surface]
    client = Client(raise_request_exception=False)
    response = client.get(path)
    assert response.status_code in (200, 301, 404), (path, response.status_code)
    searched_marker = surface.startswith("search-") and surface != "search-everything"
    echoed = path.partition("?q=")[2] if searched_marker else ""
    assert_no_marker(response, path, echoed)
    if response.status_code == 301:  # follow it once: the target must not show them either
        assert_no_marker(client.get(response["Location"]), response["Location"])
    assert_no_marker(client.head(path), f"HEAD {path}", echoed)


def test_guessed_versions_and_diffs_beyond_the_published_one_are_404(site):
    client = Client()
    slug = site["public_slug"]
    assert client.get(f"/explainers/{slug}/v1/").status_code == 200
    for path in (f"/explainers/{slug}/v2/", f"/explainers/{slug}/diff/1..2/",
                 f"/explainers/{site['working_slug']}/", f"/explainers/{site['draft'].slug}/",
                 f"/explainers/{slug}/preview/"):  # fmt: skip
        assert client.get(path).status_code == 404, path


def test_the_json_ld_and_feed_carry_only_the_publication(site):
    client = Client()
    publication = Publication.objects.get(explainer=site["online"])
    html = client.get(f"/explainers/{site['public_slug']}/").content.decode()
    [data] = json_ld_blocks(html)
    assert data["headline"] == publication.document["headline"]
    assert "correction" not in data  # the planned correction is not out yet
    feed = client.get("/feed/").content.decode()
    assert feed.count("<entry>") == 2  # the online explainer's v1 and the recommending one


def test_logged_in_staff_see_the_preview_but_it_is_never_cached_for_readers(site):
    staff = Client()
    staff.force_login(site["desk"])
    path = f"/explainers/{site['working_slug']}/preview/"
    response = staff.get(path)
    assert response.status_code == 200 and MARKERS["working-copy"] in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert_no_marker(Client().get(path), path)
    assert Client().get(path).status_code == 404


def test_when_the_plan_is_due_its_text_is_out_but_no_internal_note_or_later_edit(site):
    [outcome] = publish_due(now=timezone.now() + TOMORROW * 2)
    assert outcome.published is not None and outcome.published.number == 2
    client = Client()
    slug = site["public_slug"]
    html = client.get(f"/explainers/{slug}/").content.decode().lower()
    assert MARKERS["scheduled"] in html
    for path in (f"/explainers/{slug}/", f"/explainers/{slug}/diff/1..2/", "/feed/",
                 f"/explainers/{slug}/versions/", f"/suche/?q={MARKERS['scheduled']}",
                 f"/explainers/{slug}/feed/", "/"):  # fmt: skip
        body = client.get(path).content.decode().lower()
        for name in ("working-copy", "scheduled-internal-note", "public-internal-note", "draft"):
            assert MARKERS[name] not in body, (path, name)
    assert client.get(f"/explainers/{site['working_slug']}/").status_code == 404

"""Reader-side edges: one address per page, the UI language only from Accept-Language, and a
reader signal that never follows a planted link."""

import os

import pytest
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.reader import reader_signal
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def online():
    explainer = make_explainer(questions=2, slug="online")
    publish(explainer)
    explainer.teaser = "Neuer Teaser."
    explainer.save()
    publish(explainer, kind="update", note="Aktualisiert")
    return explainer


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("/explainers/online/v00002/", "/explainers/online/v2/"),
        ("/explainers/online/v01/", "/explainers/online/v1/"),
        ("/explainers/online/diff/01..02/", "/explainers/online/diff/1..2/"),
        ("/explainers/online/diff/1..002/", "/explainers/online/diff/1..2/"),
    ],
)
def test_a_version_or_diff_with_leading_zeros_redirects_to_its_one_address(
    client, online, asked, canonical
):
    response = client.get(asked)
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


def test_reader_pages_ignore_the_language_cookie_and_follow_accept_language(client, online):
    client.cookies["django_language"] = "en"
    german = client.get("/explainers/online/", HTTP_ACCEPT_LANGUAGE="de")
    assert german["Content-Language"] == "de"
    assert "Die Fragen" in german.content.decode()
    english = client.get("/explainers/online/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"
    assert "Cookie" not in german.get("Vary", "")


def test_the_admin_keeps_its_language_cookie(client, reporter):
    client.force_login(reporter)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "en"


def test_the_reader_signal_never_writes_through_a_planted_link(tmp_path, settings, monkeypatch):
    victim = tmp_path / "victim"
    victim.write_bytes(b"unangetastet")
    planted = tmp_path / "signal"
    planted.symlink_to(victim)
    monkeypatch.setattr(reader_signal, "signal_path", lambda: planted)
    settings.READER_SIGNAL_SHARED = False
    before = reader_signal.current_mark()
    reader_signal.announce_change()
    assert victim.read_bytes() == b"unangetastet"
    assert (
        reader_signal.current_mark()
        == before
        == (
            os.lstat(planted).st_ino,
            os.lstat(planted).st_size,
        )
    )

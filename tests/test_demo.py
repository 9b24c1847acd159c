"""load_demo: the seed published as v1, a minor fix v2, a correction v3; idempotent."""

import pytest
from django.core.management import call_command

from explainers.domain.demo import COMPLETED, CORRECTION_NOTE, SLUG
from explainers.models import Explainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_file(tmp_path, settings):
    settings.DEBUG = True  # the development database, as `make run` has it
    settings.DEMO_LOGIN_FILE = tmp_path / "demo-login.txt"
    return settings.DEMO_LOGIN_FILE


def test_the_demo_has_three_publications_first_minor_correction(login_file, capsys):
    call_command("load_demo")
    explainer = Explainer.objects.get(slug=SLUG)
    v1, v2, v3 = explainer.publications.order_by("number")
    assert [p.kind for p in (v1, v2, v3)] == ["first", "minor", "correction"]
    assert "ähnliche wie" in v1.document["questions"][2]["answer"]
    assert "ähnlich wie" in v2.document["questions"][2]["answer"]
    assert v2.stand_at == v1.stand_at and v2.note == ""
    assert v3.note == CORRECTION_NOTE
    assert v3.document["intro"].split("\n\n")[0].endswith(COMPLETED)
    assert v3.stand_at == v3.published_at
    out = capsys.readouterr().out
    assert "Fassung v3" in out and "/admin/" in out and "Login: desk / " in out


def test_loading_the_demo_twice_changes_nothing_and_prints_the_same_login(login_file, capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    assert capsys.readouterr().out == first
    assert Explainer.objects.get(slug=SLUG).publications.count() == 3


def test_the_desk_login_works_and_is_kept_in_the_login_file(login_file, client):
    call_command("load_demo")
    username, password = login_file.read_text().strip().split(":")
    assert client.login(username=username, password=password)
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="desk").has_perm("explainers.publish_explainer")


def test_without_debug_no_demo_login_is_created(login_file, settings):
    settings.DEBUG = False
    call_command("load_demo")
    assert not login_file.exists()
    assert Explainer.objects.get(slug=SLUG).publications.first().published_by is None

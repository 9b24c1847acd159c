import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.fixture(autouse=True)
def _clear_cache():
    # SQLite reuses ids after a rollback, so a cached page could outlive its test.
    # Pure-core tests may run without Django settings (-p no:django): nothing to clear.
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.core.cache import cache

    from explainers.reader import held_responses

    cache.clear()
    held_responses.clear()
    yield
    cache.clear()
    held_responses.clear()


@pytest.fixture(autouse=True)
def _no_login_limiter(request):
    """Tests log in with force_login; the limiter (django-axes) is on only in its own
    tests, marked `login_limiter`."""
    from django.conf import settings

    if not settings.configured or request.node.get_closest_marker("login_limiter"):
        yield
        return
    settings.AXES_ENABLED, was = False, settings.AXES_ENABLED
    yield
    settings.AXES_ENABLED = was


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def reporter(db):
    from tests.factories import make_user

    return make_user("reporter")


@pytest.fixture
def desk(db):
    from tests.factories import make_user

    return make_user("desk", publish=True)


# Tests that start servers, bind ports or depend on timing (freshness, a killed worker, a
# crashed database, nginx, Varnish, Redis, the browser) run one after another on one xdist
# worker (`--dist loadgroup`), while the other worker runs the rest.
SERVER_TESTS = {
    "test_backup_restore.py",
    "test_bake.py",
    "test_caches_in_front.py",
    "test_faults.py",
    "test_freshness_live.py",
    "test_login_behind_nginx.py",
    "test_outage_behind_caches.py",
    "test_scale_out_redis.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SERVER_TESTS or item.path.parent.name == "e2e":
            item.add_marker(pytest.mark.xdist_group("servers"))


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic into a folder of this module (never the project's staticfiles/)."""
    root = tmp_path_factory.mktemp("collected")
    with override_settings(STATIC_ROOT=str(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root

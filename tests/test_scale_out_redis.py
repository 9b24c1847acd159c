"""Several app servers behind a load balancer, sharing one Redis: they serve the same
publication, see the desk's changes at once, and a publication leaves the rest of the
cache alone."""

import shutil
import subprocess
import time

import pytest
from django.core.cache import cache

from explainers.domain.publishing import publish
from explainers.domain.takedown import withdraw
from explainers.models import Explainer
from tests.factories import make_explainer
from tests.support.live_servers import fetch, gunicorn
from tests.support.missing_tools import missing
from tests.support.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server on a free loopback port, for this module only."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing("redis-server is missing: apt-get install -y redis-server")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail(f"redis-server did not answer on port {port}")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def shared_cache(settings, redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    settings.READER_SIGNAL_SHARED = True
    cache.clear()
    return redis_url


@pytest.fixture
def two_hosts(tmp_path, shared_cache):
    """Two gunicorns, one worker each, that share nothing but the database and Redis: each
    watches its own signal file, as separate machines would."""
    env = {"REDIS_URL": shared_cache}
    with (
        gunicorn(tmp_path / "a.log", 1, READER_SIGNAL_FILE=str(tmp_path / "a"), **env) as a,
        gunicorn(tmp_path / "b.log", 1, READER_SIGNAL_FILE=str(tmp_path / "b"), **env) as b,
    ):
        yield a, b


def text_on(server, path) -> tuple[int, str]:
    status, _headers, body = fetch(server.base, path)
    return status, body.decode()


def test_app_servers_sharing_redis_serve_each_change_at_once(desk, two_hosts):
    explainer = make_explainer(teaser="Erste Fassung des Vorspanns.")
    publish(explainer, user=desk)
    path = f"/explainers/{explainer.slug}/"
    for server in two_hosts:
        assert "Erste Fassung des Vorspanns." in text_on(server, path)[1]

    Explainer.objects.filter(pk=explainer.pk).update(teaser="Zweite Fassung des Vorspanns.")
    publish(explainer, note="Neu gefasst.", user=desk)
    for server in two_hosts:  # no waiting: the signal is in Redis
        assert "Zweite Fassung des Vorspanns." in text_on(server, path)[1]

    withdraw(explainer, note="Rechtliche Prüfung läuft.", user=desk)
    for server in two_hosts:
        status, text = text_on(server, path)
        assert status == 410
        assert "Rechtliche Prüfung läuft." in text


def test_a_publication_leaves_the_other_explainers_stored_articles_alone(desk, two_hosts):
    first, second = make_explainer(slug="erstes"), make_explainer(slug="zweites")
    publish(first, user=desk)
    publish(second, user=desk)
    a, b = two_hosts
    assert text_on(a, "/explainers/zweites/")[0] == 200
    second_bodies = second.publications.get().article_bodies
    assert "de" in second_bodies

    Explainer.objects.filter(pk=first.pk).update(teaser="Neu gefasst.")
    new = publish(first, note="Neu gefasst.", user=desk)
    assert second.publications.get().article_bodies == second_bodies
    status, text = text_on(b, "/explainers/erstes/")
    assert status == 200 and "Neu gefasst." in text
    new.refresh_from_db()
    assert "Neu gefasst." in new.article_bodies["de"]["html"]

"""Runs inside the Wagtail venv, in the generated project's folder (bench/wagtail/run.py
copies it there): builds the page and prints READY; then, for each line "round" on stdin,
measures `save_revision()` + `publish()` and the page's render in-process, appends one JSON
line to the file named first and prints DONE (bench/wagtail/run.py alternates these rounds
with ours). Imports nothing of ours."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagbench.settings")
sys.path.insert(0, str(Path.cwd()))
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.models import Site  # noqa: E402

TIMES = int(os.environ.get("BENCH_TIMES", "10"))
RENDERS = int(os.environ.get("BENCH_RENDERS", "50"))


def build():
    from explainer_app.models import ExplainerPage

    call_command("makemigrations", "explainer_app", verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", None)
    home = Site.objects.get(is_default_site=True).root_page
    fields = json.loads(Path("page.json").read_text(encoding="utf-8"))
    page = home.add_child(instance=ExplainerPage(**fields))
    page.save_revision(user=user).publish(user=user)
    return user, page.pk


class QueryCount:
    """Counts queries without the debug cursor that CaptureQueriesContext switches on (it
    formats every query with its parameters: time production never spends), as ours
    counts them (bench/inprocess.py)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def save_and_publish(user, pk, round_number):
    from explainer_app.models import ExplainerPage

    rows = []
    for n in range(TIMES):
        page = ExplainerPage.objects.get(pk=pk)
        page.teaser = f"Bench: Speichern und Veröffentlichen {round_number}-{n}."
        queries = QueryCount()
        with connection.execute_wrapper(queries):
            started = time.perf_counter()
            page.save_revision(user=user).publish(user=user)
            elapsed = (time.perf_counter() - started) * 1000
        rows.append((elapsed, queries.count))
    return statistics.median(r[0] for r in rows), int(statistics.median(r[1] for r in rows))


def render(pk):
    from explainer_app.models import ExplainerPage

    url = ExplainerPage.objects.get(pk=pk).url
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"Wagtail page {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    render_sql = len(queries)  # now: the next request resets the query log
    durations = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
    return url, len(response.content), render_sql, statistics.median(durations)


def main():
    import wagtail

    user, pk = build()
    out = Path(sys.argv[1])
    print("READY", flush=True)
    for round_number, line in enumerate(sys.stdin):
        if line.strip() != "round":
            continue
        save_ms, save_sql = save_and_publish(user, pk, round_number)
        url, size, render_sql, render_ms = render(pk)
        result = {
            "wagtail": wagtail.__version__,
            "django": django.get_version(),
            "save_publish_ms": save_ms,
            "save_publish_sql": save_sql,
            "url": url,
            "bytes": size,
            "render_sql": render_sql,
            "render_ms": render_ms,
        }
        with out.open("a") as results:
            results.write(json.dumps(result) + "\n")
        print("DONE", flush=True)


if __name__ == "__main__":
    main()

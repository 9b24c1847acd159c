"""The benchmark's measuring stick: Django's default floor is really `startproject`'s
middleware, the report judges each goal against that floor, and Wagtail's page in
bench/wagtail/ carries the same text and citations as ours."""

import ast
import json
from pathlib import Path

import django

from bench import default_floor_settings, report
from bench.http_load import Summary, Target, WrkResult
from bench.texts import SEED, Words, make_document
from bench.wagtail import project


def startproject_middleware() -> list[str]:
    template = Path(django.__file__).parent / "conf/project_template/project_name/settings.py-tpl"
    for node in ast.parse(template.read_text()).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "MIDDLEWARE":
            return ast.literal_eval(node.value)
    raise AssertionError("no MIDDLEWARE in Django's project template")


def test_the_default_floor_runs_the_middleware_startproject_writes():
    assert startproject_middleware() == default_floor_settings.MIDDLEWARE
    assert not any(
        app.startswith(("explainers", "newsroom")) for app in default_floor_settings.INSTALLED_APPS
    )


def summary(name: str, rps: list[float], goal: float | None = None, server: str = "main"):
    rounds = [WrkResult(r, 10.0, 20.0, {200: 100}, 0) for r in rps]
    return Summary(Target(name, "/", goal=goal, server=server), rounds)


def test_goals_are_judged_per_round_against_the_default_floor():
    floor = summary("default floor", [1000, 2000, 1000], server="default")
    warm = summary("warm", [850, 1500, 790], goal=0.8)  # 0.85, 0.75, 0.79: median 0.79
    cold = summary("cold", [150, 300, 140], goal=0.14)  # 0.15, 0.15, 0.14
    table = report.http_table([floor, warm, cold], "default floor")
    assert "| warm | `/` | 850.0 |" in table
    assert "| 0.79 | ≥ 0.80 **missed** |" in table
    assert "| 0.15 | ≥ 0.14 met |" in table
    assert report.goals_list([floor, warm, cold], "default floor") == [
        "warm: 0.79 × the default floor, ≥ 0.80 **missed**",
        "cold: 0.15 × the default floor, ≥ 0.14 met",
    ]


def test_wagtails_page_carries_our_questions_and_numbered_citations():
    document = make_document(Words(SEED + 8), "bench-eight-questions", 8, [])
    fields = project.page_fields(document)
    assert fields["title"] == document["headline"]
    questions = json.loads(fields["questions"])
    assert [q["value"]["question"] for q in questions] == [
        q["question"] for q in document["questions"]
    ]
    first = questions[0]["value"]["answer"]  # question 1 cites the second source, "dlf"
    assert first.count("<p>") == 3
    assert '<sup><a href="#quelle-dlf">[2]</a></sup>' in first
    assert "[^" not in first


def test_the_bench_counts_every_byte_a_revision_stores(db):
    from reversion.models import Version

    from bench import inprocess
    from explainers.domain.revisions import latest_revision
    from explainers.models import RevisionRows
    from tests.factories import make_explainer

    explainer = make_explainer(questions=8, sources=3)
    revision = latest_revision(explainer)
    stored = sum(len(v.serialized_data.encode()) for v in Version.objects.filter(revision=revision))
    stored += sum(
        len(json.dumps(entry.rows, ensure_ascii=False).encode())
        for entry in RevisionRows.objects.filter(revision=revision)
    )
    per_revision, count = inprocess.bytes_per_revision(explainer.slug)
    assert count == 1
    assert stored * 0.9 <= per_revision <= stored * 1.1, (per_revision, stored)

"""Migrations carry stored explainers forward: back to an earlier state, the demo
explainer written through that state's historical models (rows, a revision, a
publication), forward again, and every document is intact and readable."""

import datetime

import pytest
from django.core import serializers
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from reversion.models import Revision

from explainers.core.documents import content_hash, normalize_document
from explainers.core.rendering import render_document_answers
from explainers.core.textformat import decode_import_bytes, parse_text
from explainers.domain import demo
from explainers.domain.builders import document_from_revision
from explainers.models import Publication

pytestmark = pytest.mark.django_db(transaction=True)

EARLIER = ("explainers", "0004_scheduled_publication")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def create(model, **values):
    """A row through a historical model, with the values that state knows."""
    known = {field.name for field in model._meta.get_fields()}
    return model.objects.create(**{k: v for k, v in values.items() if k in known})


def seed_document() -> dict:
    """The demo's first version: the seed explainer as the importer reads it."""
    text = decode_import_bytes(demo.SEED.read_bytes())
    return normalize_document(parse_text(text, title=demo.TITLE, slug=demo.SLUG).document)


def write_demo(apps, document: dict) -> tuple[int, int]:
    get = apps.get_model
    Explainer, Question, Source, Citation = (
        get("explainers", name) for name in ("Explainer", "Question", "Source", "Citation")
    )
    Publication_, Current = (
        get("explainers", "Publication"),
        get("explainers", "CurrentPublication"),
    )
    Revision_, Version = get("reversion", "Revision"), get("reversion", "Version")
    ContentType = get("contenttypes", "ContentType")
    digest = content_hash(document, "")
    explainer = create(
        Explainer, **{k: document[k] for k in ("headline", "slug", "kicker", "teaser", "intro",
                                               "language")}, content_hash=digest,
    )  # fmt: skip
    sources = {
        source["key"]: create(
            Source,
            explainer=explainer,
            position=position,
            key=source["key"],
            label=source["label"],
            publisher=source["publisher"],
            url=source["url"] or "",
            date=datetime.date.fromisoformat(source["date"]) if source["date"] else None,
            kind=source["kind"],
        )  # fmt: skip
        for position, source in enumerate(document["sources"], start=1)
    }
    rows = [explainer, *sources.values()]
    for position, question in enumerate(document["questions"], start=1):
        row = create(
            Question, explainer=explainer, position=position, key=question["key"],
            anchor=question["anchor"], question=question["question"], answer=question["answer"],
        )  # fmt: skip
        rows.append(row)
        for key in question["cites"]:
            rows.append(create(Citation, explainer=explainer, question=row, source=sources[key]))
    revision = create(Revision_, date_created=datetime.datetime.now(datetime.UTC), comment="alt")
    for row in rows:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="explainers", model=row._meta.model_name
        )
        create(
            Version, revision=revision, object_id=str(row.pk), content_type=content_type,
            db="default", format="json", serialized_data=serializers.serialize("json", [row]),
            object_repr=str(row.pk),
        )  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    publication = create(
        Publication_, explainer=explainer, number=1, revision=revision, document=document,
        content_hash=digest, published_at=now, stand_at=now, first_published_at=now,
        kind="first", rendered_answers=render_document_answers(document), slug=document["slug"],
        change_log=[], question_changes={},
    )  # fmt: skip
    create(Current, explainer=explainer, publication=publication, slug=document["slug"],
           stand_at=now)  # fmt: skip
    return revision.pk, publication.pk


def test_an_explainer_stored_by_an_earlier_release_survives_every_migration_since():
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    document = seed_document()
    try:
        executor = migrate([EARLIER])
        apps = executor.loader.project_state([EARLIER]).apps
        earlier_fields = apps.get_model("explainers", "CurrentPublication")._meta.get_fields()
        assert "withdrawn_at" not in {f.name for f in earlier_fields}  # added by 0006
        revision_id, publication_id = write_demo(apps, document)
        migrate(leaf)
    finally:
        migrate(leaf)  # leave the schema as the rest of the suite expects it

    publication = Publication.objects.get(pk=publication_id)
    assert publication.document == document
    assert document_from_revision(Revision.objects.get(pk=revision_id)) == document
    page = Client().get(f"/explainers/{document['slug']}/")
    assert page.status_code == 200
    assert document["headline"] in page.text
    assert document["questions"][0]["question"] in page.text


def test_going_back_before_revision_rows_gives_every_row_its_own_version_again():
    """A rollback to the release before migration 0023 reads children from versions: the
    way back writes them, and the way forward again reads the same document."""
    from explainers.domain.revisions import latest_revision
    from tests.factories import make_explainer
    from tests.support.revisions import stored_rows_of

    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    explainer = make_explainer(questions=3, sources=2)
    revision = latest_revision(explainer)
    document = document_from_revision(revision)
    stored = sorted((row["model"], row["pk"]) for row in stored_rows_of(revision))
    try:
        executor = migrate([("explainers", "0022_scheduled_source_publication")])
        apps = executor.loader.project_state(
            [("explainers", "0022_scheduled_source_publication")]
        ).apps
        versions = apps.get_model("reversion", "Version").objects.filter(revision_id=revision.pk)
        held = sorted(
            (f"{v.content_type.app_label}.{v.content_type.model}", int(v.object_id))
            for v in versions
        )
        assert held == stored  # the explainer's version and one for each child
        assert [model for model, _pk in held].count("explainers.question") == 3
        migrate(leaf)
    finally:
        migrate(leaf)

    assert document_from_revision(Revision.objects.get(pk=revision.pk)) == document

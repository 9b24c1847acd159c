"""Legal redaction that is complete and cannot take the site down (issue 10, items 6–7).

A passage is found the way a reader sees it, removed from every stored and derived copy
(slugs and anchors get fresh valid names, the old address answers 410), and no later
publish, revert, restore or schedule brings it back or stores a name no URL can carry.
"""

import contextlib
import io
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from explainers.core.identifiers import is_valid_anchor, is_valid_slug
from explainers.core.passages import REDACTED, redact_text
from explainers.domain.publishing import PublishRefused, publish
from explainers.domain.revisions import revert_to_revision, revisions_of
from explainers.domain.scheduling import publish_due, schedule
from explainers.domain.takedown import TakedownRefused, redact
from explainers.models import (
    CurrentPublication,
    Draft,
    Explainer,
    Publication,
    Question,
    Redaction,
    SearchEntry,
    Source,
)
from tests.factories import make_explainer
from tests.support.revisions import rewrite_stored_rows, stored_texts
from tests.test_bake import (  # noqa: F401 - the bake's fixtures
    ALLOWED_TO_DIFFER,
    baked,
    differing_from_dynamic,
    newsroom,
    site,
)

pytestmark = pytest.mark.django_db

PASSAGE = "Minister X soll bestochen worden sein"
PASSAGE_SLUG = "minister-x-soll-bestochen-worden-sein"


# Matching the way a reader sees it


@pytest.mark.parametrize(
    "stored",
    [
        "Gerücht: Minister X soll\nbestochen worden sein.",
        "Gerücht: Minister X soll\r\nbestochen worden sein.",
        "Gerücht: *Minister X* soll **bestochen** worden sein.",
        "Gerücht: Minister&nbsp;X soll bestochen worden&#32;sein.",
        "Gerücht: Minister X soll be&shy;stochen worden sein.",
        "Gerücht: [Minister X](https://example.org/x) soll bestochen worden sein.",
        "> Gerücht: Minister X soll\n> bestochen worden sein.",
    ],
)
def test_a_passage_is_found_however_the_stored_text_splits_it(stored):
    prefix = "> " if stored.startswith(">") else ""
    assert redact_text(stored, PASSAGE) == (f"{prefix}Gerücht: {REDACTED}.", 1)


def test_quotes_dashes_and_references_are_folded_on_both_sides():
    stored = "Er sagte „Minister X“ &#8211; und ging."
    assert redact_text(stored, 'Er sagte "Minister X" - und ging')[0] == f"{REDACTED}."
    assert redact_text("A &amp; B sind schuld", "A & B sind")[0] == f"{REDACTED} schuld"


def test_a_passage_typed_exactly_as_stored_is_found_even_where_readers_do_not_see_it():
    stored = "Siehe [hier](https://example.org/geheim-dossier) und mehr."
    assert redact_text(stored, "https://example.org/geheim-dossier")[1] == 1


def test_a_passage_typed_across_a_line_break_is_found_not_reported_missing(client, desk):
    explainer = make_explainer()
    Question.objects.filter(explainer=explainer, position=1).update(
        answer="Gerücht: Minister X soll\nbestochen *worden* sein."
    )
    publish(explainer, user=desk)
    record = redact(
        explainer, passage="Minister X soll\r\nbestochen worden sein", reason="LG", user=desk
    )
    assert record.replacements >= 2
    assert "bestochen" not in json.dumps(
        [p.document for p in Publication.objects.filter(explainer=explainer)], ensure_ascii=False
    )
    found = client.get(reverse("explainers:search") + "?q=Gerücht").content.decode()
    assert "aus rechtlichen Gründen entfernt" in found and "bestochen" not in found


# Identifiers: slugs, anchors, links


def reader_pages(slug):
    return [
        reverse("explainers:index"),
        reverse("explainers:search") + "?q=Antwort",
        "/sitemap.xml",
        reverse("explainers:feed"),
        reverse("explainers:detail", args=[slug]),
        reverse("explainers:versions", args=[slug]),
        reverse("explainers:explainer_feed", args=[slug]),
    ]


@pytest.fixture
def named_after_it(desk):
    """Slug, an anchor, a source link and a per-question note all carry the passage."""
    explainer = make_explainer(
        slug=f"warum-{PASSAGE_SLUG}",
        headline=f"Warum {PASSAGE}",
        questions=[
            {
                "key": "q-0001",
                "anchor": f"{PASSAGE_SLUG}-stimmt-das",
                "question": f"{PASSAGE} – stimmt das?",
                "answer": "Wir wissen es nicht.",
                "cites": [],
            },
            {
                "key": "q-0002",
                "anchor": "was-sagt-er",
                "question": "Was sagt er?",
                "answer": "Er schweigt. [^zeitung]",
                "cites": ["zeitung"],
            },
        ],  # fmt: skip
        sources=[
            {
                "key": "zeitung",
                "label": "Ein Bericht",
                "publisher": "zeitung.de",
                "url": f"https://zeitung.de/politik/{PASSAGE_SLUG}-100.html",
                "date": None,
                "kind": "article",
            },
        ],  # fmt: skip
    )
    Question.objects.filter(explainer=explainer, key="q-0002").update(
        valid_until_note=f"bis geklärt ist, ob {PASSAGE}"
    )
    publish(explainer, user=desk)
    Question.objects.filter(explainer=explainer, key="q-0002").update(answer="Er schweigt weiter.")
    publish(explainer, user=desk, kind="minor")
    return Explainer.objects.get(pk=explainer.pk)


def everything_stored(explainer) -> str:
    publications = Publication.objects.filter(explainer=explainer)
    stored = [[p.slug, p.document, p.rendered_answers, p.change_summary] for p in publications] + [
        list(CurrentPublication.objects.filter(explainer=explainer).values()),
        list(Explainer.objects.filter(pk=explainer.pk).values()),
        list(Question.objects.filter(explainer=explainer).values()),
        list(Source.objects.filter(explainer=explainer).values()),
        list(SearchEntry.objects.filter(explainer=explainer).values()),
        stored_texts(revisions_of(explainer)),
        [r.comment for r in revisions_of(explainer)],
    ]
    return json.dumps(stored, ensure_ascii=False, default=str).lower()


def test_a_slug_an_anchor_and_a_link_that_carry_the_passage_get_new_valid_names(
    client, desk, named_after_it
):
    old_slug = named_after_it.slug
    redact(named_after_it, passage=PASSAGE, reason="Einstweilige Verfügung", user=desk)
    explainer = Explainer.objects.get(pk=named_after_it.pk)
    stored = everything_stored(explainer)
    assert PASSAGE.lower() not in stored and PASSAGE_SLUG not in stored
    assert explainer.slug == "warum" and is_valid_slug(explainer.slug)
    for publication in Publication.objects.filter(explainer=explainer):
        assert publication.slug == "warum" == publication.document["slug"]
        assert all(is_valid_anchor(q["anchor"]) for q in publication.document["questions"])
        assert publication.document["questions"][0]["anchor"] == "stimmt-das"
        assert publication.document["sources"][0]["url"] is None
    assert Question.objects.get(explainer=explainer, key="q-0001").anchor == "stimmt-das"
    assert Source.objects.get(explainer=explainer).url == ""
    for url in reader_pages(explainer.slug):
        assert client.get(url).status_code == 200, url
    gone = client.get(reverse("explainers:detail", args=[old_slug]))
    assert gone.status_code == 410
    assert "bestochen" not in gone.content.decode()
    assert "Diese Adresse gibt es nicht mehr" in gone.content.decode()
    assert "zurückgezogen" not in gone.content.decode()


def test_the_redaction_says_what_was_replaced_where_never_the_passage(client, desk, named_after_it):
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_redact", args=[named_after_it.pk])
    response = client.post(url, {"passage": PASSAGE, "reason": "Verfügung"}, follow=True)
    message = " ".join(str(m) for m in response.context["messages"])
    record = Redaction.objects.get()
    assert {"publications", "revisions", "working_copy", "slug", "anchors", "links"} <= set(
        record.places
    )
    assert "Kurzname" in message and "Sprungmarken" in message and "Quellen-Links" in message
    assert "bestochen" not in message
    assert "bestochen" not in json.dumps(list(Redaction.objects.values()), default=str)
    assert "bestochen" not in json.dumps(
        list(LogEntry.objects.values("object_repr", "change_message")), ensure_ascii=False
    )
    assert (
        client.get(
            reverse("admin:explainers_explainer_change", args=[record.explainer_id])
        ).status_code
        == 200
    )


def test_the_admins_recent_actions_lose_the_passage(client, desk, named_after_it):
    LogEntry.objects.log_actions(
        desk.pk, [named_after_it], CHANGE, change_message=f"Frage „{PASSAGE}“ geändert"
    )
    LogEntry.objects.log_actions(
        desk.pk, [named_after_it], CHANGE, change_message=[{"changed": {"fields": [PASSAGE]}}]
    )
    redact(named_after_it, passage=PASSAGE, reason="Verfügung", user=desk)
    kind = ContentType.objects.get_for_model(Explainer)
    for entry in LogEntry.objects.filter(content_type=kind, object_id=str(named_after_it.pk)):
        assert "bestochen" not in entry.object_repr + entry.change_message
        assert "bestochen" not in entry.get_change_message()
    client.force_login(desk)
    assert "bestochen" not in client.get(reverse("admin:index")).content.decode()


# Nothing brings it back, nothing stores a bad name


def test_a_routine_publish_after_the_redaction_does_not_bring_it_back(client, desk, named_after_it):
    redact(named_after_it, passage=PASSAGE, reason="Verfügung", user=desk)
    explainer = Explainer.objects.get(pk=named_after_it.pk)
    Question.objects.filter(explainer=explainer, key="q-0002").update(answer="Neue Antwort.")
    publication = publish(explainer, user=desk, note="Aktualisiert.")
    assert "bestochen" not in json.dumps(publication.document, ensure_ascii=False).lower()
    assert publication.slug == "warum"
    assert client.get(reverse("explainers:detail", args=["warum"])).status_code == 200


def test_a_revert_to_an_older_revision_then_publish_keeps_valid_names(client, desk, named_after_it):
    redact(named_after_it, passage=PASSAGE, reason="Verfügung", user=desk)
    oldest = list(revisions_of(named_after_it))[-1]
    explainer = revert_to_revision(named_after_it, oldest, user=desk)
    assert explainer.slug == "warum"
    publication = publish(explainer, user=desk, note="Zurückgesetzt.")
    assert is_valid_slug(publication.slug)
    assert "bestochen" not in json.dumps(publication.document, ensure_ascii=False).lower()
    for url in reader_pages(publication.slug):
        assert client.get(url).status_code == 200, url


def test_a_schedule_frozen_before_the_redaction_publishes_the_redacted_text(
    client, desk, named_after_it
):
    Question.objects.filter(explainer=named_after_it, key="q-0002").update(answer="Geplant.")
    planned = schedule(
        named_after_it,
        publish_at=timezone.now() + timezone.timedelta(hours=1),
        note="Geplant.",
        user=desk,
    )
    redact(named_after_it, passage=PASSAGE, reason="Verfügung", user=desk)
    [outcome] = publish_due(now=planned.publish_at)
    assert outcome.published is not None, outcome.reason
    assert outcome.published.slug == "warum"
    assert "bestochen" not in json.dumps(outcome.published.document, ensure_ascii=False).lower()
    for url in reader_pages("warum"):
        assert client.get(url).status_code == 200, url


def test_the_database_refuses_a_slug_or_anchor_no_url_can_carry(named_after_it):
    for model, field, pk in [
        (Explainer, "slug", named_after_it.pk),
        (Publication, "slug", named_after_it.publications.first().pk),
        (CurrentPublication, "slug", named_after_it.pk),
        (Question, "anchor", named_after_it.questions.first().pk),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=pk).update(**{field: f"a {REDACTED}"})


def test_publish_refuses_a_revision_whose_slug_no_url_can_carry(desk, named_after_it):
    revision = revisions_of(named_after_it).first()
    version = revision.version_set.get(content_type=ContentType.objects.get_for_model(Explainer))
    rows = json.loads(version.serialized_data)
    rows[0]["fields"]["slug"] = f"warum-{REDACTED}"
    version.serialized_data = json.dumps(rows)
    version.save()
    with pytest.raises(PublishRefused, match="Kurzname ist ungültig"):
        publish(named_after_it, user=desk, revision=revision, note="x")


def test_a_passage_too_short_once_folded_or_repeated_in_the_reason_is_refused(desk, named_after_it):
    with pytest.raises(TakedownRefused, match="mindestens"):
        redact(named_after_it, passage=" *a* \r\n", reason="x", user=desk)
    with pytest.raises(TakedownRefused, match="Begründung darf die Stelle"):
        redact(named_after_it, passage=PASSAGE, reason=f"Verfügung wegen „{PASSAGE}“", user=desk)
    assert not Redaction.objects.exists()


# Repairing what an earlier redaction stored


@contextlib.contextmanager
def database_checks_off():
    """Store what the old redaction stored: past the database's checks."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending triggers: ALTER may run
            for table, name in [
                ("explainers_explainer", "explainer_slug_valid"),
                ("explainers_publication", "publication_slug_valid"),
                ("explainers_currentpublication", "current_slug_valid"),
                ("explainers_question", "question_anchor_valid"),
            ]:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")  # rolled back
            yield


def broken_by_the_old_redaction(explainer):
    bad = f"warum-{REDACTED}"
    with database_checks_off():
        Explainer.objects.filter(pk=explainer.pk).update(slug=bad)
        CurrentPublication.objects.filter(explainer=explainer).update(slug=bad)
        Question.objects.filter(explainer=explainer, key="q-0001").update(anchor=f"{REDACTED}-x")
        for publication in Publication.objects.filter(explainer=explainer):
            document = publication.document
            document["slug"] = bad
            document["questions"][0]["anchor"] = f"{REDACTED}-x"
            Publication.objects.filter(pk=publication.pk).update(slug=bad, document=document)

    def as_the_old_redaction_stored_it(row):
        if "slug" in row["fields"]:
            row["fields"]["slug"] = bad
        if row["fields"].get("key") == "q-0001":
            row["fields"]["anchor"] = f"{REDACTED}-x"

    for revision in revisions_of(explainer):
        rewrite_stored_rows(revision, as_the_old_redaction_stored_it)


def test_repair_publications_gives_a_bad_stored_publication_valid_names(
    client, desk, named_after_it
):
    broken_by_the_old_redaction(named_after_it)
    dry = io.StringIO()
    call_command("repair_publications", "--dry-run", stdout=dry)
    assert "Probelauf" in dry.getvalue()
    assert not is_valid_slug(Publication.objects.filter(explainer=named_after_it).first().slug)
    out = io.StringIO()
    call_command("repair_publications", stdout=out)
    assert "Repariert: 1" in out.getvalue()
    explainer = Explainer.objects.get(pk=named_after_it.pk)
    assert explainer.slug == "warum"
    for publication in Publication.objects.filter(explainer=explainer):
        assert publication.slug == "warum" == publication.document["slug"]
        assert publication.document["questions"][0]["anchor"] == "x"
    assert CurrentPublication.objects.get(explainer=explainer).slug == "warum"
    for url in reader_pages("warum"):
        assert client.get(url).status_code == 200, url
    client.force_login(desk)
    assert (
        client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk])).status_code
        == 200
    )
    again = io.StringIO()
    call_command("repair_publications", stdout=again)
    assert again.getvalue().strip() == "Nichts zu reparieren."
    for revision in revisions_of(explainer):  # a revert cannot bring the bad names back
        reverted = revert_to_revision(explainer, revision, user=desk)
        assert reverted.slug == "warum"
        assert Question.objects.get(explainer=explainer, key="q-0001").anchor == "x"


# The bake keeps no old name on disk


def test_a_redacted_slug_leaves_no_folder_file_or_redirect_in_the_bake(
    baked,  # noqa: F811 - the fixture imported above
    newsroom,  # noqa: F811
    desk,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        explainer = make_explainer(slug=f"warum-{PASSAGE_SLUG}", related=["garantien"])
        publish(explainer, user=desk)
        Explainer.objects.filter(pk=explainer.pk).update(slug=f"{PASSAGE_SLUG}-neu")
        publish(explainer, user=desk, note="Umbenannt.")
        Explainer.objects.filter(pk=newsroom.c.pk).update(slug="empfiehlt")
    public = baked / "public"
    assert (public / "explainers" / f"{PASSAGE_SLUG}-neu" / "index.html").is_file()
    assert PASSAGE_SLUG in (baked / "nginx.conf").read_text()  # the older slug's 301
    with django_capture_on_commit_callbacks(execute=True):
        redact(explainer, passage=PASSAGE, reason="Verfügung", user=desk)
    on_disk = [p.relative_to(baked).as_posix() for p in baked.rglob("*")]
    assert not [name for name in on_disk if "bestochen" in name]
    assert "bestochen" not in (baked / "nginx.conf").read_text()
    assert (public / "explainers" / "neu" / "index.html").is_file()
    assert "return 301 /explainers/neu/$bake_rest;" in (baked / "nginx.conf").read_text()
    assert differing_from_dynamic(public) == ALLOWED_TO_DIFFER


@pytest.mark.django_db(transaction=True)
def test_migrating_repairs_a_bad_publication_before_the_database_checks_names():
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client

    from tests.test_migrations_forward import migrate, seed_document, write_demo

    before = ("explainers", "0010_revision_numbers")
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    document = seed_document()
    document["slug"] = f"{document['slug']}-{REDACTED}"
    document["questions"][0]["anchor"] = f"{REDACTED}-frage"
    try:
        executor = migrate([before])
        _revision, publication_id = write_demo(
            executor.loader.project_state([before]).apps, document
        )
        migrate(leaf)
    finally:
        migrate(leaf)
    publication = Publication.objects.get(pk=publication_id)
    good = seed_document()["slug"]
    assert publication.slug == good == publication.document["slug"]
    assert publication.document["questions"][0]["anchor"] == "frage"
    assert CurrentPublication.objects.get(pk=publication.explainer_id).slug == good
    assert Client().get(f"/explainers/{good}/").status_code == 200
    assert Client().get("/").status_code == 200


def test_a_working_copy_that_brings_the_passage_back_is_not_published(desk, named_after_it):
    """E.g. an editor's form opened before the redaction, merged on save."""
    redact(named_after_it, passage=PASSAGE, reason="Verfügung", user=desk)
    explainer = Explainer.objects.get(pk=named_after_it.pk)
    Question.objects.filter(explainer=explainer, key="q-0002").update(
        answer="Wie berichtet: Minister X soll\nbestochen worden sein."
    )
    with pytest.raises(PublishRefused, match="Frage „Was sagt er\\?“"):
        publish(explainer, user=desk, note="Aktualisiert.")
    with pytest.raises(PublishRefused, match="geschwärzt"):
        schedule(explainer, publish_at=timezone.now() + timezone.timedelta(hours=1), note="x")
    Explainer.objects.filter(pk=explainer.pk).update(slug=f"neu-{PASSAGE_SLUG}")
    Question.objects.filter(explainer=explainer, key="q-0002").update(answer="Sauber.")
    with pytest.raises(PublishRefused, match="Kurzname"):
        publish(Explainer.objects.get(pk=explainer.pk), user=desk, note="Aktualisiert.")


def test_a_revision_that_differs_only_in_its_slug_is_cleaned_too(client, desk):
    explainer = make_explainer(slug=f"warum-{PASSAGE_SLUG}")
    publish(explainer, user=desk)
    redact(explainer, passage=PASSAGE, reason="Verfügung", user=desk)
    for revision in revisions_of(explainer):
        reverted = revert_to_revision(explainer, revision, user=desk)
        assert reverted.slug == "warum"
    assert PASSAGE_SLUG not in everything_stored(explainer)


def test_a_source_key_made_from_the_passage_is_renamed_with_its_citations(client, desk):
    explainer = make_explainer(
        questions=[
            {
                "key": "q-0001",
                "anchor": "frage",
                "question": "Was wird berichtet?",
                "answer": f"Ein Bericht. [^{PASSAGE_SLUG}]",
                "cites": [PASSAGE_SLUG],
            },
        ],  # fmt: skip
        sources=[
            {
                "key": PASSAGE_SLUG,
                "label": "Ein Bericht",
                "publisher": "zeitung.de",
                "url": None,
                "date": None,
                "kind": "article",
            },
        ],  # fmt: skip
    )
    publish(explainer, user=desk)
    record = redact(explainer, passage=PASSAGE, reason="Verfügung", user=desk)
    assert record.places["source_keys"] >= 3
    assert PASSAGE_SLUG not in everything_stored(explainer)
    assert Source.objects.get(explainer=explainer).key == "quelle"
    [publication] = Publication.objects.filter(explainer=explainer)
    question = publication.document["questions"][0]
    assert (question["answer"], question["cites"]) == ("Ein Bericht. [^quelle]", ["quelle"])
    page = client.get(reverse("explainers:detail", args=[explainer.slug])).content.decode()
    assert "Ein Bericht" in page and 'href="#quelle-1"' in page


def test_restoring_a_question_whose_stored_anchor_is_broken_gives_it_a_valid_one(desk):
    from explainers.desk.question_history import restore_question

    explainer = make_explainer()
    question = Question.objects.get(explainer=explainer, position=1)
    revision = revisions_of(explainer).first()

    def as_the_old_redaction_stored_it(row):
        if row["model"] == "explainers.question" and row["pk"] == question.pk:
            row["fields"]["anchor"] = f"{REDACTED}-frage-1"

    rewrite_stored_rows(revision, as_the_old_redaction_stored_it)
    question.delete()
    restored = restore_question(explainer, revision, question.key, user=desk)
    assert restored.anchor == "frage-1"


def test_a_redacted_headline_leaves_no_trace_in_the_revisions_of_explainers_recommending_it(
    desk,
):
    import reversion

    from explainers.domain.revisions import record_revision
    from explainers.models import RelatedLink

    named = make_explainer(questions=1, headline="Streit um Qzcxwort", slug="streit")
    recommending = make_explainer(questions=1, slug="empfiehlt")
    link = RelatedLink.objects.create(explainer=recommending, target=named, position=1)
    with reversion.create_revision():
        record_revision(recommending, comment="Empfehlung")
    with reversion.create_revision():  # as releases before RevisionRows stored the link
        reversion.add_to_revision(link)
        record_revision(recommending, comment="Empfehlung, alte Art")
    assert Version.objects.filter(object_repr__contains="Qzcxwort").exclude(
        revision__in=revisions_of(named)
    )
    redact(named, passage="Qzcxwort", reason="Verfügung", user=desk)
    assert "qzcxwort" not in stored_texts()


def test_a_form_opened_before_a_redaction_cannot_bring_the_passage_back(client, desk):
    from explainers.models import Question
    from tests.browser_form import loaded_form

    explainer = make_explainer(questions=2)
    Question.objects.filter(explainer=explainer, position=1).update(
        answer="Das *Qzjx*\nQzkx bleibt."
    )
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    stale = loaded_form(client, url)
    redact(explainer, passage="Qzjx Qzkx", reason="Verfügung", user=desk)
    stale["kicker"] = "Neue Dachzeile"
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "inzwischen aus rechtlichen Gründen geschwärzt" in response.content.decode()
    answer = Question.objects.get(explainer=explainer, position=1).answer
    assert "Qzjx" not in answer and REDACTED in answer
    assert "qzjx" not in stored_texts()


def test_an_import_with_replace_cannot_bring_a_redacted_passage_back(desk, tmp_path):
    from explainers.domain.importing import ImportRefused, import_document
    from tests.factories import make_document

    document = make_document(questions=1, headline="Streit um Qzqwort", slug="streit-zwei")
    explainer = import_document(document)
    redact(explainer, passage="Qzqwort", reason="Verfügung", user=desk)
    with pytest.raises(ImportRefused, match="geschwärzt"):
        import_document(document, replace=True)


# Every text field of every model of the app

# Fields no one types text into: codes, digests, keys made by the system, and what the
# redaction keeps itself (its reason may not repeat the passage).
NEVER_TYPED = {
    "Explainer.language", "Explainer.content_hash", "Question.key", "Source.kind",
    "Publication.content_hash", "Publication.kind", "Publication.question_changes",
    "SearchEntry.language", "HandOff.kind", "Comment.question_key", "Comment.question_digest",
    "ScheduledPublication.kind",
    "ScheduledPublication.status", "Redaction.reason", "Redaction.places",
    "Redaction.fingerprint", "RedactedSlug.digest", "AdminPreference.language",
    # a token's hash and prefix are generated; its name says what it is for, not of an
    # explainer (the revisions it wrote name it in their comments, which are redacted)
    "ApiToken.digest", "ApiToken.prefix", "ApiToken.name",
}  # fmt: skip


def text_fields() -> dict[type, list[str]]:
    from django.apps import apps
    from django.db import models

    kinds = (models.CharField, models.TextField, models.JSONField)
    return {
        model: [f.name for f in model._meta.concrete_fields if isinstance(f, kinds)]
        for model in apps.get_app_config("explainers").get_models()
    }


def fields_holding(word: str) -> set[str]:
    found = set()
    for model, names in text_fields().items():
        for row in model.objects.values(*names):
            for name in names:
                if word in json.dumps(row[name], ensure_ascii=False, default=str).lower():
                    found.add(f"{model.__name__}.{name}")
    return found


def test_every_text_field_of_every_model_that_can_hold_the_passage_loses_it(
    client, reporter, desk, django_capture_on_commit_callbacks
):
    """A new text field anywhere in the app fails here until the passage is put into it
    below (and the redaction reaches it) or it is named in NEVER_TYPED."""
    from explainers.domain.comments import add_comment
    from explainers.domain.hand_off import hand_in, send_back
    from explainers.models import ScheduledPublication

    explainer = make_explainer(
        slug=f"warum-{PASSAGE_SLUG}", headline=f"Warum {PASSAGE}", kicker=f"{PASSAGE}?",
        teaser=f"Gerücht: {PASSAGE}.", intro=f"Es heißt, {PASSAGE}.", byline=f"{PASSAGE} (Red.)",
        questions=[{"key": "q-0001", "anchor": f"{PASSAGE_SLUG}-stimmt-das",
                    "question": f"{PASSAGE} – stimmt das?",
                    "answer": f"Es heißt, {PASSAGE}. [^{PASSAGE_SLUG}]", "cites": [PASSAGE_SLUG]}],
        sources=[{"key": PASSAGE_SLUG, "label": f"Bericht: {PASSAGE}",
                  "publisher": f"{PASSAGE} Verlag", "url": f"https://zeitung.de/{PASSAGE_SLUG}",
                  "date": None, "kind": "article"}],
    )  # fmt: skip
    Question.objects.filter(explainer=explainer).update(
        valid_until_note=f"bis klar ist, ob {PASSAGE}", extra_cites=PASSAGE_SLUG
    )
    Explainer.objects.filter(pk=explainer.pk).update(
        image_alt=f"Bild: {PASSAGE}", image_caption=f"{PASSAGE}.", image_credit=f"{PASSAGE} Foto"
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(explainer, user=desk, note=f"Neu: {PASSAGE}.", internal_note=f"{PASSAGE}!")
        Question.objects.filter(explainer=explainer).update(answer=f"Nun: {PASSAGE}.")
        publish(explainer, user=desk, kind="correction", note=f"Korrigiert: {PASSAGE}.")
    explainer = Explainer.objects.get(pk=explainer.pk)
    assert client.get(reverse("explainers:detail", args=[explainer.slug])).status_code == 200
    planned = schedule(
        explainer, publish_at=timezone.now() + timezone.timedelta(hours=1),
        note=f"Geplant: {PASSAGE}.", internal_note=f"{PASSAGE}?", user=desk,
    )  # fmt: skip
    ScheduledPublication.objects.filter(pk=planned.pk).update(reason=f"{PASSAGE}: übersprungen")
    CurrentPublication.objects.filter(explainer=explainer).update(withdrawn_note=f"{PASSAGE}.")
    hand_in(explainer, user=reporter, message=f"Bitte prüfen: {PASSAGE}.")
    send_back(explainer, user=desk, message=f"Belege, dass {PASSAGE}!")
    add_comment(explainer, user=desk, text=f"Stimmt es, dass {PASSAGE}?")
    Draft.objects.create(
        explainer=explainer, user=reporter,
        fields=[["teaser", f"Entwurf: {PASSAGE}."], ["slug", explainer.slug],
                ["sources-0-key", PASSAGE_SLUG], ["sources-0-url", f"https://zeitung.de/{PASSAGE_SLUG}"],
                ["questions-0-answer", f"Neu: {PASSAGE}. [^{PASSAGE_SLUG}]"]],
    )  # fmt: skip
    every_field = {f"{model.__name__}.{name}" for model, names in text_fields().items()
                   for name in names}  # fmt: skip
    assert every_field >= NEVER_TYPED, "NEVER_TYPED names a field that is gone"
    assert fields_holding("bestochen") == every_field - NEVER_TYPED

    record = redact(explainer, passage=PASSAGE, reason="Verfügung", user=desk)

    assert fields_holding("bestochen") == set()
    assert {"publications", "revisions", "working_copy", "schedules", "hand_offs", "comments",
            "drafts", "slug", "anchors", "source_keys", "links"} <= set(record.places)  # fmt: skip
    kept = dict(Draft.objects.get().fields)
    explainer.refresh_from_db()
    assert kept["slug"] == explainer.slug, "the draft's slug is not renamed as the working copy's"
    renamed_key = Source.objects.get(explainer=explainer).key
    assert kept["sources-0-key"] == renamed_key
    assert f"[^{renamed_key}]" in kept["questions-0-answer"]

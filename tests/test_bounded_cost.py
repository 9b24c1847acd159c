"""Any input has a bounded cost: diffs count their matching work against a budget and
turn coarser past it; publishing diffs outside its transaction; citation markers cannot
blow one explainer up to many megabytes."""

import random
import string

import pytest
import reversion
from django.db import connection, transaction
from django.urls import reverse

from explainers.core import rendering
from explainers.core.diffing import DiffBudget, diff_documents, word_ops
from explainers.core.documents import DIFF_WORK_BUDGET, MAX_CITATION_MARKERS, MAX_RENDERED_BYTES
from explainers.core.textformat import TextFormatError, parse_text
from explainers.domain import publishing
from explainers.domain.builders import document_from_explainer
from explainers.domain.importing import import_document
from explainers.domain.publishing import PublishRefused, publish
from explainers.domain.revisions import latest_revision, record_revision, revisions_of
from explainers.models import Explainer, Publication, Question
from tests.admin_forms import change_form_data, encode
from tests.factories import make_document, make_explainer

PUNCTUATION = string.punctuation.replace("[", "")  # "[" could start a citation marker


def punctuation(seed: int, length: int = 20_000) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(PUNCTUATION) for _ in range(length))


def old_text(ops):
    return "".join(text for op, text in ops if op != "insert")


def new_text(ops):
    return "".join(text for op, text in ops if op != "delete")


# --- the diff's work -------------------------------------------------------------------------


def test_word_by_word_even_a_third_of_such_an_answer_would_cost_more_than_the_budget():
    """The worst case is real: without a limit, matching it word by word overspends."""
    unlimited = DiffBudget(limit=10**12)
    word_ops(punctuation(1, 6_000), punctuation(2, 6_000), unlimited)
    assert unlimited.coarse == 0
    assert unlimited.spent > DIFF_WORK_BUDGET


def test_an_answer_of_punctuation_edited_again_stays_in_budget_and_its_diff_is_complete():
    old = make_document(questions=3, sources=0)
    new = make_document(questions=3, sources=0)
    for n, (before, after) in enumerate(zip(old["questions"], new["questions"], strict=True)):
        before["answer"], after["answer"] = punctuation(10 + n), punctuation(20 + n)
    budget = DiffBudget()

    diff = diff_documents(old, new, budget)

    assert budget.spent <= DIFF_WORK_BUDGET
    assert budget.coarse == 3
    for before, entry in zip(old["questions"], diff["questions"], strict=True):
        assert entry["status"] == "changed"
        assert old_text(entry["answer_ops"]) == before["answer"]
    for after, entry in zip(new["questions"], diff["questions"], strict=True):
        assert new_text(entry["answer_ops"]) == after["answer"]


def test_past_the_budget_unchanged_lines_between_two_edits_still_show_as_unchanged():
    lines = [punctuation(100 + n, 99) + "\n" for n in range(200)]
    edited = list(lines)
    edited[3], edited[196] = "Erste Änderung.\n", "Zweite Änderung.\n"
    old, new = "".join(lines), "".join(edited)
    budget = DiffBudget()

    ops = word_ops(old, new, budget)

    assert budget.coarse == 1 and budget.spent <= DIFF_WORK_BUDGET
    assert (old_text(ops), new_text(ops)) == (old, new)
    assert ["equal", "".join(lines[4:196])] in ops  # whole lines, not one text replaced
    assert ["insert", "Erste Änderung.\n"] in ops


def test_an_ordinary_edit_is_still_shown_word_by_word():
    old = "Der Hund bellt laut, und die Nachbarn sind verärgert.\n\nDas ist neu."
    new = "Der Hund schläft, und die Nachbarn sind verärgert.\n\nDas ist neu."
    budget = DiffBudget()
    assert word_ops(old, new, budget) == [
        ["equal", "Der Hund "],
        ["delete", "bellt laut"],
        ["insert", "schläft"],
        ["equal", ", und die Nachbarn sind verärgert.\n\nDas ist neu."],
    ]
    assert budget.coarse == 0


def test_rewriting_every_answer_of_a_large_explainer_is_still_diffed_word_by_word():
    rng = random.Random(7)
    common = ["der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "von"]
    words = common + [f"wort{n}" for n in range(2_000)]

    def answer():
        return " ".join(rng.choice(common if rng.random() < 0.4 else words) for _ in range(400))

    old = make_document(questions=[_question(n, answer()) for n in range(50)], sources=0)
    new = make_document(questions=[_question(n, answer()) for n in range(50)], sources=0)
    budget = DiffBudget()
    diff_documents(old, new, budget)
    assert budget.coarse == 0


def _question(n, answer):
    return {"key": f"q-{n:04x}", "anchor": f"frage-{n}", "question": f"Frage {n}?",
            "answer": answer, "cites": []}  # fmt: skip


# --- publishing outside the transaction ------------------------------------------------------


def change_answer(explainer, position, text):
    Question.objects.filter(explainer=explainer, position=position).update(answer=text)


@pytest.mark.django_db
def test_a_publication_slipping_in_meanwhile_is_what_the_next_one_is_compared_with(monkeypatch):
    explainer = make_explainer(questions=3)
    publish(explainer)
    first_key, second_key = [q["key"] for q in document_from_explainer(explainer)["questions"]][:2]
    change_answer(explainer, 1, "Eine neue erste Antwort. [^quelle-1]")  # cites unchanged
    prepare, calls = publishing._prepare, []

    def prepare_and_let_another_publish(*args):
        calls.append(args)
        prepared = prepare(*args)
        if len(calls) == 1:  # while this publish prepares, another one gets through
            publish(Explainer.objects.get(pk=explainer.pk), note="Dazwischen.")
            change_answer(explainer, 2, "Eine neue zweite Antwort.")
        return prepared

    monkeypatch.setattr(publishing, "_prepare", prepare_and_let_another_publish)
    third = publish(explainer, note="Zweite Antwort neu.")

    assert third.number == 3
    assert [q["key"] for q in third.change_summary["questions"]] == [second_key]
    assert third.question_changes[first_key]["number"] == 2
    assert third.question_changes[second_key]["number"] == 3
    assert "Eine neue zweite Antwort." in third.rendered_answers[second_key]
    assert len(calls) == 3  # prepared, the one in between, prepared again


@pytest.mark.django_db
def test_a_save_landing_while_publish_prepares_is_what_gets_published(monkeypatch):
    """Under the lock publish() trusts what it prepared only while the working copy
    carries the stamp it was read with; a save of the desk meanwhile moves the stamp."""
    explainer = make_explainer(questions=3)
    publish(explainer)
    change_answer(explainer, 1, "Die Fassung, die publish() vorbereitet.")
    prepare, saved = publishing._prepare, []

    def prepare_while_the_desk_saves(*args):
        prepared = prepare(*args)
        if not saved:
            document = document_from_explainer(Explainer.objects.get(pk=explainer.pk))
            document["questions"][1]["answer"] = "Gleichzeitig gespeichert."
            saved.append(import_document(document, replace=True, comment="Gleichzeitig."))
        return prepared

    monkeypatch.setattr(publishing, "_prepare", prepare_while_the_desk_saves)
    revisions = revisions_of(explainer).count()
    second = publish(explainer, note="Neu.")

    # the save's own revision is frozen: publish() records none "before publishing"
    assert revisions_of(explainer).count() == revisions + 1
    assert second.revision_id == latest_revision(explainer).pk

    answers = [q["answer"] for q in second.document["questions"]]
    assert "Gleichzeitig gespeichert." in answers[1]
    assert "Die Fassung, die publish() vorbereitet." in answers[0]
    assert second.content_hash == Explainer.objects.get(pk=explainer.pk).content_hash
    second_key = second.document["questions"][1]["key"]
    assert "Gleichzeitig gespeichert." in second.rendered_answers[second_key]


def _rename_target(explainer_id, slug):
    """A write of the target as every write path ends: record_revision (restamps referrers)."""
    with transaction.atomic(), reversion.create_revision():
        Explainer.objects.filter(pk=explainer_id).update(slug=slug)
        record_revision(Explainer.objects.get(pk=explainer_id), comment=f"-> {slug}")


@pytest.mark.django_db
def test_publish_never_freezes_a_recommendation_slug_the_target_no_longer_has(monkeypatch):
    """A recommended explainer renamed and renamed back while publish() prepares moves
    the recommending explainer's stamp (restamp_referrers), so the document read in
    between is not trusted under the lock."""
    target = make_explainer(slug="ziel-a")
    referrer = make_explainer(questions=2, related=["ziel-a"])
    publish(referrer)
    change_answer(referrer, 1, "Neu.")
    _rename_target(target.pk, "ziel-b")
    with reversion.create_revision():  # the referrer saved while the target was ziel-b
        record_revision(Explainer.objects.get(pk=referrer.pk), comment="gespeichert")
    _rename_target(target.pk, "ziel-a")

    read = publishing.document_from_explainer
    calls = []

    def renamed_twice_meanwhile(explainer):
        if explainer.pk == referrer.pk and not calls:
            calls.append(1)
            _rename_target(target.pk, "ziel-b")
            document = read(explainer)
            _rename_target(target.pk, "ziel-a")
            return document
        return read(explainer)

    monkeypatch.setattr(publishing, "document_from_explainer", renamed_twice_meanwhile)
    publication = publish(Explainer.objects.get(pk=referrer.pk), note="Neu.")
    assert Explainer.objects.get(pk=target.pk).slug == "ziel-a"
    assert publication.document["related"] == ["ziel-a"]


@pytest.mark.django_db
def test_publications_slipping_in_every_time_end_in_a_german_refusal(monkeypatch):
    explainer = make_explainer(questions=2)
    publish(explainer)
    prepare, rounds = publishing._prepare, iter(range(100))

    def prepare_and_let_another_publish(*args):
        prepared = prepare(*args)
        change_answer(explainer, 1, f"Fassung {next(rounds)}.")
        monkeypatch.setattr(publishing, "_prepare", prepare)
        publish(Explainer.objects.get(pk=explainer.pk), note="Dazwischen.")
        monkeypatch.setattr(publishing, "_prepare", prepare_and_let_another_publish)
        return prepared

    change_answer(explainer, 2, "Geändert.")
    monkeypatch.setattr(publishing, "_prepare", prepare_and_let_another_publish)
    with pytest.raises(PublishRefused, match="Gleichzeitig wurde eine andere Fassung"):
        publish(explainer, note="Verloren.")
    assert explainer.publications.count() == 1 + publishing.PUBLISH_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_the_diff_and_the_rendering_happen_outside_the_write_transaction(monkeypatch):
    explainer = make_explainer(questions=3)
    publish(explainer)
    change_answer(explainer, 1, "Neue Antwort.")
    in_transaction = []

    def watched(function):
        def call(*args, **kwargs):
            in_transaction.append((function.__name__, connection.in_atomic_block))
            return function(*args, **kwargs)

        return call

    for name in ("diff_documents", "render_document_answers"):
        monkeypatch.setattr(publishing, name, watched(getattr(publishing, name)))
    publish(explainer, note="Neu.")
    assert {name for name, _ in in_transaction} == {"diff_documents", "render_document_answers"}
    assert not any(inside for _, inside in in_transaction)


# --- citation markers ------------------------------------------------------------------------

MARKER = "[^quelle-1] "  # 12 characters; ANSWER_MAX allows 1,666 in one answer
OVER, UNDER = MAX_CITATION_MARKERS + 1, MAX_CITATION_MARKERS


def split_markers(count: int) -> tuple[str, str]:
    first = count // 2 + count % 2
    return MARKER * first, MARKER * (count - first)


def post_answers(client, user, explainer, answers):
    client.force_login(user)
    form = change_form_data(explainer)
    for row, answer in zip(form["questions"], answers, strict=False):
        row["answer"] = answer
    url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    return client.post(url, encode(form))


@pytest.mark.django_db
def test_the_admin_form_refuses_answers_with_too_many_citation_markers(client, reporter):
    explainer = make_explainer(questions=2)
    before = document_from_explainer(explainer)

    response = post_answers(client, reporter, explainer, split_markers(OVER))

    assert response.status_code == 200
    assert "Zu viele Quellenverweise" in response.text
    assert "höchstens 3.000 je Erklärstück (1 zu viel)" in response.text
    assert document_from_explainer(Explainer.objects.get(pk=explainer.pk)) == before


@pytest.mark.django_db
def test_the_admin_form_saves_answers_just_within_the_marker_limit(client, reporter):
    explainer = make_explainer(questions=2)
    response = post_answers(client, reporter, explainer, split_markers(UNDER))
    assert response.status_code == 302
    answers = Question.objects.filter(explainer=explainer).values_list("answer", flat=True)
    assert sum(answer.count("[^quelle-1]") for answer in answers) == UNDER


def import_text(markers: int) -> str:
    first, second = split_markers(markers)
    return (
        "Titel: Viele Verweise\n\nWorum es geht.\n\nWas ist die erste Frage?\n"
        f"{first.strip()}\nWas ist die zweite Frage?\n{second.strip()}\n\n"
        "Verwendete Quellen\n- [quelle-1] tagesschau.de: Ein Bericht <https://www.tagesschau.de/a>\n"
    )


def test_the_importer_refuses_a_file_with_too_many_citation_markers():
    with pytest.raises(TextFormatError) as refused:
        parse_text(import_text(OVER))
    assert str(refused.value).startswith("Zu viele Quellenverweise: Die Antworten enthalten 3.001")
    assert "höchstens 3.000 je Erklärstück (1 zu viel)" in str(refused.value)


def test_the_importer_takes_a_file_just_within_the_marker_limit():
    document = parse_text(import_text(UNDER)).document
    assert sum(q["answer"].count("[^quelle-1]") for q in document["questions"]) == UNDER


@pytest.mark.django_db
def test_publishing_refuses_too_many_citation_markers_and_writes_nothing():
    explainer = make_explainer(questions=2)
    first, second = split_markers(OVER)
    change_answer(explainer, 1, first)
    change_answer(explainer, 2, second)
    with pytest.raises(PublishRefused, match=r"höchstens 3\.000 je Erklärstück \(1 zu viel\)"):
        publish(explainer)
    assert not explainer.publications.exists()


@pytest.mark.django_db
def test_publishing_refuses_answers_that_would_render_too_large():
    """Few markers, but "&" becomes "&amp;": the rendered bytes are what is bounded."""
    per_answer = 20_000
    count = MAX_RENDERED_BYTES // (5 * per_answer) + 1
    explainer = make_explainer(questions=count)
    for position in range(1, count + 1):
        change_answer(explainer, position, "&" * per_answer)
    with pytest.raises(PublishRefused) as refused:
        publish(explainer)
    assert "Die Antworten würden auf der Seite 2,1 MB groß" in str(refused.value)
    assert "höchstens 2,0 MB je Erklärstück (0,1 MB zu viel)" in str(refused.value)
    assert not explainer.publications.exists()


@pytest.mark.django_db
def test_publishing_just_within_the_marker_limit_works():
    explainer = make_explainer(questions=2)
    first, second = split_markers(UNDER)
    change_answer(explainer, 1, first)
    change_answer(explainer, 2, second)
    publication = publish(explainer)
    assert sum(a.count('class="cite"') for a in publication.rendered_answers.values()) == UNDER


@pytest.mark.django_db
def test_a_publication_stored_before_the_limit_still_renders_for_readers(client, monkeypatch):
    explainer = make_explainer(questions=2)
    first, second = split_markers(OVER)
    change_answer(explainer, 1, first)
    change_answer(explainer, 2, second)
    monkeypatch.setattr(rendering, "MAX_CITATION_MARKERS", 10**6)
    publish(explainer)
    monkeypatch.undo()

    response = client.get(reverse("explainers:detail", args=[explainer.slug]))

    assert response.status_code == 200
    assert response.content.decode().count('class="cite"') == OVER


def test_a_redaction_while_publish_prepares_never_reaches_the_new_change_summary(desk, monkeypatch):
    import json

    from explainers.domain.takedown import redact

    passage = "Minister X sei bestochen worden"
    explainer = make_explainer()
    Question.objects.filter(explainer=explainer, position=2).update(
        question=f"Stimmt es, dass {passage}?"
    )
    publish(explainer, user=desk)
    Question.objects.filter(explainer=explainer, position=2).delete()
    prepare, redacted = publishing._prepare, []

    def redaction_lands_meanwhile(*args):
        prepared = prepare(*args)
        if not redacted:
            redacted.append(redact(explainer, passage=passage, reason="Verfügung.", user=desk))
        return prepared

    monkeypatch.setattr(publishing, "_prepare", redaction_lands_meanwhile)
    publish(explainer, note="Frage entfernt.", user=desk)
    summaries = [p.change_summary for p in Publication.objects.filter(explainer=explainer)]
    assert passage not in json.dumps(summaries, ensure_ascii=False)

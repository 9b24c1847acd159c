"""A re-imported question keeps its key when it clearly is the same question, reworded
(explainers/core/question_matching.py), so an agency update reads as "geändert" in the
diff and not as "entfernt" plus "neu"; every match made by similarity is shown to the editor."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from explainers.core.question_matching import SIMILARITY_THRESHOLD, keep_keys, similarity
from explainers.core.textformat import parse_text
from explainers.domain.builders import document_from_explainer
from explainers.models import Explainer, Publication

SEED = (
    Path(__file__).resolve().parent.parent / "explainers" / "fixtures" / "sicherheitsgarantien.txt"
)
NATO = "Wird die Ukraine Mitglied der Nato?"


def seed_questions() -> list[dict]:
    return parse_text(SEED.read_text(encoding="utf-8"), title="Seed").document["questions"]


def reworded(question: dict, text: str, answer: str | None = None) -> dict:
    """As an agency sends it: new wording, a key derived from it, no stored anchor."""
    return {**question, "question": text, "key": "q-neu", "anchor": "neu", **(
        {"answer": answer} if answer is not None else {}
    )}  # fmt: skip


def rewrite_last_third(answer: str) -> str:
    words = answer.split()
    cut = len(words) * 2 // 3
    replacement = "Das hat sich inzwischen geändert, heißt es aus Brüssel und Kiew." * 2
    return " ".join(words[:cut]) + " " + replacement


# --- the matching itself (pure) -------------------------------------------------------------


def test_the_seeds_questions_are_far_below_the_threshold_from_each_other():
    questions = seed_questions()
    for i, first in enumerate(questions):
        for second in questions[i + 1 :]:
            assert similarity(first, second) < SIMILARITY_THRESHOLD / 2


def test_a_reworded_question_with_a_third_of_its_answer_rewritten_keeps_its_key():
    stored = seed_questions()
    nato = stored[1]
    new = reworded(nato, "Wird die Ukraine Nato-Mitglied?", rewrite_last_third(nato["answer"]))
    questions, matches = keep_keys(stored, [*stored[:1], new, *stored[2:]])
    assert questions[1]["key"] == nato["key"]
    assert [(m.old_question, m.new_question) for m in matches] == [
        (NATO, "Wird die Ukraine Nato-Mitglied?")
    ]
    assert SIMILARITY_THRESHOLD <= matches[0].similarity < 1


def test_a_different_question_in_place_of_a_removed_one_stays_new():
    stored = seed_questions()
    other = reworded(stored[4], "Was sagt Russland dazu?", "Moskau lehnt westliche Truppen ab.")
    questions, matches = keep_keys(stored, [*stored[:4], other])
    assert questions[4]["key"] == "q-neu"
    assert matches == []


def test_matching_is_one_to_one_and_the_closer_pair_wins():
    stored = seed_questions()[:2]
    nato = stored[1]
    close = reworded(nato, "Wird die Ukraine Nato-Mitglied?")
    farther = {
        **reworded(nato, "Tritt die Ukraine der Nato bei?", rewrite_last_third(nato["answer"])),
        "key": "q-zwei",
    }
    questions, matches = keep_keys(stored, [stored[0], farther, close])
    assert [q["key"] for q in questions] == [stored[0]["key"], "q-zwei", nato["key"]]
    assert [m.new_question for m in matches] == ["Wird die Ukraine Nato-Mitglied?"]


def test_a_key_written_in_the_file_is_never_exchanged():
    stored = seed_questions()
    nato = stored[1]
    new = {**reworded(nato, "Wird die Ukraine Nato-Mitglied?"), "key": "q-eigen"}
    questions, matches = keep_keys(stored, [new], explicit_keys=frozenset({"q-eigen"}))
    assert questions[0]["key"] == "q-eigen" and matches == []


def test_anchor_and_wording_matches_are_not_reported_as_similar():
    stored = seed_questions()
    same_wording = {**stored[0], "key": "q-anders", "anchor": "anders", "answer": "Neu."}
    same_anchor = {**stored[1], "key": "q-auch", "question": "Ganz anders?", "answer": "Neu."}
    questions, matches = keep_keys(stored, [same_wording, same_anchor])
    assert [q["key"] for q in questions] == [stored[0]["key"], stored[1]["key"]]
    assert matches == []


# --- the command ----------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_explainer", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_an_agency_update_reads_as_changed_and_the_match_is_shown(tmp_path):
    run(str(SEED), "--slug", "seed", "--title", "Seed", "--publish")
    explainer = Explainer.objects.get(slug="seed")
    keys = [q["key"] for q in document_from_explainer(explainer)["questions"]]
    update = SEED.read_text(encoding="utf-8").replace(NATO, "Wird die Ukraine Nato-Mitglied?")
    update = update.replace("sehr unwahrscheinlich", "derzeit äußerst unwahrscheinlich")
    path = tmp_path / "seed.txt"
    path.write_text(update, encoding="utf-8")

    out = run(
        str(path), "--slug", "seed", "--title", "Seed", "--replace", "--publish",
        "--note", "Aktualisiert",
    )  # fmt: skip

    assert f"„{NATO}“ → „Wird die Ukraine Nato-Mitglied?“ (" in out
    assert f"(ab {round(SIMILARITY_THRESHOLD * 100)} %; bitte prüfen)" in out
    assert [q["key"] for q in document_from_explainer(explainer)["questions"]] == keys
    summary = Publication.objects.get(explainer=explainer, number=2).change_summary
    statuses = {q["question"]: q["status"] for q in summary["questions"]}
    assert statuses == {"Wird die Ukraine Nato-Mitglied?": "changed"}

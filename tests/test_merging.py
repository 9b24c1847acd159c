"""The three-way merge, as pure data."""

import copy

from explainers.core.merging import merge3


def snapshot(questions=("A", "B", "C"), sources=("dlf",), **fields):
    return {
        "fields": {"headline": "Titel", "teaser": "Teaser", **fields},
        "questions": [
            {
                "id": i,
                "question": f"{q}?",
                "anchor": q.lower(),
                "answer": f"Antwort {q}.",
                "extra_cites": "",
            }
            for i, q in enumerate(questions, start=1)
        ],  # fmt: skip
        "sources": [{"id": 100 + i, "key": k, "label": k.upper()} for i, k in enumerate(sources)],
        "related": [],
    }


def edit(snap, **changes):
    snap = copy.deepcopy(snap)
    for path, value in changes.items():
        kind, index, name = path.split("__")
        snap[kind][int(index)][name] = value
    return snap


def test_changes_to_different_questions_merge():
    base = snapshot()
    theirs = edit(base, questions__0__answer="Ihre Antwort.")
    mine = edit(base, questions__1__answer="Meine Antwort.")
    result = merge3(base, theirs, mine)
    assert result.clean
    assert [q["answer"] for q in result.merged["questions"]] == [
        "Ihre Antwort.", "Meine Antwort.", "Antwort C."
    ]  # fmt: skip


def test_different_fields_of_one_question_merge():
    base = snapshot()
    theirs = edit(base, questions__0__question="A wirklich?")
    mine = edit(base, questions__0__answer="Neu.")
    merged = merge3(base, theirs, mine).merged["questions"][0]
    assert (merged["question"], merged["answer"]) == ("A wirklich?", "Neu.")


def test_the_same_field_changed_both_ways_is_a_conflict_resolved_to_mine():
    base = snapshot()
    theirs = edit(base, questions__0__answer="Ihre.")
    mine = edit(base, questions__0__answer="Meine.")
    result = merge3(base, theirs, mine)
    (conflict,) = result.conflicts
    assert (conflict.label, conflict.mine, conflict.theirs) == ("A?", "Meine.", "Ihre.")
    assert result.merged["questions"][0]["answer"] == "Meine."


def test_top_level_fields_merge_by_field():
    base = snapshot()
    theirs = copy.deepcopy(base)
    theirs["fields"]["headline"] = "Ihr Titel"
    mine = copy.deepcopy(base)
    mine["fields"]["teaser"] = "Mein Teaser"
    assert merge3(base, theirs, mine).merged["fields"] == {
        "headline": "Ihr Titel", "teaser": "Mein Teaser"
    }  # fmt: skip


def test_a_question_they_deleted_that_i_left_alone_stays_deleted():
    base = snapshot()
    theirs = copy.deepcopy(base)
    del theirs["questions"][1]
    result = merge3(base, theirs, copy.deepcopy(base))
    assert result.clean and [q["id"] for q in result.merged["questions"]] == [1, 3]


def test_a_question_they_deleted_that_i_edited_is_a_conflict_and_kept():
    base = snapshot()
    theirs = copy.deepcopy(base)
    del theirs["questions"][1]
    mine = edit(base, questions__1__answer="Noch wichtig.")
    result = merge3(base, theirs, mine)
    assert [c.field for c in result.conflicts] == ["deleted_by_them"]
    assert [q["id"] for q in result.merged["questions"]] == [1, 2, 3]


def test_their_new_question_follows_its_old_neighbour_when_only_i_reordered():
    base = snapshot()
    theirs = copy.deepcopy(base)
    theirs["questions"].insert(1, {"id": "t", "question": "Neu?", "anchor": "neu", "answer": ""})
    mine = copy.deepcopy(base)
    mine["questions"] = [mine["questions"][2], mine["questions"][0], mine["questions"][1]]
    result = merge3(base, theirs, mine)
    assert result.clean
    assert [q["id"] for q in result.merged["questions"]] == [3, 1, "t", 2]


def test_both_reordering_differently_is_an_order_conflict():
    base = snapshot()
    theirs, mine = copy.deepcopy(base), copy.deepcopy(base)
    theirs["questions"].reverse()
    mine["questions"] = [mine["questions"][1], mine["questions"][0], mine["questions"][2]]
    result = merge3(base, theirs, mine)
    assert [(c.kind, c.label) for c in result.conflicts] == [("order", "questions")]
    assert [q["id"] for q in result.merged["questions"]] == [2, 1, 3]


def test_a_source_they_deleted_that_my_text_cites_is_a_conflict():
    base = snapshot()
    theirs = copy.deepcopy(base)
    theirs["sources"] = []
    mine = edit(base, questions__0__answer="Laut [^dlf].")
    result = merge3(base, theirs, mine)
    assert [c.kind for c in result.conflicts] == ["citation"]


def test_an_anchor_taken_by_both_sides_gets_a_suffix():
    base = snapshot()
    theirs = copy.deepcopy(base)
    theirs["questions"].append({"id": "t", "question": "X?", "anchor": "neu", "answer": ""})
    mine = copy.deepcopy(base)
    mine["questions"].append({"id": "new-0", "question": "Y?", "anchor": "neu", "answer": ""})
    result = merge3(base, theirs, mine)
    assert result.clean
    assert sorted(q["anchor"] for q in result.merged["questions"][-2:]) == ["neu", "neu-2"]


def test_no_change_on_either_side_is_the_base():
    base = snapshot()
    assert merge3(base, copy.deepcopy(base), copy.deepcopy(base)).merged == base

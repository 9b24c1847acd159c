import json

from hypothesis import given, settings
from hypothesis import strategies as st

from explainers.core import diffing
from explainers.core.diffing import (
    changed_question_keys,
    diff_documents,
    ops_to_html,
    question_changed,
    summarize,
    word_ops,
)
from explainers.core.documents import normalize_document
from tests.support.strategies import document_pairs

ANSWER = (
    "Einfach weiter Waffen an die Ukraine zu liefern – das wird nicht ausreichen.\n\n"
    "Der Effekt wäre ähnliche wie bei einer Nato-Mitgliedschaft."
)


def q(key, question=None, answer=ANSWER, cites=(), anchor=None):
    return {
        "key": key,
        "anchor": anchor or key,
        "question": question or f"Frage {key}?",
        "answer": answer,
        "cites": list(cites),
    }


def src(key, label=None, **extra):
    return {"key": key, "label": label or f"Quelle {key}", "kind": "article", **extra}


def doc(*questions, sources=(), **fields):
    data = {"headline": "Sicherheitsgarantien", "slug": "sicherheitsgarantien", "intro": "Intro."}
    data.update(fields, questions=list(questions), sources=list(sources))
    return normalize_document(data)


def entries(diff):
    return {entry["key"]: entry for entry in diff["questions"]}


def keys(diff):
    return [entry["key"] for entry in diff["questions"]]


def old_text(ops):
    return "".join(text for op, text in ops if op in ("equal", "delete"))


def new_text(ops):
    return "".join(text for op, text in ops if op in ("equal", "insert"))


# --- whole documents ------------------------------------------------------------------------


def test_diff_of_a_document_with_itself_is_empty():
    document = doc(q("a"), q("b", cites=["dlf"]), sources=[src("dlf")], related=["x"])
    diff = diff_documents(document, document)
    assert diff["is_empty"]
    assert diff["fields"] == []
    assert all(e["status"] == "unchanged" and not e["moved"] for e in diff["questions"])
    assert not any(diff["counts"].values())


@settings(max_examples=100, deadline=None)
@given(document_pairs())
def test_diff_rebuilds_the_new_question_order_and_both_answers(pair):
    old, new = pair
    diff = diff_documents(old, new)
    kept = [entry["key"] for entry in diff["questions"] if entry["status"] != "removed"]
    assert kept == [question["key"] for question in new["questions"]]
    removed = [entry["key"] for entry in diff["questions"] if entry["status"] == "removed"]
    new_keys = {question["key"] for question in new["questions"]}
    assert removed == [
        question["key"] for question in old["questions"] if question["key"] not in new_keys
    ]
    old_by_key = {question["key"]: question for question in old["questions"]}
    for question in new["questions"]:
        entry = entries(diff)[question["key"]]
        if question["key"] in old_by_key:
            before = old_by_key[question["key"]]["answer"]
            assert entry["answer_changed"] == (before != question["answer"])
            if entry["answer_changed"]:
                assert new_text(entry["answer_ops"]) == question["answer"]
                assert old_text(entry["answer_ops"]) == before
    # Leaving out the moved questions, the common ones are in the same order in both.
    stay = {e["key"] for e in diff["questions"] if e["old_position"] and e["new_position"]}
    stay -= {e["key"] for e in diff["questions"] if e["moved"]}
    assert [k["key"] for k in old["questions"] if k["key"] in stay] == [
        k["key"] for k in new["questions"] if k["key"] in stay
    ]
    json.dumps(diff)
    assert diff["is_empty"] == (old == new)


def test_reworded_question_is_one_changed_entry():
    diff = diff_documents(doc(q("a", "Was ist das?")), doc(q("a", "Was genau ist das?")))
    assert diff["questions"] == [entries(diff)["a"]]
    entry = entries(diff)["a"]
    assert entry["status"] == "changed"
    assert entry["reworded"]
    assert entry["old_question"] == "Was ist das?"
    assert entry["question"] == "Was genau ist das?"
    assert not entry["answer_changed"]
    assert entry["answer_ops"] == []


def test_question_moved_to_the_top_is_the_only_one_moved():
    diff = diff_documents(doc(q("a"), q("b"), q("c"), q("d")), doc(q("d"), q("a"), q("b"), q("c")))
    assert keys(diff) == ["d", "a", "b", "c"]
    assert [e["key"] for e in diff["questions"] if e["moved"]] == ["d"]
    moved = entries(diff)["d"]
    assert moved["status"] == "unchanged"
    assert (moved["old_position"], moved["new_position"]) == (4, 1)
    assert diff["counts"]["moved"] == 1
    assert not diff["is_empty"]
    assert changed_question_keys(diff) == set()


def test_added_and_removed_questions():
    diff = diff_documents(doc(q("a"), q("b")), doc(q("a"), q("c")))
    assert keys(diff) == ["a", "b", "c"]
    assert entries(diff)["b"]["status"] == "removed"
    assert entries(diff)["c"]["status"] == "added"
    assert entries(diff)["c"]["old_position"] is None
    assert entries(diff)["c"]["new_position"] == 2
    assert (diff["counts"]["added"], diff["counts"]["removed"]) == (1, 1)


def test_removed_question_appears_where_it_stood():
    old = doc(q("a"), q("b", "Weg damit?"), q("c"), q("d"))
    diff = diff_documents(old, doc(q("a"), q("c"), q("d")))
    assert keys(diff) == ["a", "b", "c", "d"]
    removed = entries(diff)["b"]
    assert removed["status"] == "removed"
    assert removed["question"] == "Weg damit?"
    assert (removed["old_position"], removed["new_position"]) == (2, None)
    assert keys(diff_documents(old, doc(q("c"), q("d")))) == ["a", "b", "c", "d"]
    assert keys(diff_documents(old, doc(q("a"), q("b")))) == ["a", "b", "c", "d"]


def test_word_level_change_inside_an_answer():
    new_answer = ANSWER.replace("ähnliche wie", "ähnlich wie")
    entry = entries(diff_documents(doc(q("a")), doc(q("a", answer=new_answer))))["a"]
    assert entry["status"] == "changed"
    assert entry["answer_changed"]
    changes = [op for op in entry["answer_ops"] if op[0] != "equal"]
    assert changes == [["delete", "ähnliche"], ["insert", "ähnlich"]]
    assert "\n\n" in entry["answer_ops"][0][1]
    assert new_text(entry["answer_ops"]) == new_answer


def test_cites_added_and_removed():
    diff = diff_documents(doc(q("a", cites=["dlf", "cnn"])), doc(q("a", cites=["cnn", "table"])))
    entry = entries(diff)["a"]
    assert entry["status"] == "changed"
    assert entry["cites_added"] == ["table"]
    assert entry["cites_removed"] == ["dlf"]
    assert not entry["answer_changed"]


def test_anchor_only_change_counts_as_changed():
    entry = entries(diff_documents(doc(q("a", anchor="alt")), doc(q("a", anchor="neu"))))["a"]
    assert entry["status"] == "changed"
    assert entry["anchor_changed"]
    assert (entry["anchor"], entry["old_anchor"]) == ("neu", "alt")


def test_sources_added_removed_and_changed():
    old = doc(sources=[src("dlf"), src("cnn", url="https://cnn.com/a")])
    new = doc(sources=[src("cnn", url="https://cnn.com/b"), src("table")])
    sources = diff_documents(old, new)["sources"]
    assert [s["key"] for s in sources["added"]] == ["table"]
    assert [s["key"] for s in sources["removed"]] == ["dlf"]
    assert len(sources["changed"]) == 1
    changed = sources["changed"][0]
    assert changed["key"] == "cnn"
    assert changed["fields"] == ["url"]
    assert (changed["old"]["url"], changed["new"]["url"]) == (
        "https://cnn.com/a",
        "https://cnn.com/b",
    )


def test_reordered_sources_make_the_diff_non_empty():
    diff = diff_documents(doc(sources=[src("a"), src("b")]), doc(sources=[src("b"), src("a")]))
    assert diff["sources"]["reordered"]
    assert not diff["is_empty"]


def test_headline_and_intro_changes():
    old = doc(headline="Was sind Sicherheitsgarantien?", intro="Erster Absatz.\n\nZweiter.")
    new = doc(headline="Was sind die Sicherheitsgarantien?", intro="Erster Absatz.\n\nDritter.")
    fields = {entry["field"]: entry for entry in diff_documents(old, new)["fields"]}
    assert set(fields) == {"headline", "intro"}
    assert fields["headline"]["old"] == "Was sind Sicherheitsgarantien?"
    assert ["insert", "die "] in fields["headline"]["ops"]
    assert fields["intro"]["ops"] == [
        ["equal", "Erster Absatz.\n\n"],
        ["delete", "Zweiter"],
        ["insert", "Dritter"],
        ["equal", "."],
    ]


def test_non_text_fields_have_no_ops():
    image = {"src": "/a.jpg", "alt": "Soldaten"}
    fields = diff_documents(doc(), doc(image=image, related=["nato"]))["fields"]
    assert [(f["field"], f["ops"]) for f in fields] == [("image", None), ("related", None)]


def test_changed_question_keys_are_added_and_changed_but_not_moved_or_removed():
    old = doc(q("a"), q("b"), q("c"), q("d"))
    new = doc(q("c"), q("a", "Neu formuliert?"), q("b"), q("e"))
    diff = diff_documents(old, new)
    assert keys(diff) == ["c", "a", "b", "d", "e"]  # d was removed after b, c moved
    assert changed_question_keys(diff) == {"a", "e"}
    assert changed_question_keys(summarize(diff)) == {"a", "e"}
    assert [question_changed(e) for e in diff["questions"]] == [False, True, False, False, True]


def test_summary_is_small_json_without_ops():
    old = doc(q("a"), q("b"), q("c"))
    new = doc(q("a", answer="Ganz neu."), q("c"), q("d"))
    summary = summarize(diff_documents(old, new))
    text = json.dumps(summary)
    assert "ops" not in text and "Ganz neu" not in text
    assert summary["counts"]["changed"] == 1
    assert summary["questions"] == [
        {"key": "a", "status": "changed", "moved": False, "question": "Frage a?"},
        {"key": "b", "status": "removed", "moved": False, "question": "Frage b?"},
        {"key": "d", "status": "added", "moved": False, "question": "Frage d?"},
    ]


def test_duplicate_keys_do_not_lose_questions():
    diff = diff_documents(doc(q("a"), q("a", "Zweite?")), doc(q("a"), q("a", "Zweite?"), q("a")))
    assert [e["status"] for e in diff["questions"]] == ["unchanged", "unchanged", "added"]


def test_only_answers_that_differ_are_diffed(monkeypatch):
    calls = []
    monkeypatch.setattr(diffing, "word_ops", lambda a, b: calls.append((a, b)) or [])
    questions = [q(f"q-{i}", answer=f"{ANSWER} {i}") for i in range(50)]
    edited = [*questions[:10], q("q-10", answer="Neu."), *questions[11:]]
    diff_documents(doc(*questions), doc(*reversed(edited)))
    assert calls == [(f"{ANSWER} 10", "Neu.")]


# --- word ops and HTML ----------------------------------------------------------------------


def test_word_ops_keep_umlauts_inside_words():
    assert word_ops("Der Effekt wäre ähnliche wie", "Der Effekt wäre ähnlich wie") == [
        ["equal", "Der Effekt wäre "],
        ["delete", "ähnliche"],
        ["insert", "ähnlich"],
        ["equal", " wie"],
    ]


def test_word_ops_group_neighbouring_word_changes():
    assert word_ops("Der Hund bellt.", "Die Katze bellt.") == [
        ["delete", "Der Hund"],
        ["insert", "Die Katze"],
        ["equal", " bellt."],
    ]


def test_word_ops_of_equal_and_empty_texts():
    assert word_ops("Gleich.", "Gleich.") == [["equal", "Gleich."]]
    assert word_ops("", "") == []
    assert word_ops("", "Neu") == [["insert", "Neu"]]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_word_ops_rebuild_both_texts(old, new):
    ops = word_ops(old, new)
    assert old_text(ops) == old
    assert new_text(ops) == new
    assert all(a[0] != b[0] for a, b in zip(ops, ops[1:], strict=False))


def test_ops_to_html_escapes_everything():
    ops = [["equal", "<script>alert(1)</script> & "], ["delete", "<b>"], ["insert", '"x"']]
    html = ops_to_html(ops)
    assert "<script>" not in html and "<b>" not in html
    assert html == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <del>&lt;b&gt;</del><ins>&quot;x&quot;</ins>"
    )


def test_ops_to_html_renders_an_answer_diff():
    ops = word_ops("ähnliche wie <i>", "ähnlich wie <i>")
    assert ops_to_html(ops) == "<del>ähnliche</del><ins>ähnlich</ins> wie &lt;i&gt;"

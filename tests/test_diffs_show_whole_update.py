"""Diffs show the whole update (issue 10, item 2): an added question with its answer, a
removed one struck, a reworded title word by word, sources and the image field by field –
the same on the reader diff page and on the desk's publish and compare pages."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from lxml import html as lxml_html

from explainers.core.diffing import diff_documents, summarize
from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import revisions_of
from explainers.reader.presenting import present_diff
from tests.factories import make_document

IMAGE = {"src": "bilder/karte.png", "alt": "Karte der Ukraine", "caption": "Die Front im Osten"}
NEW_ANSWER = "Sie **sichern** zu, was [^quelle-2] berichtet:\n\n- erstens\n- zweitens"
HOSTILE_ANSWER = '<script>alert(1)</script> [Klick](javascript:alert(1)) <img src=x onerror="x">'


def versions():
    """v1, and the document of v2: question 2 removed, a new question, question 1 reworded,
    a source relabelled and moved to another URL, the image's alt text and caption edited."""
    old = make_document(questions=3, sources=2, image=IMAGE)
    old["questions"][1]["answer"] = "Die alte **Antwort** [^quelle-1] fällt weg."
    old["questions"][1]["cites"] = ["quelle-1"]
    new = make_document(questions=3, sources=2, image=IMAGE)
    new.update(headline=old["headline"], slug=old["slug"])
    new["questions"] = [
        {**old["questions"][0], "question": "Was genau ist Frage 1?"},
        old["questions"][2],
        {"key": "q-neu", "anchor": "neue-frage", "question": "Was sichern die Staaten zu?",
         "answer": NEW_ANSWER, "cites": ["quelle-2"]},
    ]  # fmt: skip
    new["sources"][1] = {
        **old["sources"][1], "label": "Neuer Titel der Quelle", "url": "https://neu.example/a",
    }  # fmt: skip
    new["image"] = {**IMAGE, "alt": "Karte der Ostukraine", "caption": "Die Front im Sommer"}
    return old, new


def text(element) -> str:
    return " ".join(element.text_content().split())


# --- the data ------------------------------------------------------------------------------


def test_added_and_removed_questions_carry_their_whole_answer():
    old, new = versions()
    entries = {e["key"]: e for e in diff_documents(old, new)["questions"]}
    assert entries["q-neu"]["answer"] == NEW_ANSWER
    assert entries[old["questions"][1]["key"]]["answer"].startswith("Die alte **Antwort**")
    assert entries[old["questions"][0]["key"]]["answer"] is None  # only changed: ops instead


def test_a_reworded_title_is_diffed_word_by_word():
    old, new = versions()
    entry = diff_documents(old, new)["questions"][0]
    assert entry["question_ops"] == [
        ["equal", "Was "], ["insert", "genau "], ["equal", "ist Frage 1?"],
    ]  # fmt: skip
    assert entry["old_question"] == "Was ist Frage 1?"  # the keys before stay as they were


def test_a_changed_source_lists_each_changed_field():
    old, new = versions()
    [changed] = diff_documents(old, new)["sources"]["changed"]
    assert changed["fields"] == ["label", "url"]
    label, url = changed["changes"]
    assert (label["field"], url["field"]) == ("label", "url")
    assert ["insert", "Neuer "] in label["ops"]
    assert (url["old"], url["new"], url["ops"]) == (None, "https://neu.example/a", None)


def test_a_changed_image_is_its_alt_text_and_caption_word_by_word():
    old, new = versions()
    [image] = diff_documents(old, new)["fields"]
    assert image["image_change"] == "edited"
    assert [part["part"] for part in image["image_parts"]] == ["alt", "caption"]
    assert ["insert", "Ostukraine"] in image["image_parts"][0]["ops"]
    added = diff_documents({**old, "image": None}, old)["fields"][0]
    assert added["image_change"] == "added"
    assert added["image_parts"][0]["ops"] == [["insert", "Karte der Ukraine"]]


def test_the_stored_summary_keeps_its_shape():
    old, new = versions()
    summary = summarize(diff_documents(old, new))
    assert set(summary) == {"is_empty", "counts", "fields", "questions"}
    assert all(set(q) == {"key", "status", "moved", "question"} for q in summary["questions"])


def test_whole_answers_are_rendered_by_the_sanitiser_with_numbered_citations():
    old, new = versions()
    new["questions"][2]["answer"] = NEW_ANSWER + "\n\n" + HOSTILE_ANSWER
    entries = {e["key"]: e for e in present_diff(old, new)["questions"]}
    added = entries["q-neu"]["answer_html"]
    assert "<strong>sichern</strong>" in added and "<li>erstens</li>" in added
    assert "[2]" in added and "[^quelle-2]" not in added  # numbered, no link to nowhere
    assert "<script" not in added and "<img" not in added
    assert 'href="javascript' not in added and "&lt;script&gt;" in added  # shown as text
    removed = entries[old["questions"][1]["key"]]["answer_html"]
    assert "<strong>Antwort</strong>" in removed and "[1]" in removed


def test_added_and_removed_sources_are_shown_with_every_field():
    old, new = versions()
    new["sources"] = [
        old["sources"][1],
        {"key": "dlf", "label": "Interview mit der Ministerin", "publisher": "Deutschlandfunk",
         "url": "https://www.deutschlandfunk.de/x", "date": "2025-08-17", "kind": "interview"},
    ]  # fmt: skip
    tree = lxml_html.fromstring(render_to_string("explainers/_diff_entries.html",
                                                 {"diff": present_diff(old, new)}))  # fmt: skip
    [added] = [text(el) for el in tree.iter("ins") if "Ministerin" in text(el)]
    assert added == (
        "[neu] Deutschlandfunk: Interview mit der Ministerin · https://www.deutschlandfunk.de/x"
        " · 17. August 2025 · Interview"
    )
    [removed] = [text(el) for el in tree.iter("del") if "Quelle 1" in text(el)]
    assert removed == (
        "[entfernt] medium1.de: Titel der Quelle 1 · https://medium1.de/artikel · 17. August 2025"
        " · Artikel"
    )


# --- the pages -----------------------------------------------------------------------------


@pytest.fixture
def two_versions(db):
    old, new = versions()
    explainer = import_document(old)
    publish(explainer)
    import_document(new, replace=True)
    explainer.refresh_from_db()
    return explainer


def check_whole_update(page: str) -> None:
    tree = lxml_html.fromstring(page)
    [added] = [el for el in tree.find_class("diff-block") if el.tag == "ins"]
    assert added.find(".//strong").text == "sichern" and len(added.findall(".//li")) == 2
    assert "[2]" in text(added)
    [removed] = [el for el in tree.find_class("diff-block") if el.tag == "del"]
    assert "Die alte Antwort [1] fällt weg." in text(removed)
    headings = [text(h) for h in tree.iter("h2")]
    assert any(h.startswith("Was sichern die Staaten zu? [neue Frage]") for h in headings)
    assert any(h.startswith("Was ist Frage 2? [Frage entfernt]") for h in headings)
    [reworded] = tree.find_class("diff-question")
    assert [el.text for el in reworded.iter("ins")] == ["genau "]
    assert not list(reworded.iter("del"))
    parts = {text(dt): text(dd) for dt, dd in zip(tree.iter("dt"), tree.iter("dd"), strict=True)}
    assert parts["Alternativtext"] == "Karte der UkraineOstukraine"
    assert parts["Bildunterschrift"] == "Die Front im OstenSommer"
    assert parts["Link"] == "https://neu.example/a"
    assert parts["Titel"] == "Neuer Titel der Quelle 2"
    assert "{'src'" not in page and "'alt'" not in page  # no Python dict any more


def test_the_reader_diff_shows_the_whole_update(client, two_versions):
    publish(two_versions, kind="update", note="Neue Frage.")
    page = client.get(reverse("explainers:diff", args=[two_versions.slug, "1..2"]))
    check_whole_update(page.content.decode())


def test_the_publish_page_and_compare_with_the_publication_show_the_whole_update(
    client, desk, two_versions
):
    client.force_login(desk)
    for name in ("publish", "compare_published"):
        url = reverse(f"admin:explainers_explainer_{name}", args=[two_versions.pk])
        check_whole_update(client.get(url).content.decode())


def test_the_admin_compare_of_two_revisions_shows_the_whole_update(client, desk, two_versions):
    client.force_login(desk)
    older, newer = sorted(revisions_of(two_versions).values_list("pk", flat=True))
    url = reverse("admin:explainers_explainer_compare", args=[two_versions.pk])
    check_whole_update(client.get(url, {"a": older, "b": newer}).content.decode())


def test_a_question_moved_back_to_its_old_position_does_not_read_as_moved_from_3_to_3():
    """A question inserted at 2 pushes question 3 to 4; moved up again it stands at 3 as
    before, yet before question 2: the diff says it moved in the order, not "from 3 to 3"."""
    old = make_document(questions=3)
    new = make_document(questions=3)
    new.update(headline=old["headline"], slug=old["slug"])
    first, second, third = old["questions"]
    inserted = {"key": "q-neu", "anchor": "neu", "question": "Neu?", "answer": "Ja.", "cites": []}
    new["questions"] = [first, inserted, third, second]
    text = " ".join(
        render_to_string("explainers/_diff_entries.html", {"diff": present_diff(old, new)}).split()
    )
    assert "verschoben von Position 3 nach 3" not in text
    assert "[in der Reihenfolge verschoben, weiter an Position 3]" in text

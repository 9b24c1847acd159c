"""Hostile input (tests/hostile.py) through every editor field and the importer, and out on
every surface: nothing executes, every page keeps its shape, the hostile text reads as
text, and what is too large or cannot be stored is refused with a German message.

One explainer is written from the corpus through the admin (change form, publish form
twice, a further unpublished edit) and shared by the surface tests; a second one is
withdrawn with a hostile note.
"""

from __future__ import annotations

import html
import itertools

import feedparser
import lxml.etree
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from explainers.core.diffing import diff_documents
from explainers.core.documents import ANSWER_MAX, INTRO_MAX, NOTE_MAX, TEASER_MAX
from explainers.core.rendering import MARKER_RE, citation_numbers, render_markdown, to_plain_text
from explainers.core.textformat import (
    MAX_IMPORT_BYTES,
    TextFormatError,
    decode_import_bytes,
    export_text,
    parse_text,
    unsafe_link_targets,
)
from explainers.core.typography import CURRENT, PLAIN, typeset
from explainers.domain.builders import document_from_explainer
from explainers.domain.importing import ImportRefused, import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import revisions_of
from explainers.models import Explainer, Publication
from tests.admin_forms import change_form_data, encode
from tests.factories import make_document, make_explainer, make_user
from tests.hostile import (
    HOSTILE,
    LINKS,
    LONG_WORD,
    MEGABYTE,
    NUL,
    SHORT,
    URLS,
    assert_inert,
    count,
    json_ld_blocks,
    parse,
    squash,
)

pytestmark = pytest.mark.django_db

# Markdown changes these when rendering (entities are decoded, `*…*` is emphasis); every
# other short entry must read on the page exactly as typed.
NOT_MARKDOWN_VERBATIM = {"entities", "template-syntax"}
_CONTROL = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])


INTERNAL = "Nur intern: "  # starts every internal note, which readers never see


def visible(text: str) -> str:
    """What must survive on every surface: control characters may be dropped (XML cannot
    carry them), whitespace may be rewrapped."""
    return squash((text or "").translate(_CONTROL))


def pack(values, limit: int, sep: str = " ") -> str:
    """As many of `values` as fit into `limit` characters."""
    text = ""
    for value in values:
        candidate = f"{text}{sep}{value}" if text else value
        if len(candidate) <= limit:
            text = candidate
    return text


def rotated(n: int) -> list[str]:
    values = list(SHORT.values())
    return values[n:] + values[:n]


def admin_url(name, *args):
    return reverse(f"admin:explainers_explainer_{name}", args=args)


def url(name, *args):
    return reverse(f"explainers:{name}", args=args)


# --- the world ------------------------------------------------------------------------------


def main_fields(n: int) -> dict[str, str]:
    """Every plain and Markdown field of the change form, each full of hostile text."""
    values = rotated(n)
    verbatim = [v for k, v in SHORT.items() if k not in NOT_MARKDOWN_VERBATIM]
    return {
        "headline": pack(values, 200),
        "kicker": pack(values[3:], 100),
        "teaser": pack(verbatim[n:] + verbatim[:n], TEASER_MAX, "\n\n"),
        "intro": pack(values, INTRO_MAX, "\n\n"),
        "byline": pack(values[5:], 200, " und "),
        "image_alt": pack(values[1:], 300),
        "image_caption": pack(values[2:], 300),
        "image_credit": pack(values[4:], 200),
    }


def question_slots(version: int) -> dict[str, dict]:
    """The questions of `version` by slot: one per short entry and link, one long word; v2
    rewords three, changes every answer, removes one and adds one."""
    slots = {"first": {"question": "Was bleibt gleich?", "answer": "Bleibt. [^quelle-1]"}}
    for n, (name, value) in enumerate({**SHORT, **LINKS}.items()):
        if version == 2 and name == "sql":
            continue
        question = f"Was heißt {value}{' – umformuliert' if version == 2 and n < 3 else ''}?"
        if name in LINKS:
            answer = f"Nur Text zu Frage {n}."
        elif version == 1:
            answer = f"Antwort {n}: {value} [^quelle-1]"
        else:
            answer = f"Antwort {n} geändert: {value} – {rotated(n + 1)[0]} [^quelle-2]"
        slots[name] = {"question": question, "answer": answer}
    slots["long-word"] = {"question": "Wie lang darf ein Wort sein?", "answer": LONG_WORD}
    if version == 2:
        slots["new"] = {"question": f"Was ist neu an {SHORT['script']}?", "answer": SHORT["style"]}
    return slots


def source_rows(form: dict, version: int) -> None:
    values = rotated(version * 2)
    for n, row in enumerate(form["sources"]):
        row["label"] = pack(values[n:], 300)
        row["publisher"] = pack(values[n + 1 :], 200)
        row["url"] = "https://example.org/pfad?a=1&b=%3Cscript%3E"


def post_version(client, explainer, version: int) -> None:
    """Save hostile content of `version` through the change form, as a browser posts it:
    stored rows edited in place (matched by slot), removed ones deleted, new ones added."""
    form = change_form_data(explainer)
    form["main"].update(main_fields(version * 7))
    wanted = question_slots(version)
    stored_slots = list(question_slots(1)) if version > 1 else ["first"]
    rows = []
    for slot, row in zip(stored_slots, form["questions"], strict=True):
        rows.append({**row, **wanted[slot]} if slot in wanted else {**row, "DELETE": True})
    rows += [
        {**wanted[slot], "anchor": "", "extra_cites": "", "explainer": explainer.pk}
        for slot in wanted
        if slot not in stored_slots
    ]
    new_slots = [slot for slot in wanted if slot not in stored_slots]
    for row, slot in zip(rows, [*stored_slots, *new_slots], strict=True):
        row["position"] = list(wanted).index(slot) + 1 if slot in wanted else 0
    form["questions"] = rows
    source_rows(form, version)
    response = client.post(admin_url("change", explainer.pk), encode(form))
    assert response.status_code == 302, error_lists(response)


def error_lists(response) -> list[str]:
    tree = parse(response.content.decode())
    return [squash(ul.text_content()) for ul in tree.find_class("errorlist")]


def build_world(client) -> dict:
    desk = make_user("hostile-desk", publish=True)
    image = {"src": "bilder/aufmacher.jpg", "alt": "Bild", "caption": "", "credit": ""}
    explainer = make_explainer(questions=1, sources=2, image=image)
    client.force_login(desk)
    post_version(client, explainer, 1)
    notes = {
        1: (SHORT["script"] + " " + SHORT["control-characters"], INTERNAL + SHORT["close-comment"]),
        2: (pack(rotated(5), NOTE_MAX), INTERNAL + SHORT["json-breakout"]),
    }
    for version in (1, 2):
        if version == 2:
            post_version(client, explainer, 2)
        note, internal = notes[version]
        response = client.post(
            admin_url("publish", explainer.pk),
            {"kind": "correction", "note": note, "internal_note": internal},
        )
        assert response.status_code == 302, error_lists(response)
    # An unpublished edit on top, for the preview and the desk's comparisons.
    explainer = Explainer.objects.get(pk=explainer.pk)
    form = change_form_data(explainer)
    form["main"].update({name: getattr(explainer, name) for name in main_fields(0)})
    form["main"]["headline"] = "Arbeitsstand " + SHORT["close-title"]
    form["questions"][1]["answer"] = "Unveröffentlicht: " + SHORT["iframe"]
    response = client.post(admin_url("change", explainer.pk), encode(form))
    assert response.status_code == 302, error_lists(response)
    working = document_from_explainer(Explainer.objects.get(pk=explainer.pk))

    withdrawn = make_explainer()
    publish(withdrawn)
    withdraw_note = SHORT["attribute-breakout"] + " " + SHORT["close-script"]
    response = client.post(admin_url("withdraw", withdrawn.pk), {"note": withdraw_note})
    assert response.status_code == 302, error_lists(response)
    client.logout()

    explainer = Explainer.objects.get(pk=explainer.pk)
    v1, v2 = Publication.objects.filter(explainer=explainer).order_by("number")
    # Accepted means stored exactly as typed (line ends aside).
    for version, publication in ((1, v1), (2, v2)):
        for name, value in main_fields(version * 7).items():
            stored = publication.document.get(name)
            if name.startswith("image_"):
                stored = publication.document["image"][name.removeprefix("image_")]
            elif name == "byline":
                stored = publication.byline
            assert stored == value, name
        assert (publication.note, publication.internal_note) == notes[version]
    return {
        "explainer": explainer,
        "desk": desk,
        "v1": v1,
        "v2": v2,
        "working": working,
        "withdrawn": withdrawn,
        "withdraw_note": withdraw_note,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(Client())
        transaction.set_rollback(True)


@pytest.fixture
def reader():
    return Client(raise_request_exception=False)


@pytest.fixture
def staff(world):
    client = Client(raise_request_exception=False)
    client.force_login(world["desk"])
    return client


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def assert_shows(tree, texts) -> None:
    """Every text reads on the page as text (control characters aside)."""
    shown = visible(tree.text_content())
    for text in texts:
        assert visible(text) in shown, text[:80]


def shown(text: str, typesetting: int, document: dict) -> str:
    """A plain field as the page shows it: in the typography its publication is set in."""
    return typeset(text, document["language"]) if typesetting != PLAIN else text


def plain_fields(document: dict, byline: str, typesetting: int = PLAIN) -> list[str]:
    image = document["image"]
    typeset_fields = [
        document["headline"], document["kicker"],
        *(q["question"] for q in document["questions"]),
        *(s["label"] for s in document["sources"]),
        *(s["publisher"] for s in document["sources"]),
    ]  # fmt: skip
    return [byline, image["caption"], image["credit"]] + [
        shown(text, typesetting, document) for text in typeset_fields
    ]


def markdown_texts(document: dict, typesetting: int = PLAIN) -> list[str]:
    """What readers must read of the Markdown fields: the renderer's text (citation
    markers become numbers, so the answers are compared without them)."""
    parts = [document["teaser"], document["intro"]]
    parts += [q["answer"].split(" [^")[0] for q in document["questions"]]
    language = document["language"]
    return [
        parse(
            f"<div>{render_markdown(part, typesetting=typesetting, language=language)}</div>"
        ).text_content()
        for part in parts
    ]


# --- reader surfaces ------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["current", "v1", "v2"])
def test_the_reader_page_shows_every_field_as_text_and_runs_nothing(world, reader, version):
    explainer = world["explainer"]
    publication = world["v1"] if version == "v1" else world["v2"]
    path = (
        url("detail", explainer.slug)
        if version == "current"
        else url("version", explainer.slug, publication.number)
    )
    text = page(reader, path)
    tree = assert_inert(text, json_ld=1)
    assert (count(tree, "main"), count(tree, "article"), count(tree, "h1")) == (1, 1, 1)
    document = publication.document
    typesetting = publication.typesetting
    assert visible(tree.find(".//h1").text_content()) == visible(
        shown(document["headline"], typesetting, document)
    )
    assert len(tree.find_class("question")) == len(document["questions"])
    assert_shows(
        tree,
        plain_fields(document, publication.byline, typesetting)
        + markdown_texts(document, typesetting),
    )
    notes = [world["v1"].note, world["v2"].note][: publication.number]
    assert_shows(tree, [shown(note, typesetting, document) for note in notes])
    for name, value in SHORT.items():
        if name not in NOT_MARKDOWN_VERBATIM:
            intro = visible(tree.find_class("intro")[0].text_content())
            assert visible(shown(value, typesetting, document)) in intro, name
    image = tree.find(".//figure/img")
    assert image.get("alt") == document["image"]["alt"]
    assert image.get("src") == "/media/bilder/aufmacher.jpg"
    assert INTERNAL not in text and "Arbeitsstand" not in text


@pytest.mark.parametrize("version", ["current", "v1"])
def test_the_json_ld_survives_every_hostile_field_whole(world, reader, version):
    explainer = world["explainer"]
    publication = world["v1"] if version == "v1" else world["v2"]
    path = (
        url("detail", explainer.slug) if version == "current" else url("version", explainer.slug, 1)
    )
    text = page(reader, path)
    [data] = json_ld_blocks(text)
    document = publication.document
    assert data["headline"] == document["headline"]
    assert data["description"] == to_plain_text(document["teaser"])
    assert data["image"]["caption"] == document["image"]["caption"]
    assert data["image"]["creditText"] == document["image"]["credit"]
    # v1 is the first publication (whatever kind was asked for); v2 the correction.
    corrections = [c["text"] for c in data.get("correction", [])]
    assert corrections == ([world["v2"].note] if publication.number == 2 else [])
    assert len(data["author"]) >= 2
    # The head's meta tags carry the same text, as attribute values.
    head = parse(text).find(".//head")
    metas = {m.get("property") or m.get("name"): m.get("content") for m in head.iter("meta")}
    assert metas["og:title"] == document["headline"]
    assert metas["og:image:alt"] == document["image"]["alt"]
    assert metas["description"] == data["description"]


def test_the_versions_page_shows_the_notes_as_text(world, reader):
    text = page(reader, url("versions", world["explainer"].slug))
    tree = assert_inert(text)
    assert (count(tree, "main"), count(tree, "h1"), count(tree, "table")) == (1, 1, 1)
    assert len(tree.findall(".//tbody/tr")) == 2
    assert_shows(tree, [world["v1"].note, world["v2"].note, world["v2"].document["headline"]])


def test_the_diff_shows_both_sides_as_text(world, reader):
    text = page(reader, url("diff", world["explainer"].slug, "1..2"))
    tree = assert_inert(text)
    assert (count(tree, "main"), count(tree, "h1")) == (1, 1)
    old, new = world["v1"].document, world["v2"].document
    deleted = visible(" ".join(el.text_content() for el in tree.iter("del")))
    inserted = visible(" ".join(el.text_content() for el in tree.iter("ins")))
    # A reworded title reads, word by word, as the old one and as the new one.
    titles = [
        (visible(text_without(el, "ins")), visible(text_without(el, "del")))
        for el in tree.find_class("diff-question")
    ]
    for old_q, new_q in zip(old["questions"][1:3], new["questions"][1:3], strict=True):
        assert any(
            before.endswith(visible(old_q["question"]))
            and after.endswith(visible(new_q["question"]))
            for before, after in titles
        )
    assert visible(SHORT["script"]) in inserted  # from the new question and the answers
    note = shown(world["v2"].note, world["v2"].typesetting, new)  # the notes as on the page
    assert_shows(tree, [note, new["headline"], new["questions"][-1]["question"]])
    removed = [q["question"] for q in old["questions"] if "DROP TABLE" in q["question"]]
    assert_shows(tree, removed)
    assert all(visible(question) in deleted for question in removed)  # struck, whole
    # Every changed answer reads, word for word, as its old text without the insertions
    # and as its new text without the deletions (markers shown as numbers).
    numbers = citation_numbers(new, typesetting=world["v2"].typesetting)
    entries = [e for e in diff_documents(old, new)["questions"] if e["status"] == "changed"]
    sections = tree.find_class("diff-entry--changed")
    assert len(sections) == len(entries) > 20
    answers = {q["key"]: q["answer"] for q in old["questions"]}
    for entry, section in zip(entries, sections, strict=True):
        if not entry["answer_changed"]:
            continue
        [div] = section.find_class("diff-text")
        new_answer = next(q["answer"] for q in new["questions"] if q["key"] == entry["key"])
        assert visible(text_without(div, "del")) == visible(cited(new_answer, numbers))
        assert visible(text_without(div, "ins")) == visible(cited(answers[entry["key"]], numbers))


def text_without(element, tag: str) -> str:
    """The element's text, leaving out the text inside every `tag` element."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag != tag:
            parts.append(text_without(child, tag))
        parts.append(child.tail or "")
    return "".join(parts)


def cited(text: str, numbers: dict) -> str:
    return MARKER_RE.sub(lambda m: f"[{numbers[m[1]]}]", text)


def test_the_staff_preview_shows_the_working_copy_as_text(world, staff):
    text = page(staff, url("preview", world["explainer"].slug))
    tree = assert_inert(text)
    assert (count(tree, "main"), count(tree, "article"), count(tree, "h1")) == (1, 1, 1)
    working = world["working"]  # shown as it would be published
    assert visible(tree.find(".//h1").text_content()) == visible(
        shown(working["headline"], CURRENT, working)
    )
    assert_shows(tree, [shown(q["question"], CURRENT, working) for q in working["questions"]])
    assert_shows(tree, [visible(shown(SHORT["iframe"], CURRENT, working))])


def test_the_index_shows_the_teaser_as_text(world, reader):
    tree = assert_inert(page(reader, url("index")))
    assert (count(tree, "main"), count(tree, "h1")) == (1, 1)
    document = world["v2"].document
    assert_shows(tree, [document["headline"], document["kicker"], document["teaser"]])
    assert visible(world["withdrawn"].headline) not in visible(tree.text_content())


def feed_entries(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    root = lxml.etree.fromstring(response.content)  # well-formed XML, or this raises
    # Atom, and Media RSS for the lead image's sizes (explainers/reader/feed_images.py)
    assert {el.tag.split("}")[0] for el in root.iter(lxml.etree.Element)} == {
        "{http://www.w3.org/2005/Atom",
        "{http://search.yahoo.com/mrss/",
    }
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.mark.parametrize("which", ["all", "explainer"])
def test_the_atom_feeds_parse_and_carry_the_hostile_text_as_text(world, reader, which):
    explainer = world["explainer"]
    path = url("feed") if which == "all" else url("explainer_feed", explainer.slug)
    feed = feed_entries(reader, path)
    entries = [e for e in feed.entries if e.link.endswith(f"/{explainer.slug}/v2/")]
    assert len(entries) == 1
    [entry] = entries
    assert visible(world["v2"].document["headline"]) in visible(entry.title)
    # The summary is HTML: it must be the escaped note, inert, reading as the note.
    assert entry.summary_detail.type == "text/html"
    raw_summary = lxml.etree.fromstring(reader.get(path).content).find(
        ".//{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary"
    )
    summary = assert_inert(f"<div>{raw_summary.text}</div>")
    assert visible(world["v2"].note) in visible(summary.text_content())
    assert visible(world["v2"].note) in visible(html.unescape(entry.summary))
    assert visible(world["v2"].byline) == visible(entry.author)
    if which == "explainer":
        assert visible(world["v2"].document["headline"]) in visible(feed.feed.title)
    assert all(world["withdrawn"].slug not in e.link for e in feed.entries)
    assert INTERNAL not in reader.get(path).content.decode()


def test_the_sitemap_is_well_formed_and_lists_only_public_pages(world, reader):
    response = reader.get("/sitemap.xml")
    assert response.status_code == 200
    root = lxml.etree.fromstring(response.content)
    locs = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(url("detail", world["explainer"].slug)) for loc in locs)
    assert not any(world["withdrawn"].slug in loc for loc in locs)


SEARCHES = {
    "word": "Antwort",
    "script": SHORT["script"],
    "attribute-breakout": SHORT["attribute-breakout"],
    "entities": SHORT["entities"],
    "sql": SHORT["sql"],
    "emoji": SHORT["emoji-combining"],
    "rtl": SHORT["rtl-zero-width"],
    "link": LINKS["md-javascript"],
    "tsquery": "!(Antwort | <-> :* & 'x' \"",
}


@pytest.mark.parametrize("query", SEARCHES.values(), ids=SEARCHES.keys())
def test_search_shows_query_and_hits_as_text(world, reader, query):
    response = reader.get(url("search"), {"q": query})
    assert response.status_code == 200
    tree = assert_inert(response.content.decode())
    assert (count(tree, "main"), count(tree, "h1")) == (1, 1)
    shown = squash(query)
    assert tree.get_element_by_id("search-q").get("value") == shown
    for hit in tree.find_class("search-results")[0] if tree.find_class("search-results") else []:
        link = hit.find(".//a")
        assert link.get("href").startswith(url("detail", world["explainer"].slug))


def test_search_finds_hostile_question_titles_as_text(world, reader):
    tree = assert_inert(page(reader, url("search") + "?q=Antwort"))
    titles = [visible(h.text_content()) for h in tree.iterfind(".//ol/li/h2")]
    assert visible(world["v2"].document["questions"][1]["question"]) in titles
    assert any("<script>" in t for t in titles)


def test_the_withdrawn_explainer_shows_the_hostile_note_as_text(world, reader):
    withdrawn = world["withdrawn"]
    for path in (
        url("detail", withdrawn.slug),
        url("version", withdrawn.slug, 1),
        url("versions", withdrawn.slug),
        url("explainer_feed", withdrawn.slug),
    ):
        tree = assert_inert(page(reader, path, status=410))
        assert (count(tree, "main"), count(tree, "h1")) == (1, 1)
        assert visible(world["withdraw_note"]) in visible(
            tree.find_class("notice")[0].text_content()
        )


# --- admin surfaces -------------------------------------------------------------------------


def admin_pages(world) -> dict[str, str]:
    explainer = world["explainer"]
    revisions = list(revisions_of(explainer).order_by("pk").values_list("pk", flat=True))
    pk = explainer.pk
    return {
        "changelist": admin_url("changelist"),
        "changelist-search": admin_url("changelist") + "?q=%3Cscript%3E",
        "change": admin_url("change", pk),
        "history": admin_url("history", pk),
        "revision": admin_url("revision", pk, revisions[-1]),
        "compare": admin_url("compare", pk) + f"?a={revisions[1]}&b={revisions[-1]}",
        "compare-published": admin_url("compare_published", pk),
        "publish": admin_url("publish", pk),
        "questions": admin_url("questions", pk),
        "withdraw": admin_url("withdraw", pk),
        "index": reverse("admin:index"),
        "schedules": reverse("admin:explainers_scheduledpublication_changelist"),
    }


@pytest.mark.parametrize(
    "name",
    ["changelist", "changelist-search", "change", "history", "revision", "compare",
     "compare-published", "publish", "questions", "withdraw", "index", "schedules"],
)  # fmt: skip
def test_admin_pages_show_hostile_text_as_text(world, staff, name):
    text = page(staff, admin_pages(world)[name])
    tree = assert_inert(text, admin=True)
    assert count(tree, "h1") <= 1
    working = world["working"]
    if name.startswith("changelist"):
        assert_shows(tree, [working["headline"]])
    if name in ("revision", "compare", "compare-published", "publish"):
        assert "evil.example" in tree.text_content()  # from the unpublished edit
    if name == "questions":
        assert_shows(tree, [q["question"] for q in working["questions"]])


def test_the_change_form_gives_back_every_hostile_value_exactly(world, staff):
    tree = assert_inert(page(staff, admin_url("change", world["explainer"].pk)), admin=True)
    explainer = Explainer.objects.get(pk=world["explainer"].pk)
    for name in ("kicker", "byline", "image_alt", "image_caption", "image_credit"):
        [field] = tree.xpath(f'//input[@name="{name}"]')
        assert field.get("value") == getattr(explainer, name), name
    for name in ("headline", "teaser", "intro"):  # the headline's box wraps, as a textarea
        [field] = tree.xpath(f'//textarea[@name="{name}"]')
        # A textarea's first newline is eaten by the parser; Django writes one for that.
        assert field.text.removeprefix("\n") == getattr(explainer, name), name
    answers = [
        t.text.removeprefix("\n") for t in tree.xpath('//textarea[contains(@name, "-answer")]')
    ]
    assert answers[: len(world["working"]["questions"])] == [
        q["answer"] for q in world["working"]["questions"]
    ]


ADMIN_QUERIES = {
    "search": ("changelist", "?q=a%00b"),
    "field-filter": ("changelist", "?headline=%00"),
    "list-filter": ("changelist", "?status=draft&review=%00"),
    "key": ("changelist", "?head%00line=1"),
    "schedules": ("schedules", "?reason=%00"),
}


@pytest.mark.parametrize("name", ADMIN_QUERIES)
def test_nul_in_an_admin_list_query_is_a_german_400_on_every_database(world, staff, name):
    page_name, query = ADMIN_QUERIES[name]
    response = staff.get(admin_pages(world)[page_name] + query)
    assert response.status_code in (400, 302), response.status_code  # 302: Django's "?e=1"
    if response.status_code == 400:
        assert "ungültiges Zeichen" in response.content.decode()


def test_the_recommendation_autocomplete_searches_and_refuses_nul(world, staff):
    path = reverse("admin:autocomplete")
    params = {"app_label": "explainers", "model_name": "relatedlink", "field_name": "target"}
    found = staff.get(path, {**params, "term": "script"})
    assert found.status_code == 200, found.status_code
    assert [r["text"] for r in found.json()["results"]] == [world["working"]["headline"]]
    nul = staff.get(path, {**params, "term": "a\x00b"})
    assert nul.status_code == 400  # refused before any query (newsroom/nul_guard.py)


@pytest.mark.parametrize("object_id", ["²", "%00", "abc", "1%00", "99999999999999999999999"])
def test_an_odd_object_id_in_an_admin_url_is_not_found_not_a_500(world, staff, object_id):
    base = admin_url("changelist")
    for suffix in ("change/", "history/", "publish/", "compare-published/", "withdraw/"):
        response = staff.get(f"{base}{object_id}/{suffix}")
        assert response.status_code in (302, 400, 404), (suffix, response.status_code)
    response = staff.post(f"{base}{object_id}/change/", {"headline": "x"})
    assert response.status_code in (302, 400, 404)


# --- refused input in the editors' forms ----------------------------------------------------

# field -> (limit, Markdown?). Source rows are `source-…`, question rows `question-…`.
FORM_FIELDS = {
    "headline": (200, False), "kicker": (100, False), "teaser": (TEASER_MAX, True),
    "intro": (INTRO_MAX, True), "byline": (200, False), "image_alt": (300, False),
    "image_caption": (300, False), "image_credit": (200, False),
    "question-question": (300, False), "question-answer": (ANSWER_MAX, True),
    "source-label": (300, False), "source-publisher": (200, False),
}  # fmt: skip


def refused_values(limit: int, markdown: bool) -> dict[str, tuple[str, str]]:
    """Hostile values this field must refuse, with (part of) the German message."""
    refused = {"nul": (NUL, "Nullzeichen sind nicht erlaubt."), "megabyte": (MEGABYTE, "höchstens")}
    if len(LONG_WORD) > limit:
        refused["long-word"] = (LONG_WORD, f"höchstens {limit} Zeichen")
    if markdown:
        for name, value in LINKS.items():
            refused[name] = (value, "Nur Links mit http://, https:// oder mailto:")
    return refused


def set_form_value(form: dict, field: str, value: str) -> None:
    if field.startswith("question-"):
        form["questions"][0][field.removeprefix("question-")] = value
    elif field.startswith("source-"):
        form["sources"][0][field.removeprefix("source-")] = value
    else:
        form["main"][field] = value


@pytest.mark.parametrize("field", FORM_FIELDS)
def test_every_change_form_field_refuses_what_it_cannot_take_in_german(client, desk, field):
    explainer = make_explainer(questions=1, sources=1)
    explainer.image = "bilder/x.jpg"
    explainer.save()
    before = document_from_explainer(explainer)
    client.force_login(desk)
    limit, markdown = FORM_FIELDS[field]
    for name, (value, message) in refused_values(limit, markdown).items():
        form = change_form_data(explainer)
        form["main"]["image_alt"] = "Bild"
        set_form_value(form, field, value)
        response = client.post(admin_url("change", explainer.pk), encode(form))
        assert response.status_code == 200, (field, name)
        assert any(message in error for error in error_lists(response)), (field, name)
        assert_inert(response.content.decode(), admin=True)
        assert document_from_explainer(Explainer.objects.get(pk=explainer.pk)) == before
    # Everything short and hostile that is not a Markdown link is taken as it is.
    form = change_form_data(explainer)
    value = pack(rotated(0), min(limit, 300))
    form["main"]["image_alt"] = "Bild"
    set_form_value(form, field, value)
    response = client.post(admin_url("change", explainer.pk), encode(form))
    assert response.status_code == 302, (field, error_lists(response))
    explainer = Explainer.objects.get(pk=explainer.pk)
    if field.startswith("question-"):
        stored = getattr(explainer.questions.get(), field.removeprefix("question-"))
    elif field.startswith("source-"):
        stored = getattr(explainer.sources.get(), field.removeprefix("source-"))
    else:
        stored = getattr(explainer, field)
    assert stored == value, field


@pytest.mark.parametrize("name", URLS)
def test_a_source_url_that_is_not_http_is_refused(client, desk, name):
    explainer = make_explainer(questions=1, sources=1)
    client.force_login(desk)
    form = change_form_data(explainer)
    form["sources"][0]["url"] = URLS[name]
    response = client.post(admin_url("change", explainer.pk), encode(form))
    assert response.status_code == 200
    errors = error_lists(response)
    expected = ("Nullzeichen", "gültige Adresse", "Nur Links mit http")
    assert any(e in error for error in errors for e in expected), errors
    assert_inert(response.content.decode(), admin=True)


def test_hostile_extra_cites_are_refused_and_echoed_as_text(client, desk):
    explainer = make_explainer(questions=1, sources=1)
    client.force_login(desk)
    form = change_form_data(explainer)
    form["questions"][0]["extra_cites"] = SHORT["img-onerror"]
    response = client.post(admin_url("change", explainer.pk), encode(form))
    assert response.status_code == 200
    tree = assert_inert(response.content.decode(), admin=True)
    assert any("Keine Quelle mit dem Schlüssel <img" in e for e in error_lists(response))
    [field] = tree.xpath('//input[@name="questions-0-extra_cites"]')
    assert field.get("value") == SHORT["img-onerror"]


NOTE_FORMS = {
    "publish-note": ("publish", "note"),
    "publish-internal-note": ("publish", "internal_note"),
    "withdraw-note": ("withdraw", "note"),
}


@pytest.mark.parametrize("form_name", NOTE_FORMS)
def test_note_fields_refuse_nul_and_overlong_text_in_german(client, desk, form_name):
    view, field = NOTE_FORMS[form_name]
    explainer = make_explainer()
    publish(explainer)
    client.force_login(desk)
    for value, message in [
        (NUL, "Nullzeichen sind nicht erlaubt."),
        (MEGABYTE, f"höchstens {NOTE_MAX} Zeichen"),
        ("x" * (NOTE_MAX + 1), f"höchstens {NOTE_MAX} Zeichen"),
    ]:
        data = {"kind": "correction", "note": "Hinweis.", field: value}
        response = client.post(admin_url(view, explainer.pk), data)
        assert response.status_code == 200, form_name
        assert any(message in error for error in error_lists(response)), form_name
        assert_inert(response.content.decode(), admin=True)
    assert explainer.publications.count() == 1
    assert Explainer.objects.get(pk=explainer.pk).current.withdrawn_at is None


def test_a_request_far_over_the_upload_limit_is_a_400_not_a_500(client, desk):
    explainer = make_explainer(questions=1)
    client.force_login(desk)
    form = change_form_data(explainer)
    for name in ("teaser", "intro", "headline"):
        form["main"][name] = MEGABYTE
    form["questions"][0]["answer"] = MEGABYTE
    client.raise_request_exception = False
    response = client.post(admin_url("change", explainer.pk), encode(form))
    assert response.status_code == 400


# --- the importer ---------------------------------------------------------------------------

DOCUMENT_FIELDS = ("headline", "kicker", "teaser", "intro", "question", "answer", "label",
                   "publisher", "image-alt", "image-caption", "image-credit")  # fmt: skip
IMPORT_LIMITS = {"headline": 200, "kicker": 100, "teaser": TEASER_MAX, "intro": INTRO_MAX,
                 "question": 300, "answer": ANSWER_MAX, "label": 300, "publisher": 200,
                 "image-alt": 300, "image-caption": 300, "image-credit": 200}  # fmt: skip


def document_with(field: str, value: str) -> dict:
    document = make_document(questions=2, sources=1)
    document["image"] = {"src": "bilder/x.jpg", "alt": "Bild", "caption": "", "credit": ""}
    if field in ("question", "answer"):
        document["questions"][1][field] = value
    elif field in ("label", "publisher"):
        document["sources"][0][field] = value
    elif field.startswith("image-"):
        document["image"][field.removeprefix("image-")] = value
    else:
        document[field] = value
    return document


@pytest.mark.parametrize("name", HOSTILE)
def test_a_json_document_import_takes_hostile_text_as_text_or_refuses_it_in_german(reader, name):
    value = HOSTILE[name]
    accepted = []
    for field in DOCUMENT_FIELDS:
        document = document_with(field, value)
        too_long = len(value) > IMPORT_LIMITS[field]
        try:
            explainer = import_document(document)
        except ImportRefused as refusal:
            message = str(refusal)
            assert "\x00" in value or too_long, (field, message)
            assert "Nullzeichen" in message or "höchstens" in message, message
            if "\x00" not in value:  # the length check names the row
                assert message.startswith("Frage 2:") == (field in ("question", "answer"))
            continue
        assert "\x00" not in value and not too_long, field
        accepted.append((field, explainer))
    assert not any("\x00" in h for h in Explainer.objects.values_list("headline", flat=True))
    for field, explainer in accepted:
        publish(explainer)
        text = page(reader, url("detail", explainer.slug))
        tree = assert_inert(text, json_ld=1)
        assert (count(tree, "main"), count(tree, "article"), count(tree, "h1")) == (1, 1, 1)
        json_ld_blocks(text)
        if field == "image-alt":
            assert tree.find(".//figure/img").get("alt") == value
        elif name not in NOT_MARKDOWN_VERBATIM and name not in LINKS:
            published = explainer.publications.get()
            expected = (
                value  # the image's words are shown as typed
                if field.startswith("image-")
                else shown(value, published.typesetting, published.document)
            )
            assert visible(expected) in visible(tree.find(".//article").text_content()), field


def hostile_text_file() -> str:
    """Text format v1 with every short entry in a header, the intro, questions, answers
    and source lines."""
    values = [v for v in SHORT.values() if v.isprintable() and not unsafe_link_targets(v)]
    lines = [
        "Titel: " + pack(values, 200),
        "Dachzeile: " + pack(values[3:], 100),
        "Bild: bilder/x.jpg",
        "Bild-Alt: " + pack(values[1:], 300),
        "",
        "Teaser " + SHORT["close-script"],
    ]
    for value in values:
        lines.append("Intro: " + value)
    for n, value in enumerate(values):
        lines += [f"Was heißt Nummer {n}? {{#q-{n} cites=quelle}}", f"Antwort: {value}"]
    lines += ["Wie lang darf ein Wort sein? {#q-lang}", LONG_WORD, "Verwendete Quellen"]
    lines.append(
        f"- [quelle] example.org: {SHORT['img-onerror']} <https://example.org/a> {{article}}"
    )
    return "\n".join(lines) + "\n"


def test_a_hostile_text_file_imports_as_text_and_renders_inert(reader):
    text_file = hostile_text_file()
    text = decode_import_bytes(text_file.encode())
    parsed = parse_text(text, filename="feindlich.txt")
    document = parsed.document
    assert document["sources"][0]["label"] == SHORT["img-onerror"]
    assert export_text(parse_text(export_text(document)).document) == export_text(document)
    explainer = import_document(document)
    publish(explainer)
    html_text = page(reader, url("detail", explainer.slug))
    tree = assert_inert(html_text, json_ld=1)
    assert (count(tree, "main"), count(tree, "article"), count(tree, "h1")) == (1, 1, 1)
    typesetting = explainer.publications.get().typesetting
    assert visible(tree.find(".//h1").text_content()) == visible(
        shown(document["headline"], typesetting, document)
    )
    assert_shows(tree, [shown(q["question"], typesetting, document) for q in document["questions"]])
    for name, value in SHORT.items():
        if name not in NOT_MARKDOWN_VERBATIM and value in text_file:
            expected = shown(value, typesetting, document)
            assert visible(expected) in visible(tree.text_content()), name


TEXT_LINKS = {**LINKS, **{k: v for k, v in SHORT.items() if "javascript:" in v}}


@pytest.mark.parametrize("name", TEXT_LINKS)
def test_the_text_importer_refuses_dangerous_links_anywhere_in_german(name):
    text = f"Titel: Test\n\nTeaser.\nWas nun?\nKlick {TEXT_LINKS[name]}\n"
    with pytest.raises(TextFormatError, match="unsicheren Link"):
        parse_text(text)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"Titel: T\n\nTeaser\nWas nun?\nNull\x00zeichen\n", "Binärdaten"),
        (b"Titel: T\n\nTeaser\nWas nun?\nSteuer\x1bzeichen\n", "Binärdaten"),
        (("Titel: T\n\nTeaser\nWas nun?\n" + MEGABYTE).encode(), "zu groß"),
        (b"Titel: T\n\nTeaser\nWas nun?\n\xff\xfe kaputt\n", "UTF-8"),
    ],
    ids=["nul", "control", "megabyte", "not-utf8"],
)
def test_the_text_importer_refuses_bytes_it_cannot_take_in_german(data, message):
    with pytest.raises(TextFormatError, match=message):
        decode_import_bytes(data)


def test_nul_and_overlong_answers_in_a_parsed_text_are_refused_before_anything_is_written():
    before = Explainer.objects.count()
    base = "Titel: Test\n\nTeaser.\nWas nun?\n"
    with pytest.raises(ImportRefused, match="Nullzeichen"):
        import_document(parse_text(base + "Null\x00zeichen\n").document)
    big = parse_text(base + "lang " * 180_000).document  # 900 KB: under the file limit
    assert len(big["questions"][0]["answer"]) < MAX_IMPORT_BYTES
    with pytest.raises(ImportRefused, match=f"Frage 1: .*höchstens {ANSWER_MAX} Zeichen"):
        import_document(big)
    with pytest.raises(TextFormatError, match="höchstens 1 MB"):
        parse_text(base + MEGABYTE)
    assert Explainer.objects.count() == before


def test_the_corpus_is_what_it_says():
    assert len(LONG_WORD) == 10_000 and " " not in LONG_WORD
    assert len(MEGABYTE.encode()) > 1_000_000
    assert "\x00" in NUL
    assert len(HOSTILE) == len(SHORT) + len(LINKS) + 3
    assert all(len(v) <= 100 for v in SHORT.values())
    assert len(list(itertools.chain(SHORT, LINKS, URLS))) >= 35

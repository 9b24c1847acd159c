"""One owner per concept: the marker grammar, the key pattern, the link policy, the line
endings and "has unpublished changes" each decided in one place, so every entry point
(admin, text format, importer, renderer, desk lists) agrees on them."""

import html
import re

import pytest
import reversion
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from markdown_it import MarkdownIt

from explainers.core.documents import MARKER_LIKE_RE, MARKER_RE, TEASER_MAX
from explainers.core.rendering import render_answer, render_markdown, unsafe_links
from explainers.core.textformat import TextFormatError, decode_import_bytes, parse_text
from explainers.domain.importing import ImportRefused, import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import record_revision, stamp
from explainers.models import Explainer, Question, Source
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer
from tests.support.strategies import key_candidates, link_targets, marker_texts

FOOTNOTE = '<sup class="cite">'
SOURCE_KEYS = ("a", "b-1")


def text_file(answer: str, question: str = "Was nun? {#q-1 cites=}") -> str:
    return (
        f"Titel: T\n\nTeaser.\n{question}\n{answer}\n\nVerwendete Quellen\n"
        "- [a] Erste Quelle {article}\n- [b-1] Zweite Quelle {article}\n"
    )


NUMBERS = {key: n for n, key in enumerate(SOURCE_KEYS, start=1)}


def visible(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", str(html_text)))


def footnotes(answer: str, keys=SOURCE_KEYS) -> int:
    numbers = {key: n for n, key in enumerate(keys, start=1)}
    return str(render_answer(answer, numbers, cite_id_prefix="q")).count(FOOTNOTE)


# --- markers and keys -----------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(marker_texts)
def test_what_the_importer_accepts_cites_as_footnotes_and_what_it_refuses_shows_as_text(answer):
    """Accepted: every marker becomes a footnote and a citation. Refused: the page would
    show marker text ("[^…") instead of a footnote."""
    try:
        parsed = parse_text(text_file(answer))
    except TextFormatError as error:
        assert "Quellenverweis" in str(error)
        assert "[^" in visible(render_answer(answer, NUMBERS, cite_id_prefix="q")), answer
        return
    markers = MARKER_RE.findall(answer)
    assert footnotes(answer) == len(markers) == len(MARKER_LIKE_RE.findall(answer)), answer
    question = parsed.document["questions"][0]
    assert question["answer"] == answer
    assert question["cites"] == [key for key in SOURCE_KEYS if key in markers]


@settings(max_examples=200)
@given(key_candidates)
def test_a_key_is_valid_for_the_admin_the_text_format_and_the_page_alike(key):
    from django.core.exceptions import ValidationError

    try:
        Source._meta.get_field("key").run_validators(key)
        admin_takes_it = True
    except ValidationError:
        admin_takes_it = False
    source_line = f"- [{key}] Titel {{article}}"
    parsed = parse_text(f"Titel: T\n\nTeaser.\nWas nun?\nA.\n\nVerwendete Quellen\n{source_line}\n")
    source_keeps_it = parsed.document["sources"][0]["key"] == key
    try:
        parse_text(f"Titel: T\n\nTeaser.\nWas nun? {{#{key}}}\nA.\n")
        question_keeps_it = True
    except TextFormatError:
        question_keeps_it = False
    page_cites_it = footnotes(f"A [^{key}].", keys=(key,)) == 1
    assert admin_takes_it == source_keeps_it == question_keeps_it == page_cites_it, key


# --- links ----------------------------------------------------------------------------------

# The Markdown subset's parser with every link target allowed: is it a link at all?
ANY_LINK = MarkdownIt("zero").enable(["link", "entity", "escape"])
ANY_LINK.validateLink = lambda url: True


@settings(max_examples=300)
@given(link_targets)
def test_a_link_the_form_accepts_is_a_link_on_the_page_and_every_other_is_not(target):
    text = f"Siehe [hier]({target})."
    form_accepts = unsafe_links(text) == []
    page_links = re.findall(r'<a href="([^"]*)"', str(render_markdown(text)))
    if "<a " not in ANY_LINK.render(text):  # not Markdown link syntax at all: plain text
        assert form_accepts and not page_links, target
    else:
        assert form_accepts == bool(page_links), (target, page_links)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["https://example.org/a?b=1", "HTTP://X.DE/", "https://bücher.de/x", "http://[::1]/x",
     "https://a", "http://:80/x", "http://[::1/x", "ftp://example.org/x",
     "https://user@/x", "http://a.de:99999/", "http://xn--zz.de/", "https://a_b.de/",
     "https://a.de/\x01", "http://1.2.3.999/"],
)  # fmt: skip
def test_a_source_link_is_taken_by_the_admin_exactly_when_the_importer_takes_it(
    client, reporter, url
):
    explainer = make_explainer(questions=1, sources=1)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["sources"][0]["url"] = url
    admin_takes_it = (
        client.post(
            reverse("admin:explainers_explainer_change", args=[explainer.pk]), encode(form)
        ).status_code
        == 302
    )
    file = text_file("A.").replace("- [a] Erste Quelle", f"- [a] Erste Quelle <{url}>")
    try:
        import_document(parse_text(file).document)
        importer_takes_it = True
    except (TextFormatError, ImportRefused) as refusal:
        assert "http" in str(refusal) or "URL" in str(refusal), str(refusal)
        importer_takes_it = False
    assert admin_takes_it == importer_takes_it, url


# --- line endings ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_crlf_posted_to_the_add_form_counts_each_line_break_once_and_is_stored_as_lf(
    client, reporter
):
    """The counter under the field counts a line break once, so a teaser at the limit
    must be taken when the browser posts its line breaks as CRLF."""
    line = "Wort " * 19 + "Ende."  # 100 characters
    teaser = "\n".join([line] * 10)[: TEASER_MAX - 1] + "."
    assert len(teaser) == TEASER_MAX
    client.force_login(reporter)
    form = {
        "main": {
            "headline": "Zeilenenden", "slug": "", "kicker": "", "teaser": teaser,
            "intro": "Eins.\r\rZwei.", "language": "de", "byline": "", "image_alt": "",
            "image_caption": "", "image_credit": "", "review_by": "",
        },
        "questions": [
            {"question": "Was nun?", "anchor": "", "answer": "A [^a].\r\n\r\nB.", "position": 1}
        ],
        "sources": [{"key": "a", "label": "Interview", "kind": "interview", "position": 1}],
        "related_links": [],
    }  # fmt: skip
    data = encode(form)
    data["teaser"] = teaser.replace("\n", "\r\n")
    response = client.post(reverse("admin:explainers_explainer_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    explainer = Explainer.objects.get(slug="zeilenenden")
    assert explainer.teaser == teaser
    assert explainer.intro == "Eins.\n\nZwei."
    assert explainer.questions.get().answer == "A [^a].\n\nB."


@pytest.mark.django_db
def test_crlf_and_cr_in_an_imported_file_or_document_are_stored_as_lf():
    data = text_file("Erste Zeile [^a].\r\n\r\nZweiter Absatz.").replace("\n", "\r")
    explainer = import_document(parse_text(decode_import_bytes(data.encode())).document)
    assert explainer.questions.get().answer == "Erste Zeile [^a].\n\nZweiter Absatz."
    document = parse_text(text_file("X.")).document
    document["slug"] = "direkt"
    document["intro"] = "Eins.\r\n\r\nZwei.\rDrei."
    stored = import_document(document)
    assert stored.intro == "Eins.\n\nZwei.\nDrei."


@pytest.mark.django_db
def test_a_revision_holding_crlf_reads_as_the_same_text_so_an_untouched_save_changes_nothing(
    client, reporter
):
    explainer = make_explainer(questions=1, sources=1)
    Explainer.objects.filter(pk=explainer.pk).update(byline="Anna Schmidt\r\nJonas Weber")
    Question.objects.filter(explainer=explainer).update(valid_until_note="bis\r\nzum Gipfel")
    explainer.refresh_from_db()
    with reversion.create_revision():
        record_revision(explainer, comment="alt")
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["main"]["loaded_revision"] = ""  # a form opened before that revision: merged
    form["questions"][0]["valid_until_note"] = "bis\r\nzum Gipfel"
    response = client.post(
        reverse("admin:explainers_explainer_change", args=[explainer.pk]),
        encode(form),
        follow=True,
    )
    assert "Keine Änderungen – nichts gespeichert." in response.content.decode()


# --- unpublished changes --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_filter_the_desk_list_the_status_column_and_the_change_page_agree(client, desk):
    make_explainer(headline="Nie veröffentlicht")
    make_explainer(headline="Veröffentlicht wie es ist")
    publish(Explainer.objects.get(headline="Veröffentlicht wie es ist"))
    changed = make_explainer(headline="Geändert seit v1")
    publish(changed)
    Question.objects.filter(explainer=changed, position=1).update(answer="Neu.")
    stamp(changed)
    republished = make_explainer(headline="Geändert und neu veröffentlicht")
    publish(republished)
    Question.objects.filter(explainer=republished, position=1).update(answer="Neu.")
    stamp(republished)
    publish(republished, kind="update", note="Neu.")

    selected = set(Explainer.objects.with_unpublished_changes().values_list("headline", flat=True))
    assert selected == {"Geändert seit v1"}
    client.force_login(desk)
    changelist = reverse("admin:explainers_explainer_changelist")
    filtered = client.get(changelist + "?status=unpublished_changes").content.decode()
    every = client.get(changelist).content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    for explainer in Explainer.objects.all():
        listed = f">{explainer.headline}<" in filtered
        unpublished = explainer.headline in selected
        assert listed == unpublished, explainer.headline
        change_page = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
        assert change_page.context["unpublished_changes"] == unpublished, explainer.headline
    assert every.count("unveröffentlichte Änderungen</td>") == len(selected)
    section = index.split("Unveröffentlichte Änderungen", 1)[1].split("</ul>", 1)[0]
    assert [h for h in Explainer.objects.values_list("headline", flat=True) if h in section] == [
        "Geändert seit v1"
    ]

"""Saving the change page tells the truth: a revision only when the versioned state
changed, a comment that names exactly what changed, numbers per explainer, and no role or
stale form that loses or breaks anything."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from explainers.domain.hand_off import hand_in
from explainers.domain.retention import prune_revisions
from explainers.domain.revisions import latest_revision, revisions_of
from explainers.models import Explainer, Question, RelatedLink, RevisionNumber
from tests.browser_form import form_fields, loaded_form
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db

MULTI_PARAGRAPH = "Erster Absatz.\n\nZweiter Absatz [^quelle-1].\n\nDritter Absatz."


def change_url(explainer):
    return reverse("admin:explainers_explainer_change", args=[explainer.pk])


@pytest.fixture
def explainer():
    explainer = make_explainer(questions=3, sources=2)
    Explainer.objects.filter(pk=explainer.pk).update(intro=MULTI_PARAGRAPH)
    Question.objects.filter(explainer=explainer).update(answer=MULTI_PARAGRAPH)
    # One save through the admin so the working copy and its latest revision agree.
    return explainer


def save(client, explainer, data, *, follow=False):
    return client.post(change_url(explainer), {**data, "_continue": "1"}, follow=follow)


def settle(client, explainer):
    """A first save records the rows as the admin writes them."""
    data = loaded_form(client, change_url(explainer))
    data["change_comment"] = "Ausgangslage"
    data["teaser"] += " Stand heute."
    assert save(client, explainer, data).status_code == 302


def test_an_untouched_save_writes_no_revision_and_no_log_entry_and_says_so(
    client, reporter, explainer
):
    client.force_login(reporter)
    settle(client, explainer)
    revisions, entries = revisions_of(explainer).count(), LogEntry.objects.count()
    response = save(client, explainer, loaded_form(client, change_url(explainer)), follow=True)
    assert response.status_code == 200
    assert revisions_of(explainer).count() == revisions
    assert LogEntry.objects.count() == entries
    assert "Keine Änderungen – nichts gespeichert" in response.content.decode()


def test_a_real_save_is_credited_only_with_what_it_changed(client, reporter, explainer):
    client.force_login(reporter)
    settle(client, explainer)
    data = loaded_form(client, change_url(explainer))
    data["questions-1-answer"] = data["questions-1-answer"].replace("Dritter", "Vierter")
    assert save(client, explainer, data).status_code == 302
    comment = latest_revision(explainer).get_comment()
    assert comment == "Antwort auf „Was ist Frage 2?“ geändert."
    entry = LogEntry.objects.order_by("-pk").first()
    assert entry.get_change_message() == comment


def test_the_editors_own_comment_stands_first(client, reporter, explainer):
    client.force_login(reporter)
    settle(client, explainer)
    data = loaded_form(client, change_url(explainer))
    data["headline"] = "Neue Überschrift"
    data["byline"] = "Anna Schmidt"
    data["change_comment"] = "Nach dem Gipfel aktualisiert"
    assert save(client, explainer, data).status_code == 302
    assert latest_revision(explainer).get_comment() == (
        "Nach dem Gipfel aktualisiert – Überschrift geändert. Autorinnen und Autoren geändert."
    )


def test_a_changed_validity_note_alone_is_a_revision(client, reporter, explainer):
    client.force_login(reporter)
    settle(client, explainer)
    before = revisions_of(explainer).count()
    data = loaded_form(client, change_url(explainer))
    data["questions-0-valid_until_note"] = "bis zum Treffen in Washington"
    assert save(client, explainer, data).status_code == 302
    assert revisions_of(explainer).count() == before + 1
    assert "Gültigkeit" in latest_revision(explainer).get_comment()


def test_a_change_form_save_never_hands_in_or_clears_a_hand_off(client, reporter, explainer):
    client.force_login(reporter)
    settle(client, explainer)
    before = revisions_of(explainer).count()
    data = loaded_form(client, change_url(explainer))
    data["ready_for_review"] = "on"  # a field the form no longer has
    response = save(client, explainer, data, follow=True)
    explainer.refresh_from_db()
    assert explainer.ready_for_review is False
    assert revisions_of(explainer).count() == before
    assert "nichts gespeichert" in response.content.decode()
    hand_in(explainer, user=reporter, message="Bitte abnehmen.")
    data = loaded_form(client, change_url(explainer))
    data["teaser"] = "Ein neuer Teaser."
    assert save(client, explainer, data).status_code == 302
    explainer.refresh_from_db()
    assert explainer.teaser == "Ein neuer Teaser."
    assert explainer.ready_for_review is True


def test_a_stale_form_does_not_undo_a_hand_in_made_meanwhile(client, reporter, explainer):
    client.force_login(reporter)
    settle(client, explainer)
    stale = loaded_form(client, change_url(explainer))  # loaded before it was handed in
    hand_in(explainer, user=reporter, message="Fertig.")
    stale["teaser"] = "Ein neuer Teaser."
    assert save(client, explainer, stale).status_code == 302
    explainer.refresh_from_db()
    assert explainer.teaser == "Ein neuer Teaser."
    assert explainer.ready_for_review is True


def test_revisions_are_numbered_per_explainer_and_pruning_never_renumbers(client, reporter):
    first, second = make_explainer(questions=1), make_explainer(questions=1, slug="zweites")
    client.force_login(reporter)
    for step in range(3):
        for explainer in (first, second):
            data = loaded_form(client, change_url(explainer))
            data["teaser"] = f"Teaser {step}"
            assert save(client, explainer, data).status_code == 302
    numbers = list(revisions_of(second).values_list("number", flat=True))
    assert numbers == [4, 3, 2, 1]
    history = client.get(reverse("admin:explainers_explainer_history", args=[second.pk]))
    assert "#4" in history.content.decode()
    prune_revisions(keep_latest=1)
    assert list(revisions_of(second).values_list("number", flat=True)) == [4]
    data = loaded_form(client, change_url(second))
    data["teaser"] = "Nach dem Aufräumen"
    assert save(client, second, data).status_code == 302
    assert list(revisions_of(second).values_list("number", flat=True)) == [5, 4]
    assert RevisionNumber.objects.filter(explainer=second, number=5).count() == 1


def test_a_reporter_saves_an_explainer_that_has_a_recommendation(client, reporter, desk):
    target = make_explainer(questions=1, slug="empfohlen")
    explainer = make_explainer(questions=2)
    RelatedLink.objects.create(explainer=explainer, target=target, position=3)
    client.force_login(reporter)
    data = loaded_form(client, change_url(explainer))
    data["teaser"] = "Vom Reporter geändert."
    response = save(client, explainer, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    explainer.refresh_from_db()
    assert explainer.teaser == "Vom Reporter geändert."
    assert list(RelatedLink.objects.filter(explainer=explainer).values_list("target", flat=True))
    assert [target.pk] == list(
        RelatedLink.objects.filter(explainer=explainer).values_list("target", flat=True)
    )


def test_a_stale_save_whose_base_revision_was_pruned_is_a_conflict_not_an_overwrite(
    client, reporter, explainer
):
    other = make_user("ben")
    client.force_login(reporter)
    settle(client, explainer)
    stale = loaded_form(client, change_url(explainer))
    client.force_login(other)
    for text in ("Bens Einleitung.", "Bens zweite Einleitung."):
        data = loaded_form(client, change_url(explainer))
        data["intro"] = text
        data["questions-0-answer"] = f"{text} Antwort."
        assert save(client, explainer, data).status_code == 302
    prune_revisions(keep_latest=1)
    client.force_login(reporter)
    stale["intro"] = "Annas Einleitung."
    response = save(client, explainer, stale)
    assert response.status_code == 200  # the form comes back
    html = response.content.decode()
    assert "Bens zweite Einleitung." in html and "Annas Einleitung." in html
    explainer.refresh_from_db()
    assert explainer.intro == "Bens zweite Einleitung."
    assert Question.objects.get(explainer=explainer, position=1).answer.startswith("Bens zweite")


def test_the_browser_form_helper_posts_what_the_page_serves(client, reporter, explainer):
    client.force_login(reporter)
    data = form_fields(client.get(change_url(explainer)).content)
    assert data["intro"] == MULTI_PARAGRAPH.replace("\n", "\r\n")
    assert data["questions-TOTAL_FORMS"] == "3"


def test_an_overlong_answer_is_refused_with_every_character_kept(client, reporter, explainer):
    from explainers.core.documents import ANSWER_MAX

    client.force_login(reporter)
    page = client.get(change_url(explainer)).content.decode()
    assert 'maxlength="20000"' not in page and 'data-limit="20000"' in page
    data = loaded_form(client, change_url(explainer))
    pasted = "Wort " * (ANSWER_MAX // 5) + "Ende"
    data["questions-0-answer"] = pasted
    response = save(client, explainer, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "höchstens 20000 Zeichen" in html
    assert form_fields(html)["questions-0-answer"].replace("\r\n", "\n") == pasted
    assert Question.objects.get(explainer=explainer, position=1).answer == MULTI_PARAGRAPH


def test_the_comment_names_added_removed_and_moved_questions_and_sources():
    from explainers.desk.revision_comments import describe_changes
    from tests.factories import make_document

    old = make_document(questions=3, sources=2)
    new = make_document(questions=3, sources=2)
    new["questions"] = [new["questions"][2], new["questions"][0]]  # 2 removed, 3 moved up
    new["questions"].append(
        {
            "key": "q-neu",
            "anchor": "neu",
            "question": "Was ist neu?",
            "answer": "Viel.",
            "cites": [],
        }
    )
    new["sources"][1] = {**new["sources"][1], "label": "Anderer Titel"}
    new["sources"].append({**new["sources"][0], "key": "dlf", "label": "DLF"})

    def state(document):
        return {"document": document, "desk": {}, "questions": {}}

    lines = describe_changes(state(old), state(new))
    assert "Frage „Was ist Frage 2?“ entfernt" in lines
    assert "Frage „Was ist neu?“ hinzugefügt" in lines
    assert "Reihenfolge der Fragen geändert" in lines
    assert "Quelle „quelle-2“ geändert" in lines
    assert "Quelle „dlf“ hinzugefügt" in lines
    assert not any("Antwort" in line for line in lines)
    assert describe_changes(state(old), state(old)) == []


def test_line_breaks_count_once_against_the_limit_as_the_counter_shows(client, reporter, explainer):
    from explainers.core.documents import ANSWER_MAX

    client.force_login(reporter)
    data = loaded_form(client, change_url(explainer))
    lines = ["Zeile"] * 199
    text = "\n".join(lines)
    text += "x" * (ANSWER_MAX - len(text))  # exactly the limit, with LF line breaks
    data["questions-0-answer"] = text.replace("\n", "\r\n")  # as the browser posts it
    assert save(client, explainer, data).status_code == 302
    assert Question.objects.get(explainer=explainer, position=1).answer == text


def test_a_reporters_stale_save_takes_the_recommendations_as_stored(client, reporter, desk):
    first, second = (
        make_explainer(questions=1, slug="eins"),
        make_explainer(questions=1, slug="zwei"),
    )
    explainer = make_explainer(questions=2)
    RelatedLink.objects.create(explainer=explainer, target=first, position=1)
    client.force_login(desk)
    settle(client, explainer)
    client.force_login(reporter)
    stale = loaded_form(client, change_url(explainer))
    client.force_login(desk)
    swapped = loaded_form(client, change_url(explainer))
    swapped["related_links-0-target"] = str(second.pk)
    assert save(client, explainer, swapped).status_code == 302
    client.force_login(reporter)
    stale["teaser"] = "Vom Reporter, später gespeichert."
    response = save(client, explainer, stale)
    assert response.status_code == 302, response.content.decode()[:3000]
    explainer.refresh_from_db()
    assert explainer.teaser == "Vom Reporter, später gespeichert."
    targets = RelatedLink.objects.filter(explainer=explainer).values_list("target", flat=True)
    assert list(targets) == [second.pk]


def test_a_form_without_a_base_revision_is_a_conflict_when_someone_saved(
    client, reporter, explainer
):
    other = make_user("ben")
    client.force_login(reporter)
    stale = loaded_form(client, change_url(explainer))
    stale["loaded_revision"] = ""  # opened before the explainer had any revision
    client.force_login(other)
    data = loaded_form(client, change_url(explainer))
    data["teaser"] = "Bens Teaser."
    assert save(client, explainer, data).status_code == 302
    client.force_login(reporter)
    stale["teaser"] = "Annas Teaser."
    response = save(client, explainer, stale)
    assert response.status_code == 200
    explainer.refresh_from_db()
    assert explainer.teaser == "Bens Teaser."


def test_image_texts_without_an_image_are_versioned_too(client, reporter, explainer):
    client.force_login(reporter)
    settle(client, explainer)
    data = loaded_form(client, change_url(explainer))
    data["image_caption"] = "Bildunterschrift für später"
    response = save(client, explainer, data, follow=True)
    assert "Keine Änderungen" not in response.content.decode()
    assert latest_revision(explainer).get_comment() == "Aufmacherbild geändert."

"""Linked translations at the desk (docs/translations.md): creating one, when it is
outdated, catching up, publishing it, importing it again, and the admin's list and panel."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explainers.core.passages import REDACTED
from explainers.domain.importing import ImportRefused, import_document
from explainers.domain.publishing import publish
from explainers.domain.takedown import redact, withdraw
from explainers.domain.translations import (
    TranslationRefused,
    catch_up,
    create_translation,
    newer_source_publications,
    outdated,
)
from explainers.models import Explainer, Publication, Question, Translation
from tests.factories import make_document, make_explainer, make_user
from tests.test_import_options import ENGLISH, FRENCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(desk):
    explainer = make_explainer(questions=3, sources=2)
    publish(explainer, user=desk)
    return explainer


def update_original(explainer, desk, *, answer: str, kind: str = "update", position: int = 2):
    """The original with one answer rewritten, published as `kind`."""
    document = document_of(explainer)
    document["questions"][position - 1]["answer"] = answer
    import_document(document, replace=True)
    note = "" if kind == "minor" else "Neue Lage."
    return publish(explainer, kind=kind, note=note, user=desk)


def document_of(explainer):
    from explainers.domain.builders import document_from_explainer

    return document_from_explainer(Explainer.objects.get(pk=explainer.pk))


def link_of(translation) -> Translation:
    return Translation.objects.select_related("source_publication").get(explainer=translation)


# Creating


def test_a_translation_starts_as_the_originals_current_text_with_its_keys(original, reporter):
    current = update_original(original, make_user("chef", publish=True), answer="Zweite Fassung.")
    translation = create_translation(original, "en", reporter)
    assert translation.language == "en" and translation.slug == f"{original.slug}-en"
    assert translation.pk != original.pk
    mine = list(translation.questions.values_list("key", "question", "answer"))
    theirs = [(q["key"], q["question"], q["answer"]) for q in current.document["questions"]]
    assert mine == theirs
    assert list(translation.sources.values_list("key", flat=True)) == [
        s["key"] for s in current.document["sources"]
    ]
    link = link_of(translation)
    assert link.source == original and link.source_publication == current
    assert not translation.publications.exists()  # nothing published
    from explainers.domain.revisions import latest_revision

    assert "Übersetzung von" in latest_revision(translation).comment
    assert not outdated(link)


def test_one_translation_per_language(original, reporter):
    create_translation(original, "en", reporter)
    with pytest.raises(TranslationRefused, match="schon eine Übersetzung auf English"):
        create_translation(original, "en", reporter)
    with pytest.raises(TranslationRefused, match="Das Original ist schon auf"):
        create_translation(original, "de", reporter)
    with pytest.raises(TranslationRefused, match="keine Inhaltssprache"):
        create_translation(original, "fr", reporter)
    assert Explainer.objects.filter(language="en").count() == 1


def test_only_who_may_add_explainers_creates_a_translation(original):
    reader_only = make_user("praktikant")
    reader_only.groups.clear()
    reader_only.user_permissions.add(Permission.objects.get(codename="change_explainer"))
    with pytest.raises(TranslationRefused, match="darf keine Übersetzungen anlegen"):
        create_translation(original, "en", type(reader_only).objects.get(pk=reader_only.pk))
    assert not Translation.objects.exists()


def test_an_unpublished_or_withdrawn_original_or_a_translation_is_not_translated(
    original, reporter, desk
):
    draft = make_explainer()
    with pytest.raises(TranslationRefused, match="nicht veröffentlicht"):
        create_translation(draft, "en", reporter)
    translation = create_translation(original, "en", reporter)
    publish(translation, user=desk)
    with pytest.raises(TranslationRefused, match="selbst eine Übersetzung"):
        create_translation(translation, "de", reporter)
    withdraw(original, note="Zurückgezogen.", user=desk)
    with pytest.raises(TranslationRefused, match="nicht veröffentlicht"):
        create_translation(original, "en", reporter)
    assert Explainer.objects.count() == 3


# Outdated and catching up


def test_an_update_correction_or_clarification_of_the_original_outdates_it(original, desk):
    translation = create_translation(original, "en", desk)
    for kind in ("update", "correction", "clarification"):
        link = link_of(translation)
        newer = update_original(original, desk, answer=f"Stand nach {kind}.", kind=kind)
        assert outdated(link_of(translation)), kind
        catch_up(link, newer, desk)
        assert not outdated(link_of(translation))


def test_a_minor_fix_of_the_original_does_not_outdate_it(original, desk):
    translation = create_translation(original, "en", desk)
    update_original(original, desk, answer="Tippfehler behoben.", kind="minor")
    assert not outdated(link_of(translation))


def test_catching_up_goes_only_forward_and_only_to_the_originals_versions(original, desk):
    translation = create_translation(original, "en", desk)
    first = link_of(translation).source_publication
    second = update_original(original, desk, answer="Neu.")
    catch_up(link_of(translation), second, desk)
    with pytest.raises(TranslationRefused, match="schon Fassung v2"):
        catch_up(link_of(translation), first, desk)
    other = make_explainer()
    foreign = publish(other, user=desk)
    with pytest.raises(TranslationRefused, match="gehört nicht zum Original"):
        catch_up(link_of(translation), foreign, desk)
    assert link_of(translation).source_publication == second


def test_publishing_the_translation_records_the_version_it_corresponds_to(original, desk):
    translation = create_translation(original, "en", desk)
    first = publish(translation, user=desk)
    assert first.source_publication == link_of(translation).source_publication
    newer = update_original(original, desk, answer="Neu im Original.")
    catch_up(link_of(translation), newer, desk)
    Question.objects.filter(explainer=translation, position=2).update(answer="New answer.")
    second = publish(translation, kind="update", note="Updated.", user=desk)
    assert first.source_publication.number == 1 and second.source_publication == newer
    # readers judge by the publication: v1 of the translation is behind, v2 is not
    assert list(newer_source_publications(first.source_publication)) == [newer]
    assert not newer_source_publications(second.source_publication).exists()
    assert Publication.objects.get(pk=original.current.publication_id).source_publication is None


# The importer keeps a translation's keys


def test_reimporting_the_translated_text_keeps_the_originals_keys(original, desk):
    translation = create_translation(original, "en", desk)
    keys = list(translation.questions.values_list("key", flat=True))
    document = document_of(translation)
    for number, question in enumerate(document["questions"], start=1):
        question["key"] = f"what-is-{number}"  # as derived from English wording
        question["question"] = f"What is question {number}?"
        question["answer"] = f"The answer to question {number}."
    import_document(document, replace=True)
    assert list(translation.questions.values_list("key", flat=True)) == keys
    assert translation.questions.get(key=keys[0]).question == "What is question 1?"


def test_a_translation_may_name_its_keys_in_another_order(original, desk):
    translation = create_translation(original, "en", desk)
    keys = list(translation.questions.values_list("key", flat=True))
    document = document_of(translation)
    document["questions"].reverse()
    import_document(document, replace=True)
    assert list(translation.questions.values_list("key", flat=True)) == keys[::-1]


def test_the_import_takes_content_languages_not_the_interfaces(settings, tmp_path, desk):
    from explainers.domain.importing import import_file

    settings.LANGUAGES = [("de", "Deutsch")]  # the interface only in German
    path = tmp_path / "en.txt"
    path.write_text("Titel: Guarantees\nSprache: en\n\n" + ENGLISH, encoding="utf-8")
    assert import_file(path, user=desk).explainer.language == "en"
    path.write_text("Titel: Garanties\nSprache: fr\n\n" + FRENCH, encoding="utf-8")
    with pytest.raises(ImportRefused, match="„fr“ bietet die Seite nicht an"):
        import_file(path, user=desk)


# The desk


def test_the_confirmation_page_creates_the_translation_and_opens_it(client, original, reporter):
    client.force_login(reporter)
    url = reverse("admin:explainers_explainer_translate", args=[original.pk])
    change = client.get(reverse("admin:explainers_explainer_change", args=[original.pk]))
    assert url in change.content.decode() and "Übersetzung anlegen …" in change.content.decode()
    page = client.get(url)
    radios = [line for line in page.content.decode().splitlines() if 'type="radio"' in line]
    assert page.status_code == 200 and any('value="en"' in line for line in radios)
    assert not any('value="de"' in line for line in radios)  # the original's own language
    response = client.post(url, {"language": "en"})
    translation = Explainer.objects.get(language="en")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:explainers_explainer_change", args=[translation.pk]
    )
    again = client.get(url).content.decode()
    assert "In jede Inhaltssprache der Seite gibt es schon eine Übersetzung." in again
    assert Explainer.objects.filter(language="en").count() == 1


def test_the_confirmation_page_refuses_who_may_not_add(client, original):
    viewer = make_user("viewer")
    viewer.groups.clear()
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_explainer"),
        Permission.objects.get(codename="change_explainer"),
    )
    client.force_login(viewer)
    url = reverse("admin:explainers_explainer_translate", args=[original.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"language": "en"}).status_code == 403
    assert not Translation.objects.exists()


def test_the_panel_shows_the_originals_changes_question_by_question(client, original, desk):
    translation = create_translation(original, "en", desk)
    keys = list(translation.questions.values_list("key", flat=True))
    Question.objects.filter(explainer=translation, key=keys[1]).update(
        question="What is question 2?"
    )
    update_original(original, desk, answer="Ganz neue Antwort zwei.")
    page = client_page(client, desk, translation)
    assert "Übersetzung veraltet" in page
    assert "entspricht Fassung v1" in page and "das Original ist seitdem bei v2" in page
    block = page.split(f'id="translation-diff-{keys[1]}"')[1].split("translation-panel__question")[
        0
    ]
    assert "In der Übersetzung: „What is question 2?“" in block
    assert "<ins>Ganz neue </ins>Antwort <del>auf Frage 2</del><ins>zwei</ins>." in block
    assert f'id="translation-diff-{keys[0]}"' not in page  # unchanged questions stay out
    assert "Als aktuell markieren (entspricht v2)" in page


def test_the_catch_up_button_clears_the_flag(client, original, desk):
    translation = create_translation(original, "en", desk)
    update_original(original, desk, answer="Neu.")
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_translation_catch_up", args=[translation.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"number": "2"})
    assert response.status_code == 302
    assert not outdated(link_of(translation))
    page = client_page(client, desk, translation)
    assert "Übersetzung veraltet" not in page
    assert "entspricht der aktuellen Fassung" in page


def test_the_originals_change_page_lists_its_translations_with_their_state(client, original, desk):
    create_translation(original, "en", desk)
    update_original(original, desk, answer="Neu.")
    page = client_page(client, desk, original)
    listed = page.split('id="translation-list-heading"')[1].split("</section>")[0]
    assert "Übersetzung veraltet" in listed and "entspricht v1" in listed


def test_a_redaction_of_the_original_shows_in_the_panel_as_redacted(client, original, desk):
    translation = create_translation(original, "en", desk)
    secret = "Der geheime Name Max Mustermann"
    update_original(original, desk, answer=f"{secret} steht hier.")
    redact(original, passage=secret, reason="Verfügung", user=desk)
    page = client_page(client, desk, translation)
    assert "Übersetzung veraltet" in page
    assert secret not in page and REDACTED in page


def client_page(client, user, explainer) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    assert response.status_code == 200
    return response.content.decode()


# The list


def test_the_list_flags_outdated_translations_and_filters_them(client, desk):
    originals = [make_explainer() for _ in range(2)]
    for explainer in originals:
        publish(explainer, user=desk)
    stale = create_translation(originals[0], "en", desk)
    fresh = create_translation(originals[1], "en", desk)
    update_original(originals[0], desk, answer="Neu.")
    update_original(originals[1], desk, answer="Nur ein Tippfehler.", kind="minor")
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_changelist")
    page = client.get(url).content.decode()
    assert page.count("Übersetzung veraltet") == 1
    assert "&lt;span" not in page  # the status column stays markup, not escaped text
    outdated_list = client.get(url, {"translation": "outdated"}).content.decode()
    current_list = client.get(url, {"translation": "current"}).content.decode()
    assert f"/{stale.pk}/change/" in outdated_list and "Übersetzung veraltet" in outdated_list
    assert f"/{fresh.pk}/change/" not in outdated_list
    assert f"/{fresh.pk}/change/" in current_list and f"/{stale.pk}/change/" not in current_list
    assert f"/{originals[0].pk}/change/" not in current_list  # originals are no translations


def test_the_list_costs_the_same_with_2_and_12_translations(client, desk):
    def list_queries() -> int:
        url = reverse("admin:explainers_explainer_changelist")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    client.force_login(desk)

    def add_translations(count: int) -> None:
        for _ in range(count):
            source = make_explainer()
            publish(source, user=desk)
            create_translation(source, "en", desk)
            update_original(source, desk, answer="Neu.")

    add_translations(2)
    list_queries()  # warm per-process caches
    few = list_queries()
    add_translations(10)
    assert list_queries() == few


def test_the_panel_costs_the_same_at_3_and_30_questions(client, desk):
    def panel_queries(questions: int) -> int:
        source = import_document(make_document(questions=questions))
        publish(source, user=desk)
        translation = create_translation(source, "en", desk)
        for position in range(1, questions + 1, 2):
            Question.objects.filter(explainer=source, position=position).update(
                answer=f"Neu {position}."
            )
        publish(source, kind="update", note="Neu.", user=desk)
        url = reverse("admin:explainers_explainer_change", args=[translation.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert "Übersetzung veraltet" in client.get(url).content.decode()
        return len(captured.captured_queries)

    client.force_login(desk)
    assert panel_queries(3) == panel_queries(30)


def test_a_redaction_reaches_the_translations_copy_of_the_passage(original, desk):
    secret = "Der geheime Name Max Mustermann"
    update_original(original, desk, answer=f"{secret} steht hier.")
    translation = create_translation(original, "en", desk)
    publish(translation, user=desk)
    redact(original, passage=secret, reason="Verfügung", user=desk)
    for explainer in (original, translation):
        stored = [document_of(explainer), *explainer.publications.values_list("document")]
        assert secret not in str(stored) and REDACTED in str(stored), explainer
    assert translation.redactions.count() == 1


def test_a_redaction_in_a_translation_reaches_its_original(original, desk):
    secret = "Der geheime Name Erika Musterfrau"
    update_original(original, desk, answer=f"{secret} steht hier.")
    translation = create_translation(original, "en", desk)
    redact(translation, passage=secret, reason="Verfügung", user=desk)
    assert secret not in str(document_of(original))
    assert secret not in str(list(original.publications.values_list("document")))

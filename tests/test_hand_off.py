"""The hand-off between writers and desk: handed in with a message, sent back with a
comment, signed off by publishing; never touched by a change-form save, never seen by
readers."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from explainers.domain.hand_off import HandOffRefused, hand_in, send_back
from explainers.domain.publishing import publish
from explainers.domain.takedown import redact
from explainers.models import Explainer, HandOff
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def change_url(explainer):
    return reverse("admin:explainers_explainer_change", args=[explainer.pk])


def hand_in_url(explainer):
    return reverse("admin:explainers_explainer_hand_in", args=[explainer.pk])


def send_back_url(explainer):
    return reverse("admin:explainers_explainer_send_back", args=[explainer.pk])


def test_a_reporter_hands_in_with_a_message_that_the_desk_reads(client, reporter, desk):
    explainer = make_explainer(headline="Was garantiert wer?")
    client.force_login(reporter)
    assert hand_in_url(explainer) in client.get(change_url(explainer)).content.decode()
    response = client.post(
        hand_in_url(explainer), {"message": "Neue Zahlen aus Brüssel, bitte prüfen."}, follow=True
    )
    assert "Zur Abnahme vorgelegt." in response.content.decode()
    assert Explainer.objects.get(pk=explainer.pk).ready_for_review is True
    client.force_login(desk)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Was garantiert wer?" in index
    assert "Neue Zahlen aus Brüssel, bitte prüfen." in index
    assert reporter.get_username() in index
    page = client.get(change_url(explainer)).content.decode()
    assert "Zur Abnahme vorgelegt von" in page
    assert "Neue Zahlen aus Brüssel, bitte prüfen." in page
    assert send_back_url(explainer) in page


def test_the_desk_sends_it_back_with_a_comment_the_reporter_reads(client, reporter, desk):
    explainer = make_explainer(headline="Was garantiert wer?")
    hand_in(explainer, user=reporter, message="Fertig.")
    client.force_login(desk)
    response = client.post(
        send_back_url(explainer), {"message": "Quelle zur Frage 3 fehlt."}, follow=True
    )
    assert "Zurück an die Redaktion geschickt." in response.content.decode()
    assert Explainer.objects.get(pk=explainer.pk).ready_for_review is False
    client.force_login(reporter)
    page = client.get(change_url(explainer)).content.decode()
    assert "Zurück an die Redaktion von" in page
    assert "Quelle zur Frage 3 fehlt." in page
    index = client.get(reverse("admin:index")).content.decode()
    waiting, _, sent_back = index.partition("Zurück an die Redaktion (1)")
    assert "Quelle zur Frage 3 fehlt." in sent_back
    assert "Zur Abnahme (0)" in waiting
    listed = client.get(reverse("admin:explainers_explainer_changelist") + "?review=sent_back")
    assert "Was garantiert wer?" in listed.content.decode()


def test_a_reporter_cannot_send_a_piece_back(client, reporter):
    explainer = make_explainer()
    hand_in(explainer, user=reporter)
    client.force_login(reporter)
    assert send_back_url(explainer) not in client.get(change_url(explainer)).content.decode()
    assert client.post(send_back_url(explainer), {"message": "Nein."}).status_code == 403
    assert Explainer.objects.get(pk=explainer.pk).ready_for_review is True


def test_sending_back_needs_a_comment_and_changes_nothing_without_one(client, reporter, desk):
    explainer = make_explainer()
    hand_in(explainer, user=reporter, message="Fertig.")
    client.force_login(desk)
    response = client.post(send_back_url(explainer), {"message": "   "})
    assert response.status_code == 200
    assert "Bitte schreiben Sie, was noch fehlt." in response.content.decode()
    assert Explainer.objects.get(pk=explainer.pk).ready_for_review is True
    assert HandOff.objects.filter(explainer=explainer).count() == 1


def test_handing_in_twice_or_sending_back_what_was_not_handed_in_is_refused(reporter, desk):
    explainer = make_explainer()
    with pytest.raises(HandOffRefused, match="liegt nicht zur Abnahme vor"):
        send_back(explainer, user=desk, message="Zu früh.")
    hand_in(explainer, user=reporter)
    with pytest.raises(HandOffRefused, match="liegt schon zur Abnahme vor"):
        hand_in(explainer, user=reporter, message="Nochmal.")
    assert HandOff.objects.filter(explainer=explainer).count() == 1


def test_a_second_hand_in_after_a_stale_page_shows_the_refusal_in_german(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    client.get(hand_in_url(explainer))  # the page is open in two tabs
    client.post(hand_in_url(explainer), {"message": "Erster Tab."})
    response = client.post(hand_in_url(explainer), {"message": "Zweiter Tab."})
    assert "Das Erklärstück liegt schon zur Abnahme vor." in response.content.decode()
    assert list(HandOff.objects.values_list("message", flat=True)) == ["Erster Tab."]


def test_publishing_signs_the_hand_in_off_and_ends_a_sending_back(client, reporter, desk):
    explainer = make_explainer(headline="Abgenommen")
    hand_in(explainer, user=reporter, message="Fertig.")
    publish(explainer, user=desk)
    assert Explainer.objects.get(pk=explainer.pk).ready_for_review is False
    client.force_login(desk)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Zur Abnahme (0)" in index
    hand_in(explainer, user=reporter, message="Update.")
    send_back(explainer, user=desk, message="Noch nicht.")
    assert "Noch nicht." in client.get(change_url(explainer)).content.decode()
    explainer.refresh_from_db()
    explainer.teaser = "Ein neuer Teaser."
    explainer.save()
    publish(explainer, user=desk, note="Neuer Teaser.")
    assert "Noch nicht." not in client.get(change_url(explainer)).content.decode()
    assert "Zurück an die Redaktion (0)" in client.get(reverse("admin:index")).content.decode()


def test_hand_off_messages_never_reach_readers_feeds_or_exports(client, reporter, desk):
    explainer = make_explainer()
    hand_in(explainer, user=reporter, message="GEHEIMER-HINWEIS-AN-DEN-DIENST")
    send_back(explainer, user=desk, message="INTERNER-KOMMENTAR-ZURUECK")
    hand_in(explainer, user=reporter, message="ZWEITER-HINWEIS")
    publish(explainer, user=desk)
    client.logout()
    pages = [
        client.get(explainer.get_absolute_url()),
        client.get(reverse("explainers:feed")),
        client.get("/"),
    ]
    exports = []
    for form in ("json", "text"):
        out = io.StringIO()
        call_command("export_explainer", explainer.slug, "--format", form, stdout=out)
        exports.append(out.getvalue())
    texts = [page.content.decode() for page in pages] + exports
    for secret in ("GEHEIMER-HINWEIS", "INTERNER-KOMMENTAR", "ZWEITER-HINWEIS"):
        assert not any(secret in text for text in texts), secret


def test_a_message_holding_a_passage_redacted_from_the_piece_is_refused(reporter, desk):
    explainer = make_explainer()
    Explainer.objects.filter(pk=explainer.pk).update(intro="Der Informant Max Mustermann.")
    redact(explainer, passage="Max Mustermann", reason="Persönlichkeitsrecht", user=desk)
    with pytest.raises(HandOffRefused, match="aus rechtlichen Gründen geschwärzt"):
        hand_in(explainer, user=reporter, message="Bitte Max Mustermann nochmal anrufen.")
    assert not HandOff.objects.filter(explainer=explainer).exists()

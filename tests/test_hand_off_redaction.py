"""A legal redaction reaches the hand-off's messages (issue 13): what a reporter wrote when
handing an explainer in and what the desk wrote when sending it back lose the passage like
every other stored text, and the redaction counts them under "Übergaben"."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from explainers.core.passages import REDACTED
from explainers.domain.hand_off import hand_in, send_back
from explainers.domain.publishing import publish
from explainers.domain.takedown import TakedownRefused, redact, redaction_places
from explainers.models import HandOff, Redaction
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

PASSAGE = "Minister X soll bestochen worden sein"


def handed_in_and_sent_back(explainer, reporter, desk):
    hand_in(explainer, user=reporter, message=f"Neu: das Gerücht, {PASSAGE}.")
    send_back(explainer, user=desk, message=f"Belege fehlen dafür, dass\n{PASSAGE}!")
    hand_in(explainer, user=reporter, message="Belege ergänzt.")


def test_a_passage_in_a_hand_in_message_and_a_send_back_comment_is_gone(reporter, desk):
    explainer = make_explainer(headline=f"Streit: {PASSAGE}")
    publish(explainer, user=desk)
    handed_in_and_sent_back(explainer, reporter, desk)

    record = redact(explainer, passage=PASSAGE, reason="Einstweilige Verfügung", user=desk)

    messages = HandOff.objects.filter(explainer=explainer).values_list("message", flat=True)
    handed_in, sent_back = HandOff.objects.filter(explainer=explainer).order_by("at", "pk")[:2]
    assert handed_in.message == f"Neu: das Gerücht, {REDACTED}."
    assert sent_back.message == f"Belege fehlen dafür, dass\n{REDACTED}!"
    assert (handed_in.kind, sent_back.kind) == ("handed_in", "sent_back")
    assert not any("bestochen" in text for text in messages)
    assert record.places["hand_offs"] == 2
    assert record.places["publications"] >= 1
    assert "Übergaben: 2" in redaction_places(record)
    assert HandOff.objects.filter(explainer=explainer, message="Belege ergänzt.").exists()


def test_the_desk_is_told_the_hand_off_messages_were_redacted(client, reporter, desk):
    explainer = make_explainer()
    hand_in(explainer, user=reporter, message=f"Bitte prüfen: {PASSAGE}.")
    client.force_login(desk)
    change_url = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    assert "bestochen" in client.get(change_url).content.decode()

    response = client.post(
        reverse("admin:explainers_explainer_redact", args=[explainer.pk]),
        {"passage": PASSAGE, "reason": "Verfügung"},
    )

    assert response.status_code == 302
    told = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Übergaben: 1" in told and "bestochen" not in told
    page = client.get(change_url).content.decode()
    assert "bestochen" not in page
    assert f"Bitte prüfen: {REDACTED}." in page
    assert Redaction.objects.get().places == {"hand_offs": 1}


def test_a_passage_only_in_a_hand_off_message_can_still_be_redacted(reporter, desk):
    explainer = make_explainer()
    hand_in(explainer, user=reporter, message="Erste Fassung.")
    send_back(explainer, user=desk, message=f"Streichen: {PASSAGE}")

    record = redact(explainer, passage=PASSAGE, reason="Verfügung", user=desk)

    assert record.replacements == 1 and record.places == {"hand_offs": 1}
    assert HandOff.objects.get(kind="sent_back").message == f"Streichen: {REDACTED}"
    with pytest.raises(TakedownRefused, match="kommt im Erklärstück nicht vor"):
        redact(explainer, passage=PASSAGE, reason="Verfügung", user=desk)


def test_another_explainers_hand_off_keeps_its_message(reporter, desk):
    redacted, other = make_explainer(headline=f"Streit: {PASSAGE}"), make_explainer(slug="anders")
    hand_in(other, user=reporter, message=f"Zitat: {PASSAGE}")

    redact(redacted, passage=PASSAGE, reason="Verfügung", user=desk)

    assert HandOff.objects.get(explainer=other).message == f"Zitat: {PASSAGE}"

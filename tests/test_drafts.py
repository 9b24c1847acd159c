"""Autosave (issue 13): the change form is kept as the user's draft while they type; reopening
the page offers it ("Ungespeicherten Entwurf von 10:42 wiederherstellen / verwerfen"); saving
a restored draft merges against the revision it was opened on. A draft is no revision and
never reaches readers; prune keeps the revisions drafts are based on; drafts expire; a
redaction reaches them."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from explainers.core.passages import REDACTED
from explainers.domain import drafts
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision, revisions_of
from explainers.domain.takedown import redact
from explainers.models import Draft, Explainer, Question, stored_now
from tests.admin_forms import (
    autosave_url,
    change_form_data,
    change_url,
    encode,
    logged_in,
    opened_form,
)
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db

TYPED = "Noch nicht gesichert: die Garantien gelten ab Unterzeichnung."


def typed(form, answer=TYPED, index=0) -> dict:
    form["questions"][index]["answer"] = answer
    return encode(form)


def offer_on(response) -> str:
    """The text of the page's offer to restore a draft, "" without one."""
    found = re.search(r'<p [^>]*id="draft-offer"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def test_an_autosave_keeps_the_form_without_saving_anything(client, reporter):
    explainer = make_explainer(questions=2)
    publish(explainer, user=make_user("desk", publish=True))
    revisions = revisions_of(explainer).count()
    client.force_login(reporter)

    response = client.post(autosave_url(explainer), typed(opened_form(client, explainer)))

    assert response.status_code == 200 and response.json()["saved"] is True
    assert response["Cache-Control"].startswith("max-age=0")
    draft = Draft.objects.get(explainer=explainer, user=reporter)
    assert [value for name, value in draft.fields if name == "questions-0-answer"] == [TYPED]
    assert draft.base_revision == latest_revision(explainer)
    assert TYPED not in Question.objects.filter(explainer=explainer).values_list(
        "answer", flat=True
    )
    assert revisions_of(explainer).count() == revisions
    public = Client().get(reverse("explainers:detail", args=[explainer.slug]))
    assert public.status_code == 200 and TYPED not in public.content.decode()


def test_reopening_the_page_offers_the_draft_and_restoring_shows_it(client, reporter):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))

    page = client.get(change_url(explainer))
    at = timezone.localtime(Draft.objects.get().saved_at).strftime("%H:%M")
    assert offer_on(page) == f"Ungespeicherten Entwurf von {at} wiederherstellen / verwerfen"
    assert TYPED not in page.content.decode()

    restored = client.get(change_url(explainer) + "?entwurf=wiederherstellen").content.decode()
    assert TYPED in restored
    assert "wiederhergestellt" in restored and "noch nicht gesichert" in restored


def test_saving_a_restored_draft_records_it_and_the_draft_is_gone(client, reporter):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))
    draft = drafts.as_form_data(Draft.objects.get())

    response = client.post(change_url(explainer), draft)

    assert response.status_code == 302
    assert Question.objects.filter(explainer=explainer, answer=TYPED).exists()
    assert not Draft.objects.exists()
    assert not offer_on(client.get(change_url(explainer)))


def test_a_restored_draft_merges_with_what_the_desk_saved_meanwhile(client, reporter, desk):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))
    other = logged_in(desk)
    form = opened_form(other, explainer)
    form["main"]["teaser"] = "Die Redaktion hat den Vorspann geschärft."
    assert other.post(change_url(explainer), encode(form)).status_code == 302

    response = client.post(change_url(explainer), drafts.as_form_data(Draft.objects.get()))

    assert response.status_code == 302, response.content.decode()[:2000]
    explainer.refresh_from_db()
    assert explainer.teaser == "Die Redaktion hat den Vorspann geschärft."
    assert Question.objects.filter(explainer=explainer, answer=TYPED).exists()


def test_the_editors_own_earlier_save_never_conflicts_with_their_draft(client, reporter):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    form = opened_form(client, explainer)
    assert client.post(change_url(explainer), typed(form, "Erste Fassung.")).status_code == 302
    client.post(autosave_url(explainer), typed(opened_form(client, explainer), "Zweite Fassung."))

    response = client.post(change_url(explainer), drafts.as_form_data(Draft.objects.get()))

    assert response.status_code == 302
    assert Question.objects.filter(explainer=explainer, answer="Zweite Fassung.").exists()


def test_an_autosave_from_a_form_older_than_the_users_own_save_is_refused(client, reporter):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    stale = opened_form(client, explainer)
    assert client.post(change_url(explainer), typed(dict(stale), "Gesichert.")).status_code == 302

    response = client.post(autosave_url(explainer), typed(stale, "Aus dem alten Tab."))

    assert response.status_code == 409 and response.json()["saved"] is False
    assert "seither gesichert" in response.json()["reason"]
    assert not Draft.objects.exists()


def test_discarding_removes_the_draft(client, reporter):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))

    response = client.post(
        reverse("admin:explainers_explainer_discard_draft", args=[explainer.pk]), follow=True
    )

    assert "verworfen" in response.content.decode()
    assert not Draft.objects.exists()


def test_a_timed_out_session_gets_a_refusal_not_the_login_page(client, reporter):
    explainer = make_explainer(questions=1)
    client.force_login(reporter)
    data = typed(opened_form(client, explainer))
    client.logout()

    response = Client(enforce_csrf_checks=False).post(autosave_url(explainer), data)

    assert response.status_code == 403
    assert "nur in diesem Browser" in response.json()["reason"]
    assert not Draft.objects.exists()


def test_drafts_are_each_users_own(client, reporter, desk):
    explainer = make_explainer(questions=1)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))

    assert not offer_on(logged_in(desk).get(change_url(explainer)))
    restored = logged_in(desk).get(change_url(explainer) + "?entwurf=wiederherstellen")
    assert TYPED not in restored.content.decode()


def test_prune_keeps_the_revision_a_draft_was_opened_on(client, reporter):
    explainer = make_explainer(questions=1)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))
    base = Draft.objects.get().base_revision_id
    for n in range(3):
        form = change_form_data(Explainer.objects.get(pk=explainer.pk))
        form["main"]["teaser"] = f"Fassung {n}."
        logged_in(make_user(f"kollege{n}")).post(change_url(explainer), encode(form))

    call_command("prune_revisions", keep=1, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert revisions_of(explainer).filter(pk=base).exists()
    assert drafts.offered(explainer, reporter) is not None


def test_drafts_older_than_the_set_age_are_removed(client, reporter, settings):
    settings.NEWSROOM_DRAFT_DAYS = 3
    explainer = make_explainer(questions=1)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))
    Draft.objects.update(saved_at=stored_now() - datetime.timedelta(days=4))

    assert not offer_on(client.get(change_url(explainer)))
    call_command("prune_revisions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Draft.objects.exists()


PASSAGE = "Minister X soll bestochen worden sein"


def test_a_redaction_reaches_the_unsaved_drafts(client, reporter, desk):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer), f"Neu: {PASSAGE}."))

    record = redact(explainer, passage=PASSAGE, reason="Einstweilige Verfügung", user=desk)

    draft = Draft.objects.get()
    assert not any(PASSAGE in value for _name, value in draft.fields)
    assert f"Neu: {REDACTED}." in [value for _name, value in draft.fields]
    assert record.places.get("drafts") == 1


def test_a_form_that_shows_a_redacted_passage_is_not_kept(client, reporter, desk):
    explainer = make_explainer(questions=2, headline=f"Streit: {PASSAGE}")
    client.force_login(reporter)
    stale = opened_form(client, explainer)
    redact(explainer, passage=PASSAGE, reason="Einstweilige Verfügung", user=desk)

    response = client.post(autosave_url(explainer), encode(stale))

    assert response.status_code == 422
    assert "geschwärzt" in response.json()["reason"]
    assert not Draft.objects.exists()


def test_an_autosave_and_the_page_offering_it_cost_the_same_at_3_and_12_questions(client, reporter):
    client.force_login(reporter)
    counts = []
    for questions in (3, 12):
        explainer = make_explainer(questions=questions, sources=2)
        data = typed(opened_form(client, explainer))
        with CaptureQueriesContext(connection) as saving:
            assert client.post(autosave_url(explainer), data).status_code == 200
        with CaptureQueriesContext(connection) as offering:
            assert offer_on(client.get(change_url(explainer)))
        counts.append((len(saving), len(offering)))
    assert counts[0] == counts[1], counts


def test_a_reopened_page_keeps_nothing_until_the_waiting_draft_is_restored(client, reporter):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    client.post(autosave_url(explainer), typed(opened_form(client, explainer)))

    reopened = client.post(autosave_url(explainer), typed(opened_form(client, explainer), "Neu."))

    assert reopened.status_code == 409 and "wartet" in reopened.json()["reason"]
    assert [v for n, v in Draft.objects.get().fields if n == "questions-0-answer"] == [TYPED]
    restored = client.get(change_url(explainer) + "?entwurf=wiederherstellen").content.decode()
    page = re.search(r'name="autosave_page" value="([^"]+)"', restored).group(1)
    assert page == drafts.page_of(Draft.objects.get())  # the page it was typed on, continued
    form = drafts.as_form_data(Draft.objects.get()).copy()
    form["questions-0-answer"] = "Weiter getippt nach dem Wiederherstellen."
    assert client.post(autosave_url(explainer), form).json()["saved"] is True

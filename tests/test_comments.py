"""Comments on questions or on the whole piece: both roles read and write them on the change
page, resolve them, see when a commented question changed since, and readers never see them."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from explainers.domain.comments import CommentRefused, add_comment, open_comments
from explainers.domain.publishing import publish
from explainers.domain.takedown import redact
from explainers.models import Comment, Explainer, Question
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def comments_url(explainer):
    return reverse("admin:explainers_explainer_comments", args=[explainer.pk])


def test_a_comment_on_a_question_is_read_by_the_other_role_and_resolved(client, reporter, desk):
    explainer = make_explainer(questions=2)
    key = Question.objects.get(explainer=explainer, position=2).key
    client.force_login(reporter)
    change = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    assert comments_url(explainer) in change.content.decode()  # the panel (and its page)
    panel = client.post(
        comments_url(explainer),
        {"comment_text": "Quelle für die Zahl fehlt.", "comment_question": key},
        **HTMX,
    ).content.decode()
    assert "Quelle für die Zahl fehlt." in panel and "<q>Was ist Frage 2?</q>" in panel
    client.force_login(desk)
    panel = client.get(comments_url(explainer), **HTMX).content.decode()
    assert "Quelle für die Zahl fehlt." in panel and reporter.get_username() in panel
    comment = Comment.objects.get()
    panel = client.post(comments_url(explainer), {"resolve": str(comment.pk)}, **HTMX)
    assert "Quelle für die Zahl fehlt." not in panel.content.decode()
    comment.refresh_from_db()
    assert comment.resolved_by == desk and comment.resolved_at is not None


def test_a_question_changed_or_deleted_since_the_comment_says_so(reporter):
    explainer = make_explainer(questions=2)
    first, second = Question.objects.filter(explainer=explainer).order_by("position")
    add_comment(explainer, user=reporter, text="Zu lang.", question_key=first.key)
    add_comment(explainer, user=reporter, text="Streichen?", question_key=second.key)
    add_comment(explainer, user=reporter, text="Insgesamt gut.")
    Question.objects.filter(pk=first.pk).update(answer="Kürzer.")
    second.delete()
    shown = {c.comment.text: c for c in open_comments(explainer)}
    assert shown["Zu lang."].changed_since and not shown["Zu lang."].question_gone
    assert shown["Streichen?"].question_gone
    assert not shown["Insgesamt gut."].changed_since and shown["Insgesamt gut."].question == ""


def test_an_empty_comment_or_one_holding_a_redacted_passage_is_refused(client, reporter, desk):
    explainer = make_explainer()
    client.force_login(reporter)
    panel = client.post(comments_url(explainer), {"comment_text": "  "}, **HTMX).content.decode()
    assert "Bitte einen Kommentar schreiben." in panel
    Explainer.objects.filter(pk=explainer.pk).update(intro="Der Informant Max Mustermann.")
    redact(explainer, passage="Max Mustermann", reason="Persönlichkeitsrecht", user=desk)
    with pytest.raises(CommentRefused, match="geschwärzt"):
        add_comment(explainer, user=reporter, text="Max Mustermann anrufen.")
    assert not Comment.objects.exists()


def test_who_may_only_view_reads_comments_but_writes_none(client, reporter):
    explainer = make_explainer()
    add_comment(explainer, user=reporter, text="Bitte gegenlesen.")
    viewer = make_user("leser")
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_explainer"))
    client.force_login(viewer)
    page = client.get(comments_url(explainer)).content.decode()
    assert "Bitte gegenlesen." in page and "Kommentieren" not in page
    assert client.post(comments_url(explainer), {"comment_text": "Ich auch."}).status_code == 403


def test_the_comments_page_works_without_javascript(client, desk):
    explainer = make_explainer()
    client.force_login(desk)
    response = client.post(comments_url(explainer), {"comment_text": "Titel zu lang."})
    assert response.status_code == 302 and response["Location"] == comments_url(explainer)
    page = client.get(comments_url(explainer)).content.decode()
    assert (
        "Titel zu lang." in page
        and "<form" in page
        and "no-store" in client.get(comments_url(explainer))["Cache-Control"]
    )


def test_comments_never_reach_readers_feeds_or_exports(client, reporter, desk):
    explainer = make_explainer()
    key = Question.objects.filter(explainer=explainer).first().key
    add_comment(explainer, user=reporter, text="INTERNER-KOMMENTAR-ZUR-FRAGE", question_key=key)
    add_comment(explainer, user=desk, text="INTERNER-KOMMENTAR-ZUM-STUECK")
    publish(explainer, user=desk)
    client.logout()
    texts = [
        client.get(explainer.get_absolute_url()).content.decode(),
        client.get(reverse("explainers:feed")).content.decode(),
        client.get("/suche/?q=INTERNER").content.decode().replace("INTERNER", ""),
    ]
    for form in ("json", "text"):
        out = io.StringIO()
        call_command("export_explainer", explainer.slug, "--format", form, stdout=out)
        texts.append(out.getvalue())
    assert not any("KOMMENTAR" in text for text in texts)

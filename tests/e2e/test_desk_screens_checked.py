"""Every admin screen issue 13 adds or changes, checked as a whole: axe-core finds no violation
(in Chromium at 1280 and 375 px, CSP bypassed only for axe's injection) and the Nu Html
Checker no error, with a piece that has two publications, a restored draft on offer, comments,
a hand-off and a question history."""

import json
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser

from explainers.domain.comments import add_comment
from explainers.domain.hand_off import hand_in
from explainers.domain.publishing import publish
from explainers.domain.revisions import revisions_of
from explainers.models import Draft, Explainer, Question
from tests.admin_forms import change_form_data, encode
from tests.e2e.desk import log_in
from tests.e2e.test_accessibility import axe_violations, describe
from tests.factories import make_explainer, make_user


def a_piece_with_everything() -> tuple[Explainer, dict[str, str]]:
    """The piece, and the admin screens to check (name → path), as the desk sees them."""
    reporter, desk = make_user("anna"), make_user("chef", publish=True)
    explainer = make_explainer(headline="Wer garantiert was?", questions=3, sources=2)
    publish(explainer, user=desk)
    editor = Client()
    editor.force_login(reporter)
    form = change_form_data(Explainer.objects.get(pk=explainer.pk))
    form["questions"][0]["answer"] = "Neu gefasst nach dem Treffen in Paris [^quelle-1]."
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    assert editor.post(change, encode(form)).status_code == 302
    publish(explainer, user=desk, note="Antwort 1 neu gefasst.")
    hand_in(explainer, user=reporter, message="Bitte Antwort 1 prüfen.")
    key = Question.objects.filter(explainer=explainer).order_by("position")[0].key
    add_comment(explainer, user=reporter, text="Stimmt die Zahl?", question_key=key)
    revisions = list(revisions_of(explainer).values_list("pk", flat=True))
    Draft.objects.create(explainer=explainer, user=desk, fields=[["teaser", "Ungesichert."]])
    pk, admin = explainer.pk, "admin:explainers_explainer"
    return explainer, {
        "index": reverse("admin:index"),
        "list": reverse(f"{admin}_changelist"),
        "change": change,
        "change-restored-draft": change + "?entwurf=wiederherstellen",
        "history": reverse(f"{admin}_history", args=[pk]),
        "compare": reverse(f"{admin}_compare", args=[pk]) + f"?a={revisions[-1]}&b={revisions[0]}",
        "compare-published": reverse(f"{admin}_compare_published", args=[pk]),
        "publish": reverse(f"{admin}_publish", args=[pk]),
        "questions": reverse(f"{admin}_questions", args=[pk]),
        "restore-question": reverse(f"{admin}_restore_question", args=[pk, key, revisions[-1]]),
        "revert": reverse(f"{admin}_revert", args=[pk, revisions[-1]]),
        "revision": reverse(f"{admin}_revision", args=[pk, revisions[-1]]),
        "send-back": reverse(f"{admin}_send_back", args=[pk]),
        "comments": reverse(f"{admin}_comments", args=[pk]),
    }


@pytest.mark.django_db
def test_the_desk_screens_are_valid_html(vnu_command, tmp_path):
    _explainer, screens = a_piece_with_everything()
    desk = Client()
    desk.force_login(Explainer._meta.apps.get_model("auth", "User").objects.get(username="chef"))
    for name, path in screens.items():
        response = desk.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        (tmp_path / f"{name}.html").write_bytes(response.content)
    proc = subprocess.run(
        [*vnu_command, *(str(tmp_path / f"{name}.html") for name in screens)],
        capture_output=True,
        timeout=180,
    )
    messages = json.loads(proc.stderr)["messages"]  # vnu writes its report on stderr
    assert not messages, "\n".join(
        f"{m.get('url', '').rpartition('/')[2]}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for m in messages
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_the_desk_screens_have_no_axe_violations(width, browser: Browser, live_server, axe_js):
    _explainer, screens = a_piece_with_everything()
    context = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = log_in(context, live_server.url, "chef")
    found = {}
    for name, path in screens.items():
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, (name, path)
        violations = axe_violations(page, axe_js)
        if violations:
            found[name] = describe(violations)
    context.close()
    assert not found, "\n\n".join(f"{name}:\n{text}" for name, text in found.items())

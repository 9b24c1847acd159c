"""The demo content: the seed explainer, published as v1 and revised twice (v2, v3).

The two revisions are edits the article itself supports: a typo fix, and the intro
sentence that the seed cuts off after "empfängt US-Präsident", completed only with facts
stated later in the article (the Monday meeting in Washington).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from explainers.core.documents import join_paragraphs, split_paragraphs
from explainers.core.textformat import decode_import_bytes, parse_text
from explainers.domain.importing import import_document
from explainers.domain.publishing import publish
from explainers.domain.revisions import record_revision
from explainers.domain.roles import DESK, setup_roles
from explainers.models import Explainer, Publication, Question

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "sicherheitsgarantien.txt"
SLUG = "sicherheitsgarantien-ukraine"
TITLE = "Sicherheitsgarantien für die Ukraine: Was ist darunter zu verstehen?"
KICKER = "Ukraine-Krieg"
DESK_USERNAME = "desk"

TYPO = ("Der Effekt wäre ähnliche wie", "Der Effekt wäre ähnlich wie")
CUT_OFF = "empfängt US-Präsident"
COMPLETED = "empfängt US-Präsident Donald Trump am Montag Selenskyj und die Europäer in Washington."
CORRECTION_NOTE = (
    "Der zweite Satz der Einleitung brach mitten im Satz ab. Er ist nun vervollständigt: "
    "Trump empfängt Selenskyj und die Europäer am Montag in Washington."
)


@dataclass
class DemoLogin:
    username: str
    password: str


@transaction.atomic
def load_demo() -> tuple[Explainer, DemoLogin | None]:
    """Bring the demo to v3, doing only the steps still missing (idempotent, and all or
    nothing)."""
    login = ensure_desk_user() if settings.DEBUG else None
    user = get_user_model().objects.filter(username=DESK_USERNAME).first() if login else None
    explainer = Explainer.objects.filter(slug=SLUG).first()
    if explainer is None:
        parsed = parse_text(decode_import_bytes(SEED.read_bytes()), title=TITLE, slug=SLUG)
        document = {**parsed.document, "kicker": KICKER}
        explainer = import_document(document, user=user, comment="Demo: Seed importiert")
    published = explainer.publications.count()
    if published == 0:
        publish(explainer, user=user)
    if published <= 1:
        _edit(explainer, "questions", TYPO, user, "Tippfehler: „ähnlich wie“")
        publish(explainer, kind=Publication.Kind.MINOR, user=user)
    if published <= 2:
        _edit(explainer, "intro", (CUT_OFF, COMPLETED), user, "Einleitung: Satz vervollständigt")
        publish(explainer, kind=Publication.Kind.CORRECTION, note=CORRECTION_NOTE, user=user)
    explainer.refresh_from_db()
    return explainer, login


def _edit(explainer: Explainer, where: str, change: tuple[str, str], user, comment: str) -> None:
    old, new = change
    with transaction.atomic(), reversion.create_revision():
        if where == "intro":
            paragraphs = [
                p[: -len(old)] + new if p.endswith(old) else p
                for p in split_paragraphs(explainer.intro)
            ]
            if join_paragraphs(paragraphs) != explainer.intro:
                explainer.intro = join_paragraphs(paragraphs)
                explainer.save(update_fields=["intro"])
        else:
            for question in Question.objects.filter(explainer=explainer, answer__contains=old):
                question.answer = question.answer.replace(old, new)
                question.save(update_fields=["answer"])
        record_revision(explainer, user=user, comment=comment)


def ensure_desk_user() -> DemoLogin:
    """The demo desk login; its password is kept in a git-ignored file beside the demo
    database so every `make run` can print it again."""
    path = Path(settings.DEMO_LOGIN_FILE)
    password = ""
    if path.exists():
        password = path.read_text(encoding="utf-8").strip().partition(":")[2]
    User = get_user_model()
    user = User.objects.filter(username=DESK_USERNAME).first()
    if user is None or not password or not user.check_password(password):
        password = password or secrets.token_urlsafe(12)
        user = user or User(username=DESK_USERNAME)
        user.is_staff = True
        user.set_password(password)
        user.save()
        path.write_text(f"{DESK_USERNAME}:{password}\n", encoding="utf-8")
        path.chmod(0o600)
    setup_roles()
    user.groups.add(Group.objects.get(name=DESK))
    return DemoLogin(DESK_USERNAME, password)

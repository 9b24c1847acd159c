"""Property: after any sequence of edits, reverting to any earlier revision gives
exactly that revision's document."""

import reversion
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from explainers.core.documents import question_key
from explainers.domain.builders import document_from_explainer, document_from_revision
from explainers.domain.revisions import latest_revision, record_revision, revert_to_revision
from explainers.models import Question
from tests.factories import make_explainer

EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 20)),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("reorder"), st.permutations(range(8))),
        st.tuples(st.just("reword"), st.integers(0, 20)),
        st.tuples(st.just("cite"), st.integers(0, 20)),
        st.tuples(st.just("swap_anchors"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=6,
)


def apply_edit(explainer, edit, step):
    kind, arg = edit
    questions = list(Question.objects.filter(explainer=explainer))
    pick = questions[arg % len(questions)] if questions and isinstance(arg, int) else None
    if kind == "add":
        text = f"Neue Frage {step}?"
        Question.objects.create(
            explainer=explainer,
            position=len(questions) + 1,
            key=question_key(text, {q.key for q in questions}),
            anchor=f"neu-{step}",
            question=text,
            answer="Neue Antwort.",
        )
    elif kind == "delete" and pick:
        pick.delete()
    elif kind == "reorder" and questions:
        order = [i for i in arg if i < len(questions)]
        Question.objects.filter(explainer=explainer).update(position=F("pk") + 1000)  # park
        for position, index in enumerate(order, start=1):
            Question.objects.filter(pk=questions[index].pk).update(position=position)
    elif kind == "reword" and pick:
        pick.question = pick.question.rstrip("?") + " wirklich?"
        pick.save()
    elif kind == "cite" and pick:
        pick.answer += " Mehr dazu [^quelle-2]."
        pick.save()
    elif kind == "swap_anchors" and len(questions) >= 2:
        a, b = questions[0], questions[-1]
        Question.objects.filter(pk=a.pk).update(anchor="zwischen")
        Question.objects.filter(pk=b.pk).update(anchor=a.anchor)
        Question.objects.filter(pk=a.pk).update(anchor=b.anchor)


class RevertProperty(TestCase):
    """Each hypothesis example runs in its own rolled-back transaction."""

    @given(edits=EDITS, target=st.integers(0, 10))
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_revert_to_any_revision_gives_that_revisions_document(self, edits, target):
        explainer = make_explainer(questions=3, sources=2)
        history = [(latest_revision(explainer), document_from_explainer(explainer))]
        for step, edit in enumerate(edits):
            with transaction.atomic(), reversion.create_revision():
                apply_edit(explainer, edit, step)
                record_revision(explainer, comment=f"Schritt {step}")
            history.append((latest_revision(explainer), document_from_explainer(explainer)))
        revision, expected = history[target % len(history)]

        assert document_from_revision(revision) == expected
        revert_to_revision(explainer, revision)
        assert document_from_explainer(explainer) == expected

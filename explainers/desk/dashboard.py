"""The desk's short lists on the admin index: what needs attention now."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from explainers.domain.hand_off import open_steps
from explainers.models import Explainer, HandOff, ScheduledPublication

LIMIT = 8


def desk_lists() -> list[dict]:
    changelist = reverse("admin:explainers_explainer_changelist")
    listed = Explainer.objects.with_latest_publication().only("pk", "headline")
    sections = [
        (
            _("Prüfung überfällig"),
            listed.filter(pk__in=Explainer.objects.overdue().values("pk")),
            "?review=overdue",
        ),
        (
            _("Unveröffentlichte Änderungen"),
            listed.with_unpublished_changes(),
            "?status=unpublished_changes",
        ),
        (
            _("Kürzlich korrigiert"),
            listed.filter(pk__in=Explainer.objects.recently_corrected().values("pk")),
            "?review=corrected",
        ),
    ]
    lists = [
        {
            "title": title,
            "items": [
                {
                    "label": e.headline,
                    "url": reverse("admin:explainers_explainer_change", args=[e.pk]),
                }
                for e in queryset.order_by("-updated_at")[:LIMIT]
            ],
            "more_url": changelist + query,
        }
        for title, queryset, query in sections
    ]
    lists.insert(0, hand_off_list(HandOff.Kind.HANDED_IN, _("Zur Abnahme"), "?review=ready"))
    lists.insert(
        1,
        hand_off_list(HandOff.Kind.SENT_BACK, _("Zurück an die Redaktion"), "?review=sent_back"),
    )
    planned = ScheduledPublication.objects.filter(
        status__in=[ScheduledPublication.Status.PENDING, ScheduledPublication.Status.SKIPPED]
    ).select_related("explainer")
    lists.insert(
        3,
        {
            "title": _("Geplante Veröffentlichungen"),
            "items": [
                {
                    "label": plan.explainer.headline,
                    "when": plan.publish_at,
                    "skipped": plan.status == ScheduledPublication.Status.SKIPPED,
                    "url": reverse("admin:explainers_explainer_change", args=[plan.explainer_id]),
                }
                for plan in planned.order_by("publish_at")[:LIMIT]
            ],
            "more_url": reverse("admin:explainers_scheduledpublication_changelist"),
        },
    )
    return lists


def hand_off_list(kind: str, title, query: str) -> dict:
    """Explainers whose latest hand-off step is of this kind and still open (handed in and
    not signed off; sent back and not published since), with who, when and the message."""
    steps = open_steps(kind).select_related("explainer", "by")
    return {
        "title": title,
        "items": [
            {
                "label": step.explainer.headline,
                "url": reverse("admin:explainers_explainer_change", args=[step.explainer_id]),
                "when": step.at,
                "by": step.by,
                "message": step.message,
            }
            for step in steps.order_by("-at")[:LIMIT]
        ],
        "more_url": reverse("admin:explainers_explainer_changelist") + query,
    }

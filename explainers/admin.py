"""The editors' admin: one change page per explainer, its history, compare, revert, publish.

django-reversion's own revision and recover views revert on a POST with only the change
permission; they are not routed here. History, revision view, compare and revert are the
project's own views (admin_history.py) on top of the project's revert function.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import reversion
from adminsortable2.admin import SortableAdminBase, SortableStackedInline, SortableTabularInline
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from explainers.desk import (  # noqa: F401 - admin_pages registers
    admin_history,
    admin_pages,
    api_tokens,
    draft_views,
    presence,
    translation_views,
)
from explainers.desk.comment_views import CommentViews
from explainers.desk.concurrent_edits import (
    reconcile,
    redacted_places_in_form,
    saved_since_loaded,
)
from explainers.desk.forms import (
    ExplainerForm,
    InlineRowForm,
    QuestionFormSet,
    RelatedLinkFormSet,
    SourceFormSet,
    make_room,
    with_lf_line_endings,
)
from explainers.desk.hand_off_views import HandOffViews
from explainers.desk.live_preview import LivePreview
from explainers.desk.revision_comments import (
    describe_changes,
    revision_comment,
    revision_state,
    working_state,
)
from explainers.domain import drafts, public_urls
from explainers.domain.hand_off import open_steps
from explainers.domain.publishing import PUBLISH_PERMISSION
from explainers.domain.revisions import (
    latest_revision,
    latest_revision_with_rows,
    record_revision,
    rows_read_once,
    tidy_read_rows,
)
from explainers.models import (
    Explainer,
    HandOff,
    Question,
    RelatedLink,
    ScheduledPublication,
    Source,
)


@dataclass
class SaveOutcome:
    """What one save of the change form amounted to: the revision comment, or nothing
    versioned (then no revision and no log entry)."""

    comment: str = ""

    @property
    def versioned(self) -> bool:
        return bool(self.comment)


def stored_pk(object_id) -> int | None:
    """The primary key an admin URL names, or None for anything else ("²", "abc", NUL),
    which Django's own views then answer as "does not exist"."""
    text = str(object_id or "")
    if not (text.isascii() and text.isdigit()):
        return None
    pk = int(text)
    return pk if pk <= BIGGEST_PK else None


BIGGEST_PK = 2**63 - 1  # a BigAutoField's largest; beyond it the database driver overflows


# Values that must stay unique per explainer and may be swapped between rows in a save.
UNIQUE_PER_EXPLAINER = {
    Question: ("position", "anchor"),
    Source: ("position", "key"),
    RelatedLink: ("position", "target"),
}


def sortable_kwargs(inline) -> dict:
    """What adminsortable2's get_formset_kwargs adds for a sortable inline: without it the
    position is a visible number field, not the hidden input its dragging (and
    explainers/static/explainers/blocks.js) numbers."""
    names = ("default_order_direction", "default_order_field")
    return {name: getattr(inline, name) for name in names if hasattr(inline, name)}


class RowsInline:
    """Inline rows a user may only view (a reporter and the desk's recommendations)
    arrive as stored ids, not edited rows: their formset is left out of validation
    and saving altogether."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        view_only = not self.has_change_permission(request, obj)
        return type(formset.__name__, (formset,), {"view_only": view_only})


class QuestionInline(RowsInline, SortableStackedInline):
    model = Question
    form = InlineRowForm
    formset = QuestionFormSet
    fields = (
        "question",
        "anchor",
        "answer",
        "extra_cites",
        ("valid_until", "valid_until_note"),
        "key",
    )
    readonly_fields = ("key",)
    extra = 0
    template = "admin/explainers/edit_inline/blocks.html"


class SourceInline(RowsInline, SortableTabularInline):
    model = Source
    form = InlineRowForm
    formset = SourceFormSet
    fields = ("key", "label", "publisher", "url", "date", "kind")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0
    template = "admin/explainers/edit_inline/blocks.html"  # blocks, as the questions


class RelatedLinkInline(RowsInline, SortableTabularInline):
    model = RelatedLink
    fk_name = "explainer"
    form = InlineRowForm
    formset = RelatedLinkFormSet
    fields = ("target",)
    autocomplete_fields = ("target",)
    extra = 0
    template = "admin/explainers/edit_inline/tabular.html"


class StatusFilter(admin.SimpleListFilter):
    title = _("Status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Entwurf")),
            ("published", _("veröffentlicht")),
            ("unpublished_changes", _("unveröffentlichte Änderungen")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.filter(latest_number__isnull=True)
        if self.value() == "published":
            return queryset.filter(latest_number__isnull=False)
        if self.value() == "unpublished_changes":
            return queryset.with_unpublished_changes()
        return queryset


class ScheduleFilter(admin.SimpleListFilter):
    title = _("Planung")
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [("pending", _("Veröffentlichung geplant")), ("skipped", _("Planung übersprungen"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(next_schedule__isnull=False)
        if self.value() == "skipped":
            return queryset.filter(schedules__status=ScheduledPublication.Status.SKIPPED).distinct()
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("Prüfung")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("ready", _("zur Abnahme")),
            ("sent_back", _("zurück an die Redaktion")),
            ("overdue", _("überfällig")),
            ("corrected", _("kürzlich korrigiert")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "ready":
            return queryset.filter(ready_for_review=True)
        if self.value() == "sent_back":
            sent_back = open_steps(HandOff.Kind.SENT_BACK).values("explainer")
            return queryset.filter(pk__in=sent_back)
        if self.value() == "overdue":
            return queryset.filter(pk__in=Explainer.objects.overdue().values("pk"))
        if self.value() == "corrected":
            return queryset.filter(pk__in=Explainer.objects.recently_corrected().values("pk"))
        return queryset


@admin.register(Explainer)
class ExplainerAdmin(SortableAdminBase, VersionAdmin):
    form = ExplainerForm
    inlines = [QuestionInline, SourceInline, RelatedLinkInline]
    list_display = (
        "headline", "status", "last_publication", "scheduled", "changed_at", "review_status",
        "ready_for_review",
    )  # fmt: skip
    list_filter = (StatusFilter, ScheduleFilter, OverdueFilter, translation_views.TranslationFilter)
    search_fields = ("headline", "questions__question")
    # Explicit: the Meta ordering does not order the grouped queryset of get_queryset, and
    # the autocomplete of "Empfehlungen der Redaktion" pages through it.
    ordering = ("-updated_at",)
    change_list_template = "admin/change_list.html"
    object_history_template = "admin/explainers/explainer/history.html"
    change_form_template = "admin/explainers/explainer/change_form.html"

    class Media:
        css = {"all": ["explainers/admin.css", "explainers/autosave.css"]}
        js = ["explainers/char_counter.js", "explainers/autosave.js", "explainers/plain_post.js"]

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "headline",
                    "slug",
                    "kicker",
                    "teaser",
                    "intro",
                    "language",
                    "byline",
                    "loaded_revision",
                )  # fmt: skip
            },
        ),
        (
            _("Aufmacherbild"),
            {"fields": ("image", "image_alt", "image_caption", "image_credit")},
        ),
        (_("Planung"), {"fields": ("review_by",)}),
    )

    def get_queryset(self, request):
        if getattr(request, "one_explainer", False):
            return super().get_queryset(request)
        pending = ScheduledPublication.objects.filter(
            explainer=OuterRef("pk"), status=ScheduledPublication.Status.PENDING
        ).order_by("publish_at")
        return (
            super()
            .get_queryset(request)
            .with_latest_publication()
            .with_translation_state()
            .annotate(next_schedule=Subquery(pending.values("publish_at")[:1]))
        )

    @admin.display(description=_("Geplant"), ordering="next_schedule")
    def scheduled(self, obj):
        if obj.next_schedule is None:
            return "–"
        return date_format(timezone.localtime(obj.next_schedule), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("Status"))
    def status(self, obj):
        # A coloured mark before the words (admin.css), never instead of them.
        if obj.latest_number is None:
            state, words = "draft", _("Entwurf")
        elif obj.has_unpublished_changes:
            state, words = "changed", _("unveröffentlichte Änderungen")
        else:
            state, words = "published", _("veröffentlicht")
        mark = format_html('<span class="status-mark status-mark--{}"></span>{}', state, words)
        return format_html("{}{}", mark, translation_views.translation_badge(obj))

    @admin.display(description=_("Zuletzt geändert"), ordering="updated_at")
    def changed_at(self, obj):
        return date_format(timezone.localtime(obj.updated_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("Letzte Veröffentlichung"), ordering="latest_number")
    def last_publication(self, obj):
        if obj.latest_number is None:
            return "–"
        published = timezone.localtime(obj.latest_published_at)
        return f"v{obj.latest_number}, {date_format(published, 'SHORT_DATETIME_FORMAT')}"

    @admin.display(description=_("Prüfen bis"), ordering="review_by")
    def review_status(self, obj):
        if obj.review_by is None:
            return "–"
        if obj.review_by < timezone.localdate():
            return format_html(
                '<strong class="overdue">{} ({})</strong>',
                date_format(obj.review_by, "SHORT_DATE_FORMAT"),
                _("überfällig"),
            )
        return date_format(obj.review_by, "SHORT_DATE_FORMAT")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        latest = self.latest_revision(request, obj)
        merge = getattr(request, "merge", None)
        # modelform_factory made this class for this request: it takes the request's
        # state itself, with no subclass (each costs another pass of the form metaclass)
        form.merge_conflicts = merge.conflicts if merge else []
        form.redacted_places = getattr(request, "redacted_places", [])
        form.draft_data = getattr(request, "draft_data", None)
        form.base_fields["loaded_revision"].initial = latest.pk if latest else None
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if request.method == "POST":
            request.POST = with_lf_line_endings(request.POST)
        pk = stored_pk(object_id)
        if pk is not None:
            if request.method == "POST":
                # Inside the revision's transaction (change_view): no savepoint of its own,
                # since nothing between them catches what would roll back to it.
                with transaction.atomic(savepoint=False):
                    explainer = Explainer.objects.select_for_update().filter(pk=pk).first()
                    if explainer is not None:
                        request.locked_explainer = explainer
                        # with its rows: save_related describes the save against them
                        latest = latest_revision_with_rows(explainer)
                        request.latest_revisions = {pk: latest}
                        request.merge = self.merge(request, explainer, latest)
                        request.redacted_places = redacted_places_in_form(explainer, request.POST)
                        extra_context["merge"] = request.merge
                        extra_context.update(self.draft_context(request, pk))
                    response = super().changeform_view(request, object_id, form_url, extra_context)
                if response.status_code == 302:
                    presence.left(object_id, request.user)
                return response
            presence.editing(object_id, request.user)
            extra_context["other_editors"] = presence.others(object_id, request.user)
            extra_context.update(self.draft_context(request, pk))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def merge(self, request, explainer, latest):
        """A form loaded before someone else saved is merged with their save (held under
        the row lock); what this user may only view is looked up only then."""
        if not saved_since_loaded(request.POST, latest):
            return None
        return reconcile(
            request, explainer, self.view_only_parts(request, explainer), latest=latest
        )

    def draft_context(self, request, pk: int) -> dict:
        """Autosave on the change page of someone who may change it: the user's unsaved
        draft offered for restoring, or the form bound to it when restoring was chosen."""
        if not self.has_change_permission(request):
            return {}
        if request.method == "POST":  # shown again after a refused save: the same page
            page = request.POST.get(drafts.PAGE_FIELD) or draft_views.new_page()
            return {"autosave": True, "autosave_page": page}
        draft = drafts.offered(Explainer(pk=pk), request.user)
        if draft is None:
            return {"autosave": True, "autosave_page": draft_views.new_page()}
        when = draft_views.saved_label(draft)
        if draft_views.restoring(request):  # the page the draft was typed on, continued
            request.draft_data = drafts.as_form_data(draft)
            page = drafts.page_of(draft) or draft_views.new_page()
            return {"autosave": True, "autosave_page": page, "restored_draft": draft,
                    "draft_when": when}  # fmt: skip
        return {"autosave": True, "autosave_page": draft_views.new_page(), "draft": draft,
                "draft_when": when}  # fmt: skip

    def get_object(self, request, object_id, from_field=None):
        """The change, history and delete pages need the row, not the change list's
        annotations (a grouped join and two subqueries)."""
        locked = getattr(request, "locked_explainer", None)
        if locked is not None and from_field is None and stored_pk(object_id) == locked.pk:
            return locked  # read a moment ago with its row lock (changeform_view)
        request.one_explainer = True
        try:
            return super().get_object(request, object_id, from_field)
        finally:
            request.one_explainer = False

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """As Django's, but the inlines share the posted data rather than each taking a
        copy of it: the copy is for "save as new", which this page does not offer."""
        draft_data = getattr(request, "draft_data", None)
        if draft_data is not None:  # a restored draft: the page shows it, bound
            return {
                "instance": obj,
                "prefix": prefix,
                "queryset": inline.get_queryset(request),
                "data": draft_data,
                **sortable_kwargs(inline),
            }
        if request.method != "POST" or self.save_as:
            return super().get_formset_kwargs(request, obj, inline, prefix)
        return {
            "instance": obj,
            "prefix": prefix,
            "queryset": inline.get_queryset(request),
            "data": request.POST,
            "files": request.FILES,
            "save_as_new": False,
            **sortable_kwargs(inline),
        }

    def latest_revision(self, request, explainer):
        """The explainer's latest revision. A save reads it once, holding the explainer's
        row lock (changeform_view), under which no other revision can be recorded."""
        if explainer is None:
            return None
        known = getattr(request, "latest_revisions", {})
        if explainer.pk in known:
            return known[explainer.pk]
        return latest_revision(explainer)

    def view_only_parts(self, request, explainer) -> frozenset:
        """The parts of the change page this user may only view (snapshot names)."""
        parts = {Question: "questions", Source: "sources", RelatedLink: "related"}
        return frozenset(
            parts[inline.model]
            for inline in self.get_inline_instances(request, explainer)
            if not inline.has_change_permission(request, explainer)
        )

    def save_formset(self, request, form, formset, change):
        if formset.view_only:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        make_room(formset, UNIQUE_PER_EXPLAINER[formset.model])
        formset.save()

    @contextmanager
    def create_revision(self, request):
        # Saving the form records no revision by itself: save_related records one only
        # when the versioned state changed (reversion's automatic tracking would always).
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        explainer = form.instance
        latest = self.latest_revision(request, explainer) if change else None
        before = revision_state(latest) if latest is not None else None
        outcome = SaveOutcome()
        with rows_read_once(explainer):  # for tidying, the comment and the revision
            tidy_read_rows(explainer)
            after = working_state(explainer)
            lines = describe_changes(before, after)
            if lines:
                comment = revision_comment(lines, form.cleaned_data.get("change_comment"))
                outcome.comment = self.with_merge_note(request, comment)
                record_revision(
                    explainer,
                    user=request.user,
                    comment=outcome.comment,
                    document=after["document"],
                    locked=change,  # changeform_view holds the row lock of a stored explainer
                    rows_read=True,
                    latest_number=getattr(latest, "number", None),
                    slug_before=before["document"].get("slug") if before else None,
                )
        drafts.discard(explainer, request.user)  # saved: nothing left unsaved to offer
        draft_views.remember_saved_page(request)
        request.save_outcome = outcome

    def with_merge_note(self, request, comment: str) -> str:
        """The revision comment of a merged save names the merge; the editor is told."""
        merge = getattr(request, "merge", None)
        if merge is None:
            return comment
        when = date_format(timezone.localtime(merge.at), "TIME_FORMAT")
        messages.info(
            request,
            _(
                "%(user)s hat um %(when)s ebenfalls gespeichert. Ihre Änderungen "
                "wurden mit diesen zusammengeführt; es ging nichts verloren."
            )
            % {"user": merge.by, "when": when},
        )
        note = _("Zusammengeführt mit der Fassung von %(user)s (%(when)s).") % {
            "user": merge.by,
            "when": when,
        }
        return f"{comment} {note}"

    def log_addition(self, request, obj, message):
        outcome = getattr(request, "save_outcome", None)
        return admin.ModelAdmin.log_addition(
            self, request, obj, outcome.comment if outcome else message
        )

    def log_change(self, request, obj, message):
        """The change form logs the revision comment (nothing at all for an untouched
        save); the desk's other actions log their text."""
        outcome = getattr(request, "save_outcome", None)
        if outcome is not None:
            message = outcome.comment
            if not message:
                return None
        return admin.ModelAdmin.log_change(self, request, obj, message)

    def response_change(self, request, obj):
        outcome = getattr(request, "save_outcome", None)
        if outcome is None or outcome.versioned or IS_POPUP_VAR in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, _("Keine Änderungen – nichts gespeichert."), messages.INFO)
        if (request.POST.get("change_comment") or "").strip():
            self.message_user(
                request,
                _("Ihr Kommentar wurde nicht gespeichert, weil sich nichts geändert hat."),
                messages.WARNING,
            )
        if "_continue" in request.POST:
            return HttpResponseRedirect(request.get_full_path())
        if "_addanother" in request.POST:
            return HttpResponseRedirect(reverse("admin:explainers_explainer_add"))
        return self.response_post_save_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        """Only the desk deletes, and only explainers never published: publications
        are permanent, and so is what they belong to."""
        if not self.can_publish(request):
            return False
        if obj is not None and obj.publications.exists():
            return False
        return super().has_delete_permission(request, obj)

    def can_publish(self, request) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def view_on_site(self, obj):
        """The public page, while there is one (not the Sites row's http://localhost/)."""
        current = getattr(obj, "current", None)
        if current is None or current.is_withdrawn:
            return None
        return public_urls.link(current.get_absolute_url())

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Only a page that is shown needs these (a successful save redirects).
        if change and obj is not None:
            context.update(self.change_page_context(request, obj.pk))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_page_context(self, request, pk: int) -> dict:
        # Links use the stored slugs: the form's instance may hold an unsaved one.
        stored = (
            Explainer.objects.filter(pk=pk)
            .with_latest_publication()
            .values(
                "slug",
                "current__slug",
                "content_hash",
                "latest_content_hash",
                "ready_for_review",
            )
            .first()
        )
        return {
            "can_publish": self.can_publish(request),
            "ready_for_review": bool(stored) and stored["ready_for_review"],
            "hand_off": open_steps().filter(explainer_id=pk).select_related("by").first(),
            "preview_url": reverse("explainers:preview", args=[stored["slug"]])
            if stored and stored["slug"]
            else None,
            "public_url": reverse("explainers:detail", args=[stored["current__slug"]])
            if stored and stored["current__slug"]
            else None,
            "schedules": ScheduledPublication.objects.filter(
                explainer_id=pk,
                status__in=[
                    ScheduledPublication.Status.PENDING,
                    ScheduledPublication.Status.SKIPPED,
                ],
            ).order_by("-publish_at")[:5],
            "unpublished_changes": bool(stored)
            and Explainer.differs_from_publication(
                stored["content_hash"], stored["latest_content_hash"]
            ),
            "nothing_to_publish": bool(stored)
            and stored["latest_content_hash"] == stored["content_hash"],
            **translation_views.change_page_context(pk),
        }

    def get_urls(self):
        # Not VersionAdmin.get_urls: its revision and recover views revert with only the
        # change permission, outside the project's revert function.
        urls = admin.ModelAdmin.get_urls(self)
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        views = admin_history.HistoryViews(self)
        hand_offs = HandOffViews(self)
        comments = CommentViews(self)
        autosave = draft_views.DraftViews(self)
        live_view = LivePreview(self).as_view()
        translations = translation_views.TranslationViews(self)
        own = [
            path(
                "<path:object_id>/uebersetzen/",
                wrap(translations.create_view),
                name=f"{prefix}_translate",
            ),
            path(
                "<path:object_id>/uebersetzung-aktuell/",
                wrap(translations.catch_up_view),
                name=f"{prefix}_translation_catch_up",
            ),
            path(
                "<path:object_id>/history/revision/<int:revision_id>/",
                wrap(views.revision_view),
                name=f"{prefix}_revision",
            ),
            path(
                "<path:object_id>/history/revision/<int:revision_id>/revert/",
                wrap(views.revert_view),
                name=f"{prefix}_revert",
            ),
            path(
                "<path:object_id>/history/compare/",
                wrap(views.compare_view),
                name=f"{prefix}_compare",
            ),
            path("<path:object_id>/publish/", wrap(views.publish_view), name=f"{prefix}_publish"),
            path(
                "<path:object_id>/withdraw/", wrap(views.withdraw_view), name=f"{prefix}_withdraw"
            ),
            path("<path:object_id>/redact/", wrap(views.redact_view), name=f"{prefix}_redact"),
            path("live-preview/", live_view, name=f"{prefix}_live_preview_new"),
            path("<path:object_id>/live-preview/", live_view, name=f"{prefix}_live_preview"),
            path(
                "<path:object_id>/kommentare/",
                wrap(comments.comments_view),
                name=f"{prefix}_comments",
            ),
            path(
                "<path:object_id>/entwurf/",
                autosave.autosave_view(),
                name=f"{prefix}_autosave",
            ),
            path(
                "<path:object_id>/entwurf/verwerfen/",
                wrap(autosave.discard_view),
                name=f"{prefix}_discard_draft",
            ),
            path(
                "<path:object_id>/abnahme/",
                wrap(hand_offs.hand_in_view),
                name=f"{prefix}_hand_in",
            ),
            path(
                "<path:object_id>/zurueck/",
                wrap(hand_offs.send_back_view),
                name=f"{prefix}_send_back",
            ),
            path(
                "<path:object_id>/history/questions/",
                wrap(views.questions_view),
                name=f"{prefix}_questions",
            ),
            path(
                "<path:object_id>/history/questions/<slug:key>/restore/<int:revision_id>/",
                wrap(views.restore_question_view),
                name=f"{prefix}_restore_question",
            ),
            path(
                "<path:object_id>/compare-published/",
                wrap(views.compare_published_view),
                name=f"{prefix}_compare_published",
            ),
        ]
        return own + urls

    def history_view(self, request, object_id, extra_context=None):
        return admin_history.HistoryViews(self).history_view(request, object_id, extra_context)


@admin.register(ScheduledPublication)
class ScheduledPublicationAdmin(admin.ModelAdmin):
    """What is planned, and what was skipped and why. The desk can cancel a plan."""

    list_display = ("explainer", "publish_at", "kind", "status", "reason", "created_by")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ScheduledPublication._meta.fields]
    actions = ["cancel"]

    def has_add_permission(self, request):
        return False  # planned from an explainer's "Veröffentlichen …" page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Geplante Veröffentlichungen absagen"), permissions=["change"])
    def cancel(self, request, queryset):
        count = queryset.filter(status=ScheduledPublication.Status.PENDING).update(
            status=ScheduledPublication.Status.CANCELLED,
            reason=_("abgesagt von %(user)s") % {"user": request.user.get_username()},
            processed_at=timezone.now(),
        )
        self.message_user(request, _("%(n)s Planung(en) abgesagt.") % {"n": count})

"""The live preview beside the change form: the form as it is, unsaved, shown as readers would
see it, a moment after typing stops (htmx posts the form here; the change page's panel shows
the answer). What a save would refuse (an unknown citation marker, a link the link policy
refuses, …) is listed above it, found by the admin's own forms. Staff only, never cached,
and nothing is saved."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from explainers.core.documents import german_slugify, question_key, unique_slug
from explainers.desk.concurrent_edits import redacted_places_in_form, snapshot_from_post
from explainers.desk.forms import with_lf_line_endings
from explainers.domain.builders import assemble_document, cited_keys
from explainers.models import Explainer, Question
from explainers.reader.presenting import present_document


def preview_document(data, explainer: Explainer | None) -> dict:
    """The document the posted form describes, keys and anchors filled in as a save would."""
    posted = snapshot_from_post(data)
    stored_keys = (
        dict(Question.objects.filter(explainer=explainer).values_list("id", "key"))
        if explainer is not None
        else {}
    )
    keys, anchors = set(stored_keys.values()), set()
    questions = []
    for position, row in enumerate(posted["questions"], start=1):
        key = stored_keys.get(row["id"]) or question_key(row["question"], keys)
        anchor = row["anchor"] or unique_slug(german_slugify(row["question"]), anchors)
        keys.add(key)
        anchors.add(anchor)
        questions.append({**row, "key": key, "anchor": anchor, "position": position})
    sources = [{**row, "position": n} for n, row in enumerate(posted["sources"], start=1)]
    source_ids = {source["key"]: source["id"] for source in sources}
    citations = [
        (question["id"], source_ids[key])
        for question in questions
        for key in cited_keys(question["answer"], question["extra_cites"])
        if key in source_ids
    ]
    fields = dict(posted["fields"])
    fields["image"] = explainer.image.name if explainer is not None and explainer.image else ""
    return assemble_document(fields, questions, sources, citations, [])


class LivePreview:
    def __init__(self, admin) -> None:
        self.admin = admin

    def as_view(self):
        """Without the admin's login redirect (see `view`), with its CSRF check."""
        return csrf_protect(self.view)

    def view(self, request, object_id=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.admin.admin_site.has_permission(request):
            # Not the admin's redirect to its login page, which htmx would follow and show
            # in the panel: a refusal, which htmx leaves unswapped (the last preview stays).
            raise PermissionDenied
        explainer = None
        if object_id is not None:
            explainer = self.admin.get_object(request, object_id)
            if explainer is None:
                raise Http404(_("Dieses Erklärstück gibt es nicht."))
        allowed = (
            self.admin.has_change_permission(request, explainer)
            if explainer is not None
            else self.admin.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        request.POST = with_lf_line_endings(request.POST)
        if explainer is not None:  # as the change form would refuse them (concurrent_edits.py)
            request.redacted_places = redacted_places_in_form(explainer, request.POST)
        problems = self.problems(request, explainer)
        document = present_document(preview_document(request.POST, explainer))
        page = render_to_string(
            "explainers/live_preview_page.html",
            {"document": document, "byline": request.POST.get("byline", "")},
            request,
        )
        response = TemplateResponse(
            request,
            "admin/explainers/explainer/_live_preview.html",
            {"problems": problems, "page": page, "headline": document["headline"]},
        )
        add_never_cache_headers(response)
        return response

    def problems(self, request, explainer: Explainer | None) -> list[tuple[str, str]]:
        """(where, what) for everything a save of this form would refuse, as the change
        form would say it. Validation only: the forms are never saved."""
        instance = explainer if explainer is not None else Explainer()
        form = self.admin.get_form(request, explainer, change=explainer is not None)(
            request.POST, request.FILES, instance=instance
        )
        found = []
        form.is_valid()
        for name, errors in form.errors.items():
            where = form.fields[name].label if name in form.fields else _("Erklärstück")
            found += [(str(where), str(message)) for message in errors]
        for formset_class, inline in self.admin.get_formsets_with_inlines(request, explainer):
            prefix = formset_class.get_default_prefix()
            kwargs = self.admin.get_formset_kwargs(request, instance, inline, prefix)
            formset = formset_class(**kwargs)
            formset.is_valid()
            found += [(str(inline.verbose_name_plural), str(e)) for e in formset.non_form_errors()]
            for row in formset.forms:
                label = row.data.get(row.add_prefix("question")) or row.data.get(
                    row.add_prefix("key")
                )
                row_name = label or str(inline.verbose_name)
                for name, errors in row.errors.items():
                    field = row.fields.get(name)
                    where = f"{row_name} – {field.label}" if field and field.label else row_name
                    found += [(where, str(message)) for message in errors]
        return found

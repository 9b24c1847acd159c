"""Where two versions of an explainer clash, in the editor's words: "Dachzeile", "„Wer
garantiert was?“ – Antwort", "Reihenfolge der Quellen". Said once for the change form's
merge (explainers/desk/concurrent_edits.py) and the ingest API's 409
(explainers/domain/ingesting.py); the conflicts come from explainers/core/merging.py."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from explainers.core.merging import Conflict
from explainers.models import Explainer, Question, Source


def conflict_place(conflict: Conflict) -> str:
    if conflict.kind == "order":  # labelled with what was reordered
        if conflict.label == "sources":
            return _("Reihenfolge der Quellen")
        return _("Reihenfolge der Fragen")
    if conflict.kind == "field":
        if conflict.field == "related":
            return _("Empfehlungen der Redaktion")
        return field_label(Explainer, conflict.field)
    if conflict.kind == "citation":
        return _("„%(question)s“ – Beleg [^%(key)s]: die Quelle wurde gelöscht") % {
            "question": conflict.label,
            "key": conflict.field,
        }
    if conflict.field == "deleted_by_them":
        return _("„%(label)s“ – seither gelöscht, hier geändert") % {"label": conflict.label}
    if conflict.field == "deleted_by_me":
        return _("„%(label)s“ – hier gelöscht, seither geändert") % {"label": conflict.label}
    model = {"questions": Question, "sources": Source}.get(conflict.kind)
    if model is None:
        return f"„{conflict.label}“"
    what = _("Belege") if conflict.field == "cites" else field_label(model, conflict.field)
    return f"„{conflict.label}“ – {what}"


def field_label(model, name: str) -> str:
    """A field's name as the form shows it; the name itself for one the model lacks."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name

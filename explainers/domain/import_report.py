"""What an import did (or, in a dry run, would do), as lines for the editor: counts, the
language and headline notes, questions matched by similarity, the diff of a dry run, dropped
page furniture, citations linked by name and the publication. Written by
explainers/domain/importing.py, printed by `import_explainer`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from reversion.models import Revision

from explainers.core.diff_text import diff_lines
from explainers.core.question_matching import SIMILARITY_THRESHOLD, SimilarMatch
from explainers.core.textformat import ParsedExplainer
from explainers.domain.revisions import revision_label
from explainers.models import Explainer, Publication


@dataclass
class ImportReport:
    explainer: Explainer
    parsed: ParsedExplainer
    replaced: bool
    revision: Revision | None
    publication: Publication | None = None
    warnings: list[str] = field(default_factory=list)
    document: dict[str, Any] | None = None  # as written; the parsed one if not given
    notes: list[str] = field(default_factory=list)  # language and headline, for the editor
    similar: list[SimilarMatch] = field(default_factory=list)
    dry_run: bool = False
    diff: dict[str, Any] | None = None  # dry run with --replace: working copy → file
    would_publish: tuple[int, str] | None = None  # dry run with --publish: number, kind

    def lines(self) -> list[str]:
        document = self.document or self.parsed.document
        revision = self.revision
        summary = {
            "headline": document["headline"],
            "slug": document["slug"],
            "q": len(document["questions"]),
            "s": len(document["sources"]),
        }
        if self.dry_run:
            lines = [
                _("Probelauf (--dry-run): nichts wurde gespeichert."),
                (
                    _("Würde ersetzt: „%(headline)s“ (%(slug)s), %(q)s Fragen, %(s)s Quellen")
                    if self.replaced
                    else _(
                        "Würde neu angelegt: „%(headline)s“ (%(slug)s), %(q)s Fragen, %(s)s Quellen"
                    )
                )
                % summary,
            ]
        else:
            lines = [
                _(
                    "%(verb)s: „%(headline)s“ (%(slug)s), %(q)s Fragen, %(s)s Quellen, "
                    "Revision %(rev)s"
                )
                % {
                    **summary,
                    "verb": _("Ersetzt") if self.replaced else _("Importiert"),
                    "rev": revision_label(revision) if revision else "–",
                }
            ]
        lines += self.notes
        if self.similar:
            lines.append(
                _(
                    "Umformulierte Fragen nach Ähnlichkeit von Frage und Antwort zugeordnet "
                    "(ab %(threshold)s %%; bitte prüfen):"
                )
                % {"threshold": round(SIMILARITY_THRESHOLD * 100)}
            )
            lines += [
                f"  „{m.old_question}“ → „{m.new_question}“ ({round(m.similarity * 100)} %)"
                for m in self.similar
            ]
        if self.dry_run:
            lines += self._dry_run_lines(document)
        if self.parsed.dropped_furniture:
            lines.append(
                _("Entfernte Seitenelemente: %(lines)s")
                % {"lines": ", ".join(f"„{line}“" for line in self.parsed.dropped_furniture)}
            )
        if self.parsed.linked_citations:
            lines.append(_("Nach Namen zugeordnete Quellen (bitte prüfen):"))
            parsed = self.parsed.document  # the file's keys: --replace may give stored ones
            questions = {q["key"]: (n, q["question"]) for n, q in enumerate(parsed["questions"], 1)}
            labels = {s["key"]: s["publisher"] or s["label"] for s in parsed["sources"]}
            for question_key, source_key in self.parsed.linked_citations:
                number, text = questions[question_key]
                lines.append(f"  {number}. {text} → {labels[source_key]}")
        if self.publication is not None:
            lines.append(
                _("Veröffentlicht als v%(n)s (%(kind)s)")
                % {"n": self.publication.number, "kind": self.publication.get_kind_display()}
            )
        if self.would_publish is not None:
            number, kind = self.would_publish
            lines.append(
                _(
                    "Mit --publish würde v%(n)s (%(kind)s) veröffentlicht; ob das Veröffentlichen "
                    "gelingt, zeigt erst der Import ohne --dry-run."
                )
                % {"n": number, "kind": Publication.Kind(kind).label}
            )
        return lines

    def _dry_run_lines(self, document: dict[str, Any]) -> list[str]:
        if self.diff is not None and self.diff["is_empty"]:
            return diff_lines(self.diff)
        if self.diff is not None:
            return [_("Änderungen gegenüber dem Arbeitsstand:")] + [
                f"  {line}" for line in diff_lines(self.diff)
            ]
        return [_("Fragen:")] + [
            f"  {number}. {question['question']}"
            for number, question in enumerate(document["questions"], start=1)
        ]

"""Importing: a text-format or JSON file (or a document) checked and written into the working
copy, new or with --replace, and published if asked, in one transaction. The writing itself is
`explainers.domain.builders.write_document`, shared with revert and question restore.

A dry run does all of it except the revision and the publication, then rolls the transaction
back and stores no image: what it reports is what the import would write. With --replace, a
re-imported question keeps the key of the stored question it is
(explainers/core/question_matching.py), and a file without "Titel:" keeps the headline."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as replaced_fields
from pathlib import Path
from typing import Any

import reversion
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from explainers.core.diffing import diff_documents
from explainers.core.document_json import looks_like_document_json, parse_document_json
from explainers.core.documents import is_safe_url, normalize_document
from explainers.core.question_matching import SimilarMatch, keep_keys, keep_keys_in_order
from explainers.core.rendering import expansion_problem, too_deeply_nested
from explainers.core.textformat import (
    MAX_IMPORT_BYTES,
    ParsedExplainer,
    decode_import_bytes,
    filename_headline_warning,
    parse_text,
)
from explainers.domain.builders import document_from_explainer, write_document
from explainers.domain.images import (
    ImageRefused,
    clean_image,
    delete_with_renditions,
    lead_image_storage,
    write_renditions,
)
from explainers.domain.import_language import LanguageRefused, choose_language
from explainers.domain.import_report import ImportReport
from explainers.domain.publishing import publish
from explainers.domain.redaction_guard import check_not_redacted
from explainers.domain.revisions import latest_revision, record_revision
from explainers.models import (
    Explainer,
    Publication,
    Question,
    Source,
    Translation,
    http_url_validator,
)

FORMATS = ("text", "json")


class ImportRefused(Exception):
    """An import that cannot be written; the message is for the editor."""


@dataclass
class _Written:
    """What `_write_import` wrote (or, in a dry run, would write)."""

    explainer: Explainer
    replaced: bool
    document: dict[str, Any]  # as written
    before: dict[str, Any] | None = None  # the working copy it replaced
    similar: list[SimilarMatch] = field(default_factory=list)
    kept_headline: str | None = None  # the stored headline, kept for a file without "Titel:"
    next_number: int = 1  # of the publication --publish would make


class _DryRunDone(Exception):
    """Ends a dry run inside its transaction, so everything written is rolled back."""

    def __init__(self, written: _Written) -> None:
        super().__init__()
        self.written = written


def import_file(
    path: Path | str,
    *,
    title: str | None = None,
    slug: str | None = None,
    replace: bool = False,
    publish_kind: str | None = None,
    note: str = "",
    user=None,
    language: str | None = None,
    file_format: str = "text",
    dry_run: bool = False,
) -> ImportReport:
    """Read, check and write a text-format or JSON file; with `publish_kind` publish it too.

    Import and publication are one transaction: a refused publication writes nothing.
    `language` overrides the file's; `dry_run` checks everything and writes nothing.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(_("Datei nicht gefunden: %(path)s") % {"path": path})
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportRefused(
            _("Die Datei ist größer als %(limit)s MB.") % {"limit": MAX_IMPORT_BYTES // 1_000_000}
        )
    text = decode_import_bytes(path.read_bytes())
    if file_format == "json":
        parsed = parse_document_json(text, title=title, slug=slug)
    elif looks_like_document_json(text):
        raise ImportRefused(_("Die Datei enthält JSON: bitte mit --format json importieren."))
    else:
        parsed = parse_text(text, title=title, slug=slug, filename=path.name)
    return import_parsed(
        parsed,
        replace=replace,
        publish_kind=publish_kind,
        note=note,
        user=user,
        language=language,
        dry_run=dry_run,
    )


def import_parsed(
    parsed: ParsedExplainer,
    *,
    replace: bool = False,
    publish_kind: str | None = None,
    note: str = "",
    user=None,
    language: str | None = None,
    dry_run: bool = False,
    comment: str = "",
) -> ImportReport:
    """`import_file` of a document already read (explainers/core/textformat.py or
    document_json.py), as the ingest API (explainers/domain/ingesting.py) hands it over;
    `comment`: the revision's, instead of "Importiert"."""
    try:
        chosen = choose_language(parsed.document, option=language, given=parsed.language_given)
    except LanguageRefused as error:
        raise ImportRefused(str(error)) from error
    parsed = replaced_fields(parsed, document={**parsed.document, "language": chosen.code})
    report = ImportReport(None, parsed, False, None, dry_run=dry_run, notes=list(chosen.notes))
    try:
        with transaction.atomic(), imported_image(parsed, replace, dry_run=dry_run) as document:
            written = _write_import(
                document,
                replace=replace,
                user=user,
                keep_headline=parsed.headline_from_filename,
                explicit_keys=parsed.explicit_keys,
                dry_run=dry_run,
                comment=comment,
            )
            if dry_run:
                raise _DryRunDone(written)
            report.revision = latest_revision(written.explainer)
            _fill_report(report, written)
            if publish_kind:  # the revision just recorded: no need to read the rows back
                report.publication = publish(
                    written.explainer,
                    kind=publish_kind,
                    note=note,
                    user=user,
                    revision=report.revision,
                )
    except _DryRunDone as done:
        _fill_report(report, done.written)
        if done.written.before is not None:
            report.diff = diff_documents(done.written.before, done.written.document)
        if publish_kind:
            number = done.written.next_number
            report.would_publish = (number, Publication.Kind.FIRST if number == 1 else publish_kind)
    return report


def _fill_report(report: ImportReport, written: _Written) -> None:
    report.explainer = written.explainer
    report.replaced = written.replaced
    report.document = written.document
    report.similar = written.similar
    report.warnings = list(report.parsed.warnings)
    if written.kept_headline is not None:
        dropped = filename_headline_warning(report.parsed.document["headline"])
        report.warnings = [w for w in report.warnings if w != dropped]
        report.notes.append(
            _("Die Datei hat keine Zeile „Titel:“: die Überschrift „%(headline)s“ bleibt.")
            % {"headline": written.kept_headline}
        )


@contextmanager
def imported_image(
    parsed: ParsedExplainer, replace: bool, *, dry_run: bool = False
) -> Iterator[dict[str, Any]]:
    """The parsed document with its "Bild:" file as the admin would store an upload: the
    file must lie in the media storage, passes the same checks and is stored re-encoded,
    with renditions, under a new name. If the import then fails, those files go again.

    Re-importing an explainer with the image it already has (export, edit, --replace)
    keeps that file: it was checked when it was stored. A dry run checks the file and
    stores nothing.
    """
    document = parsed.document
    image = document["image"]
    if not image:
        yield document
        return
    src = image["src"]
    storage = lead_image_storage()
    current = Explainer.objects.filter(slug=document["slug"]).values_list("image", flat=True)
    try:
        with _named_file(storage, src, parsed.image_line) as file:
            if replace and src in current:
                if not dry_run:
                    write_renditions(src, storage)
                yield document
                return
            clean = clean_image(file, src)
    except ImageRefused as error:
        raise ImportRefused(_bild_line(parsed.image_line, src, str(error))) from error
    if dry_run:
        yield document
        return
    stored = Explainer._meta.get_field("image").generate_filename(None, clean.name)
    stored = storage.save(stored, clean.as_file())
    try:
        write_renditions(stored, storage)
        yield {**document, "image": {**image, "src": stored}}
    except BaseException:
        delete_with_renditions(stored, storage)
        raise


@contextmanager
def _named_file(storage, src: str, line: int | None):
    """The storage's file `src`, refused if it is missing or (by a symlink) lies outside."""
    try:
        inside = _inside(storage, src)
        file = storage.open(src) if inside else None
    except SuspiciousFileOperation:
        inside, file = False, None
    except OSError as error:
        raise ImportRefused(
            _bild_line(line, src, _("Im Medienordner gibt es diese Datei nicht."))
        ) from error
    if not inside:
        raise ImportRefused(
            _bild_line(line, src, _("Die Datei liegt außerhalb des Medienordners."))
        )
    with file:
        yield file


def _inside(storage, src: str) -> bool:
    """Whether the file really lies in the storage's folder, symlinks followed (a storage
    without local paths has no symlinks)."""
    try:
        path = storage.path(src)
    except NotImplementedError:
        return True
    root = os.path.realpath(storage.location)
    return os.path.commonpath([os.path.realpath(path), root]) == root


def _bild_line(line: int | None, src: str, reason: str) -> str:
    if line is None:  # from JSON
        return _("Bild „%(src)s“: %(reason)s") % {"src": src, "reason": reason}
    return _("Zeile %(line)s („Bild: %(src)s“): %(reason)s") % {
        "line": line or "?",
        "src": src,
        "reason": reason,
    }


def import_document(
    document: dict[str, Any], *, replace: bool = False, user=None, comment: str = ""
) -> Explainer:
    """Create the explainer from `document`, or with `replace` write it as a new revision
    of the explainer with the same slug. Everything is checked before anything is written.
    """
    return _write_import(
        normalize_document(document), replace=replace, user=user, comment=comment
    ).explainer


def _write_import(
    document: dict[str, Any],
    *,
    replace: bool,
    user,
    comment: str = "",
    keep_headline: bool = False,
    explicit_keys: frozenset[str] = frozenset(),
    dry_run: bool = False,
) -> _Written:
    """`import_document` of a normalised document, with what it wrote. `keep_headline`:
    the document's headline is only the file name, so a replaced one keeps its own;
    `dry_run`: no revision (the caller rolls the rows back)."""
    related = _related_ids(document)
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        explainer = Explainer.objects.select_for_update().filter(slug=document["slug"]).first()
        if explainer is not None and not replace:
            raise ImportRefused(
                _(
                    "Ein Erklärstück mit dem Kurznamen „%(slug)s“ gibt es schon. "
                    "Mit --replace wird es als neue Revision überschrieben."
                )
                % {"slug": document["slug"]}
            )
        replaced = explainer is not None
        _check_importer(user, replaced)
        before, similar, kept_headline, next_number = None, [], None, 1
        if explainer is None:
            explainer = Explainer()
            document_comment = _("Importiert")
        else:
            document, similar = keep_question_keys(document, explainer, explicit_keys)
            if keep_headline:
                kept_headline = explainer.headline
                document = {**document, "headline": kept_headline}
            document_comment = _("Neu importiert (ersetzt)")
            if dry_run:
                before = document_from_explainer(explainer)
                latest = explainer.publications.order_by("-number").first()
                next_number = latest.number + 1 if latest else 1
        _refuse_unstorable_text(document)
        _refuse_too_deep(document)
        if problem := expansion_problem(document):
            raise ImportRefused(problem)
        _refuse_duplicate_keys(document)
        _refuse_invalid_dates(document)
        if replaced:  # --replace must not bring back a redacted passage
            check_not_redacted(explainer, document, ImportRefused)
            _refuse_taken_language(explainer, document["language"])
        written = write_document(explainer, document, related, check=_check_rows)
        if not dry_run:
            record_revision(
                explainer, user=user, comment=comment or document_comment, document=written
            )
    return _Written(explainer, replaced, written, before, similar, kept_headline, next_number)


def keep_question_keys(
    document: dict[str, Any], explainer: Explainer, explicit_keys: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], list[SimilarMatch]]:
    """Give re-imported questions the key of the stored question they are, so a re-import
    is not "all new" (explainers/core/question_matching.py); also the matches made by
    similarity, for the editor to check. A translation's keys are its original's: they
    go by the keys named and by position, never by wording."""
    stored = list(
        Question.objects.filter(explainer=explainer)
        .order_by("position")
        .values("key", "anchor", "question", "answer")
    )
    if Translation.objects.filter(explainer=explainer).exists():
        return {**document, "questions": keep_keys_in_order(stored, document["questions"])}, []
    questions, similar = keep_keys(stored, document["questions"], explicit_keys)
    return {**document, "questions": questions}, similar


def language_taken(explainer: Explainer, language: str) -> str | None:
    """Why `explainer` cannot change to `language`, or None: its language versions (its
    original, translations) keep one language each."""
    if language == explainer.language or explainer.pk is None:
        return None
    taken = Explainer.objects.language_family(explainer).filter(language=language).first()
    if taken is None:
        return None
    return _("„%(headline)s“ ist schon die Fassung in dieser Sprache (%(language)s).") % {
        "headline": taken.headline,
        "language": language,
    }


def _refuse_taken_language(explainer: Explainer, language: str) -> None:
    problem = language_taken(explainer, language)
    if problem:
        raise ImportRefused(problem)


def _check_importer(user, replacing: bool) -> None:
    """The named user (--user) may do what the import does, as in the admin."""
    if user is None:
        return
    permission = "explainers.change_explainer" if replacing else "explainers.add_explainer"
    if not user.has_perm(permission):
        message = (
            _("%(user)s darf keine Erklärstücke ändern.")
            if replacing
            else _("%(user)s darf keine Erklärstücke anlegen.")
        )
        raise ImportRefused(message % {"user": user.get_username()})


def _check_rows(explainer: Explainer, questions: list[Question], sources: list[Source]) -> None:
    """The explainer and every row as the admin form would check them (lengths, links),
    before anything is written; the message names the row."""
    try:
        explainer.full_clean(exclude=["image"], validate_unique=False)
    except ValidationError as error:
        raise ImportRefused(" ".join(error.messages)) from error
    for rows, label, exclude in (
        (questions, _("Frage %(n)s"), ["explainer", "extra_cites"]),
        (sources, _("Quelle %(n)s"), ["explainer"]),
    ):
        for number, row in enumerate(rows, start=1):
            try:
                row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                raise ImportRefused(
                    f"{label % {'n': number}}: " + " ".join(error.messages)
                ) from error
    for number, source in enumerate(sources, start=1):
        if source.url and not is_safe_url(source.url):  # as the admin form checks it
            raise ImportRefused(
                f"{_('Quelle %(n)s') % {'n': number}}: {http_url_validator.message}"
            )


def _refuse_too_deep(document: dict[str, Any]) -> None:
    """Lists and quotes nested so deep that the reader page would silently leave them out."""
    texts = [(_("im Teaser"), document["teaser"]), (_("in der Einleitung"), document["intro"])]
    texts += [
        (_("in der Antwort auf „%(question)s“") % {"question": q["question"]}, q["answer"])
        for q in document["questions"]
    ]
    for where, text in texts:
        if too_deeply_nested(text):
            raise ImportRefused(
                _(
                    "Zu tief verschachtelt %(where)s: Listen und Zitate, die so tief ineinander "
                    "stehen, würden nicht angezeigt. Bitte flacher gliedern."
                )
                % {"where": where}
            )


def _refuse_unstorable_text(value: Any) -> None:
    """PostgreSQL cannot store NUL in text, nor can any database a lone UTF-16 surrogate
    (possible in JSON); SQLite would take NUL, so both refuse it alike."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ImportRefused(_("Der Text enthält Nullzeichen (\\x00); bitte entfernen."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ImportRefused(
                _("Der Text enthält ein ungültiges Zeichen (%(char)s); bitte entfernen.")
                % {"char": ascii(value[error.start])}
            ) from error
    elif isinstance(value, dict):
        for item in value.values():
            _refuse_unstorable_text(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_unstorable_text(item)


def _refuse_duplicate_keys(document: dict[str, Any]) -> None:
    for part, label in (("questions", _("Frage")), ("sources", _("Quelle"))):
        seen: set[str] = set()
        for row in document[part]:
            for name in ("key", "anchor") if part == "questions" else ("key",):
                value = (name, row.get(name))
                if value in seen:
                    raise ImportRefused(
                        _("%(what)s: „%(key)s“ kommt mehrfach vor.")
                        % {"what": label, "key": row.get(name)}
                    )
                seen.add(value)


def _refuse_invalid_dates(document: dict[str, Any]) -> None:
    """A source date that is no day of the calendar (30 February, "17.13.2025"), named in
    the editor's words before anything is written (the text format refuses its own dates
    when it reads them: explainers/core/textformat_sources.py)."""
    field = Source._meta.get_field("date")
    for number, source in enumerate(document["sources"], start=1):
        value = source.get("date") or None
        try:
            field.to_python(value)
        except (ValidationError, TypeError) as error:
            raise ImportRefused(
                _(
                    "Quelle %(n)s („%(source)s“): Das Datum „%(date)s“ ist ungültig. "
                    "Erwartet wird ein Tag des Kalenders als JJJJ-MM-TT, z. B. 2025-08-17."
                )
                % {
                    "n": number,
                    "source": source.get("label") or source.get("publisher") or source["key"],
                    "date": value,
                }
            ) from error


def _related_ids(document: dict[str, Any]) -> dict[str, int]:
    """The recommended explainers, slug → id in the document's order."""
    slugs = [slug for slug in document["related"] if slug != document["slug"]]
    found = dict(Explainer.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ImportRefused(
            _("Verwandte Erklärstücke nicht gefunden: %(slugs)s") % {"slugs": ", ".join(missing)}
        )
    return {slug: found[slug] for slug in slugs}

"""Linked translations as readers see them: the language versions of an explainer (its
original and the translations of it that are public), the `hreflang` alternates and links
between them, and the note on a translation that its original has been updated since.

Readers only see publications: a translation is linked by the original's publication its
current publication was published from (`Publication.source_publication`), never by the
desk's working link. Both sides are rendered per request around the stored article, so
a publication of one side needs no new article body of the other; the pages depend on
each other's current publication (Last-Modified here, held pages, purge and bake:
explainers/reader/purge.py, explainers/bake/baking.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils.translation import get_language_info

from explainers.domain import public_urls
from explainers.domain.translations import newer_source_publications
from explainers.models import CurrentPublication, Publication


@dataclass(frozen=True)
class LanguageVersion:
    """One public language version of the explainer shown."""

    language: str
    name: str  # the language's name in that language: "English", "Deutsch"
    path: str
    url: str  # absolute, as the canonical link is built
    is_shown: bool
    is_original: bool


@dataclass(frozen=True)
class OutdatedNote:
    """A translation's publication corresponds to `number` of its original, which has
    published an update, correction or clarification since (explainers/domain/translations.py)."""

    language: str  # the translation's: the note is written in it (`text_language`)
    number: int
    published_at: datetime.datetime
    diff_path: str  # the original's diff from that version to its current one
    original_language: str

    @property
    def text_language(self) -> str:
        return text_language(self.language)


def text_language(code: str) -> str:
    """The language the note and the links around a language version are written in: its
    own if the site's interface speaks it (settings.LANGUAGES), else English if it does,
    else the site's language. A content language need not be an interface language."""
    spoken = dict(settings.LANGUAGES)
    if code in spoken:
        return code
    return "en" if "en" in spoken else settings.LANGUAGE_CODE


@dataclass(frozen=True)
class LanguageVersions:
    versions: tuple[LanguageVersion, ...] = ()  # empty unless two or more are public
    default_url: str | None = None  # `x-default`: the original
    note: OutdatedNote | None = None
    changed_at: datetime.datetime | None = None  # the latest change among the linked ones

    @property
    def others(self) -> tuple[LanguageVersion, ...]:
        return tuple(version for version in self.versions if not version.is_shown)


def language_versions(current: CurrentPublication, request=None) -> LanguageVersions:
    """The language versions of the public explainer `current`, as its current page shows
    them. None, without a query, for an explainer that is neither a translation nor
    translated (`current_by_slug` knows); else one query finds both directions (its
    translations, or its original and that one's other translations); an outdated
    translation asks one more (the rule's)."""
    explainer_id = current.explainer_id
    source_id = current.publication.source_publication_id
    if source_id is None and not getattr(current, "translated", True):
        return LanguageVersions()  # neither a translation nor translated (public.py)
    found = _linked_rows(explainer_id, source_id)
    changed_at = max((row["changed_at"] for row in found), default=None)
    if not found:
        return LanguageVersions(changed_at=changed_at)
    original_id = explainer_id
    if source_id is not None:  # its own row names its original
        own = next(row for row in found if row["explainer_id"] == explainer_id)
        original_id = own["publication__source_publication__explainer_id"]
    language = current.publication.document.get("language", "")
    public = {row["explainer_id"]: row for row in found if row["withdrawn_at"] is None}
    public[explainer_id] = {
        "explainer_id": explainer_id,
        "slug": current.slug,
        "language": language,
    }
    versions = _versions(public, original_id, explainer_id, request)
    original = public.get(original_id)
    if original is None:
        return LanguageVersions(versions=versions, changed_at=changed_at)
    note = None
    if source_id is not None:
        note = _outdated_note(found[0], language, original, source_id)
    return LanguageVersions(
        versions=versions,
        default_url=versions[0].url if versions else None,
        note=note,
        changed_at=changed_at,
    )


def _linked_rows(explainer_id: int, source_id: int | None) -> list[dict]:
    """The current publications linked to this explainer's, withdrawn ones included (their
    withdrawal changed this page): its translations; for a translation (`source_id`, the
    original's publication it was published from) also its original and that one's
    translations, itself among them, each row with the number and date of `source_id`."""
    rows = CurrentPublication.objects.all()
    found_by = Q(publication__source_publication__explainer_id=explainer_id)
    fields = [
        "explainer_id", "slug", "withdrawn_at", "changed_at", "publication__number",
        "publication__source_publication__explainer_id",
    ]  # fmt: skip
    if source_id is not None:
        translated = Publication.objects.filter(pk=source_id)
        original = translated.values("explainer_id")
        found_by |= Q(explainer_id__in=original)
        found_by |= Q(publication__source_publication__explainer_id__in=original)
        rows = rows.annotate(
            translated_number=Subquery(translated.values("number")),
            translated_at=Subquery(translated.values("published_at")),
        )
        fields += ["translated_number", "translated_at"]
    language = KeyTextTransform("language", "publication__document")
    return list(rows.filter(found_by).values(*fields, language=language).order_by())


def _versions(public: dict, original_id, shown_id, request) -> tuple[LanguageVersion, ...]:
    """The original first, then the translations by language; one per language."""
    ordered = sorted(
        public.values(),
        key=lambda row: (
            row["explainer_id"] != original_id,
            row["explainer_id"] != shown_id,
            row["language"] or "",
            row["slug"],
        ),
    )
    versions, languages = [], set()
    for row in ordered:
        language = row["language"] or ""
        if not language or language in languages:
            continue
        languages.add(language)
        path = reverse("explainers:detail", args=[row["slug"]])
        versions.append(
            LanguageVersion(
                language=language,
                name=_language_name(language),
                path=path,
                url=public_urls.absolute(path, request),
                is_shown=row["explainer_id"] == shown_id,
                is_original=row["explainer_id"] == original_id,
            )
        )
    if len(versions) < 2:
        return ()
    return tuple(sorted(versions, key=lambda v: (not v.is_original, v.language)))


def _outdated_note(row: dict, language: str, original: dict, source_id: int):
    """The note if the original has published what outdates a translation since the
    version this one was published from (explainers/domain/translations.py); a
    translation of the original's current version asks nothing more."""
    number, published_at = row["translated_number"], row["translated_at"]
    current_number = original["publication__number"]
    if number is None or current_number <= number:
        return None
    translated = Publication(pk=source_id, explainer_id=original["explainer_id"], number=number)
    if not newer_source_publications(translated).exists():
        return None
    return OutdatedNote(
        language=language,
        number=number,
        published_at=published_at,
        diff_path=reverse(
            "explainers:diff", args=[original["slug"], f"{number}..{current_number}"]
        ),
        original_language=original["language"] or "",
    )


def linked_explainers(explainer_id: int) -> set[int]:
    """Every explainer whose language versions may show this one, by any of its
    publications or theirs: its originals, their other translations, its translations
    (one query). For what a change to it makes stale elsewhere: purge and bake."""
    originals = Publication.objects.filter(
        explainer_id=explainer_id, source_publication__isnull=False
    ).values("source_publication__explainer_id")
    rows = (
        Publication.objects.filter(
            Q(source_publication__explainer_id=explainer_id)
            | Q(source_publication__explainer_id__in=originals)
            | Q(explainer_id__in=originals)
        )
        .order_by()
        .values_list("explainer_id", flat=True)
        .distinct()
    )
    return set(rows) - {explainer_id}


def _language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code

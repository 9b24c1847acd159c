"""Linked translations: an explainer that translates another (`Translation`), and when it
has fallen behind its original.

A translation corresponds to one publication of the original. It is outdated once the
original has published an update, a correction or a clarification after that one (the
kinds that tell readers something changed; a minor fix does not). The desk asks this of
the working copy's link, readers of the link their publication was published with.

The desk creates a translation from the original's current publication ("Übersetzung
anlegen"), and moves its link forward when the translator has caught up (`catch_up`);
publishing the translation records the link on its publication (publishing.py, _freeze).
docs/translations.md describes it for the desk.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from explainers.domain.importing import ImportRefused, import_document
from explainers.domain.publishing import KINDS_NEEDING_NOTE, public_slug_conflict
from explainers.domain.signals import desk_action
from explainers.models import CurrentPublication, Explainer, Publication, Translation

OUTDATING_KINDS = frozenset(KINDS_NEEDING_NOTE)
ADD_PERMISSION = "explainers.add_explainer"
CHANGE_PERMISSION = "explainers.change_explainer"
SLUG_ATTEMPTS = 20


class TranslationRefused(Exception):
    """A translation that cannot be created or moved on; the message is for the editor."""


def _outdating(explainer_id, number) -> QuerySet[Publication]:
    """The one rule: the original's publications after `number` that tell readers
    something changed."""
    return Publication.objects.filter(
        explainer_id=explainer_id, number__gt=number, kind__in=OUTDATING_KINDS
    )


def newer_source_publications(translated: Publication) -> QuerySet[Publication]:
    """The original's publications after `translated` that make a translation of it
    outdated, oldest first."""
    return _outdating(translated.explainer_id, translated.number).order_by("number")


def outdated_condition() -> Exists:
    """For explainer rows (ExplainerQuerySet.with_translation_state): the explainer is a
    translation whose link is outdated. False for anything that is no translation."""
    return Exists(
        _outdating(
            OuterRef("translation__source_id"), OuterRef("translation__source_publication__number")
        )
    )


def outdated(translation: Translation) -> bool:
    """Whether the desk's link of this translation is outdated."""
    return newer_source_publications(translation.source_publication).exists()


def content_language_name(code: str) -> str:
    return dict(settings.CONTENT_LANGUAGES).get(code, code)


def free_languages(source: Explainer) -> list[tuple[str, str]]:
    """The content languages `source` may still be translated into."""
    taken = {source.language, *source.translations.values_list("explainer__language", flat=True)}
    return [(code, name) for code, name in settings.CONTENT_LANGUAGES if code not in taken]


def create_translation(source: Explainer, language: str, user) -> Explainer:
    """ "Übersetzung anlegen": a new explainer in `language` holding the text of the
    original's current publication, with its question and source keys, to be translated
    in place; linked to that publication and recorded as its first revision by the
    importer's path (importing.py). Nothing of it is published."""
    if user is not None and not user.has_perm(ADD_PERMISSION):
        raise TranslationRefused(
            _("%(user)s darf keine Übersetzungen anlegen (Recht „Erklärstück hinzufügen“).")
            % {"user": user.get_username()}
        )
    offered = dict(settings.CONTENT_LANGUAGES)
    if language not in offered:
        raise TranslationRefused(
            _(
                "Die Sprache „%(code)s“ ist keine Inhaltssprache der Seite; möglich sind: "
                "%(offered)s."
            )
            % {"code": language, "offered": ", ".join(offered)}
        )
    with transaction.atomic():
        source = Explainer.objects.select_for_update().get(pk=source.pk)
        if Translation.objects.filter(explainer=source).exists():
            raise TranslationRefused(
                _("„%(headline)s“ ist selbst eine Übersetzung. Bitte vom Original aus übersetzen.")
                % {"headline": source.headline}
            )
        current = (
            CurrentPublication.objects.filter(explainer=source, withdrawn_at__isnull=True)
            .select_related("publication")
            .first()
        )
        if current is None:
            raise TranslationRefused(
                _(
                    "„%(headline)s“ ist nicht veröffentlicht: übersetzt wird eine "
                    "veröffentlichte Fassung."
                )
                % {"headline": source.headline}
            )
        if language == source.language:
            raise TranslationRefused(
                _("Das Original ist schon auf %(language)s.")
                % {"language": content_language_name(language)}
            )
        existing = source.translations.filter(explainer__language=language).first()
        if existing is not None:
            raise TranslationRefused(
                _("Es gibt schon eine Übersetzung auf %(language)s: „%(headline)s“.")
                % {
                    "language": content_language_name(language),
                    "headline": existing.explainer.headline,
                }
            )
        publication = current.publication
        document = _translation_document(publication.document, language)
        try:
            translation = import_document(
                document,
                user=user,
                comment=_("Übersetzung von „%(headline)s“ (Fassung v%(n)s) angelegt")
                % {"headline": source.headline, "n": publication.number},
            )
        except ImportRefused as error:
            raise TranslationRefused(str(error)) from error
        Translation.objects.create(
            explainer=translation, source=source, source_publication=publication
        )
    desk_action("translate", translation, user, source=source.pk, version=publication.number)
    return translation


def _translation_document(document: dict, language: str) -> dict:
    """The publication's document as the translation's first working copy: its own
    slug and language; recommendations only of explainers that still go by their slug."""
    related = set(
        Explainer.objects.filter(slug__in=document.get("related", [])).values_list(
            "slug", flat=True
        )
    )
    return {
        **document,
        "slug": _free_slug(document["slug"], language),
        "language": language,
        "related": [slug for slug in document.get("related", []) if slug in related],
    }


def _free_slug(slug: str, language: str) -> str:
    """ "<slug>-<language>", else with a number: one no explainer has nor had in public."""
    limit = Explainer._meta.get_field("slug").max_length
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        suffix = f"-{language}" if attempt == 1 else f"-{language}-{attempt}"
        candidate = f"{slug[: limit - len(suffix)].rstrip('-')}{suffix}"
        taken = Explainer.objects.filter(slug=candidate).exists()
        if not taken and public_slug_conflict(None, candidate) is None:
            return candidate
    raise TranslationRefused(
        _("Für die Übersetzung ist kein freier Kurzname zu finden. Bitte das Original umbenennen.")
    )


def catch_up(translation: Translation, publication: Publication, user) -> Translation:
    """The translator says the translation now matches `publication` of the original:
    only one of the original's, and only a later one than it matched so far."""
    if user is not None and not user.has_perm(CHANGE_PERMISSION):
        raise TranslationRefused(
            _("%(user)s darf keine Erklärstücke ändern.") % {"user": user.get_username()}
        )
    with transaction.atomic():
        link = (
            Translation.objects.select_for_update()
            .select_related("source_publication", "explainer")
            .get(pk=translation.pk)
        )
        if publication.explainer_id != link.source_id:
            raise TranslationRefused(_("Diese Fassung gehört nicht zum Original der Übersetzung."))
        if publication.number <= link.source_publication.number:
            raise TranslationRefused(
                _(
                    "Die Übersetzung entspricht schon Fassung v%(current)s; nur eine spätere "
                    "Fassung kann übernommen werden."
                )
                % {"current": link.source_publication.number}
            )
        link.source_publication = publication
        link.updated_at = timezone.now()
        link.save(update_fields=["source_publication", "updated_at"])
    desk_action("catch_up", link.explainer, user, version=publication.number)
    return link

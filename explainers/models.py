"""The working copy of explainers, and their frozen publications.

Models are the working copy (docs/architecture.md): editors save as often as they like, and every
save is one django-reversion revision of the whole explainer. Publications are
append-only and hold their own document, so readers never see the live rows.
"""

from __future__ import annotations

import datetime

import reversion
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from explainers.core.documents import (
    ANSWER_MAX,
    INTRO_MAX,
    KEY_PATTERN,
    NOTE_MAX,
    SOURCE_KINDS,
    TEASER_MAX,
    WEB_URL_SCHEMES,
)
from explainers.core.identifiers import SLUG_PATTERN

key_validator = RegexValidator(
    rf"^{KEY_PATTERN}\Z",
    _("Nur Kleinbuchstaben a–z, Ziffern und Bindestriche."),
)
http_url_validator = URLValidator(
    schemes=sorted(WEB_URL_SCHEMES),
    message=_("Nur Links mit http:// oder https:// sind erlaubt."),
)


def valid_slug(field: str) -> Q:
    """The database's check of a slug column (explainers/core/identifiers.py)."""
    return Q(**{f"{field}__regex": SLUG_PATTERN})


def valid_anchor(field: str) -> Q:
    """An anchor may be empty, and an admin save parks anchors it swaps on "~<pk>" for
    a moment (explainers/desk/forms.py, make_room)."""
    return valid_slug(field) | Q(**{field: ""}) | Q(**{f"{field}__regex": r"^~[0-9]+\Z"})


def user_field(verbose_name) -> models.ForeignKey:
    """Who did something (published, withdrew, handed in, commented …); the record stays
    when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def limited_text(verbose_name, limit: int, **options) -> models.TextField:
    """A text field with a length limit that forms, the importer (full_clean) and the
    model all check: TextField's max_length alone only reaches the form."""
    return models.TextField(
        verbose_name, max_length=limit, validators=[MaxLengthValidator(limit)], **options
    )


def stored_now() -> datetime.datetime:
    """Now, as the product stores time stamps: to the millisecond. Django's JSON serialiser
    (dumpdata, the documented backup) keeps milliseconds only, so finer stamps would come
    back different from a restore, and with them every page that shows them."""
    moment = timezone.now()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class ExplainerQuerySet(models.QuerySet):
    """Status follows from publications: an explainer never published is a draft."""

    def published(self) -> ExplainerQuerySet:
        return self.filter(current__isnull=False)

    def drafts(self) -> ExplainerQuerySet:
        return self.filter(current__isnull=True)

    def overdue(self, today=None) -> ExplainerQuerySet:
        """Review date passed, or a question's "gilt bis" date passed."""
        today = today or timezone.localdate()
        return self.filter(Q(review_by__lt=today) | Q(questions__valid_until__lt=today)).distinct()

    def recently_corrected(self, days: int = 14) -> ExplainerQuerySet:
        since = timezone.now() - datetime.timedelta(days=days)
        return self.filter(
            publications__kind=Publication.Kind.CORRECTION, publications__published_at__gte=since
        ).distinct()

    def with_latest_publication(self) -> ExplainerQuerySet:
        latest = Publication.objects.filter(explainer=OuterRef("pk")).order_by("-number")
        return self.annotate(
            latest_number=Max("publications__number"),
            latest_published_at=Subquery(latest.values("published_at")[:1]),
            latest_content_hash=Subquery(latest.values("content_hash")[:1]),
        )

    def with_unpublished_changes(self) -> ExplainerQuerySet:
        """Published explainers whose working copy differs from their latest publication
        (`Explainer.has_unpublished_changes` says the same of one loaded explainer)."""
        annotated = (
            self
            if "latest_content_hash" in self.query.annotations
            else self.with_latest_publication()
        )
        return annotated.filter(latest_number__isnull=False).filter(
            ~Q(content_hash=F("latest_content_hash"))
        )

    def language_family(self, explainer: Explainer) -> ExplainerQuerySet:
        """The other language versions of `explainer`: its original and the original's
        other translations, or its own translations (one query)."""
        originals = Translation.objects.filter(explainer=explainer).values("source_id")
        return self.filter(
            Q(pk__in=originals)
            | Q(translation__source_id__in=originals)
            | Q(translation__source_id=explainer.pk)
        ).exclude(pk=explainer.pk)

    def with_translation_state(self) -> ExplainerQuerySet:
        """Each row with its translation link, if any: the original's id and headline, the
        version it corresponds to, and `translation_outdated` (the rule lives in
        explainers/domain/translations.py, which imports this module)."""
        from explainers.domain.translations import outdated_condition

        return self.annotate(
            translation_source_id=F("translation__source_id"),
            translation_source_headline=F("translation__source__headline"),
            translated_number=F("translation__source_publication__number"),
            translation_outdated=outdated_condition(),
        )


class Explainer(models.Model):
    headline = models.CharField(_("Überschrift"), max_length=200)
    slug = models.SlugField(
        _("Kurzname (URL)"),
        max_length=120,
        unique=True,
        help_text=_(
            "Teil der Adresse, z. B. „sicherheitsgarantien-ukraine“. Leser sehen eine "
            "Änderung erst mit der nächsten Veröffentlichung."
        ),
    )
    kicker = models.CharField(
        _("Dachzeile"), max_length=100, blank=True, help_text=_("Thema, z. B. „Ukraine-Krieg“.")
    )
    teaser = limited_text(
        _("Teaser"),
        TEASER_MAX,
        help_text=_("Ein bis zwei Sätze, die sagen, worum es geht."),
    )
    intro = limited_text(
        _("Einleitung"),
        INTRO_MAX,
        blank=True,
        help_text=_("Ein oder mehrere Absätze, getrennt durch eine Leerzeile."),
    )
    language = models.CharField(
        _("Sprache"), max_length=8, choices=settings.CONTENT_LANGUAGES, default="de"
    )
    byline = models.CharField(
        _("Autorinnen und Autoren"),
        max_length=200,
        blank=True,
        help_text=_("Wie sie über dem Text stehen, z. B. „Anna Schmidt, Jonas Weber“."),
    )
    image = models.ImageField(
        _("Aufmacherbild"),
        upload_to="explainers/%Y/%m/",
        blank=True,
        help_text=_("Ein neues Bild ersetzt keine Datei: ältere Fassungen zeigen weiter ihr Bild."),
    )
    image_alt = models.CharField(
        _("Alternativtext"),
        max_length=300,
        blank=True,
        help_text=_("Beschreibt das Bild für Menschen, die es nicht sehen. Pflicht mit Bild."),
    )
    image_caption = models.CharField(_("Bildunterschrift"), max_length=300, blank=True)
    image_credit = models.CharField(_("Bildrechte"), max_length=200, blank=True)
    review_by = models.DateField(
        _("Prüfen bis"),
        null=True,
        blank=True,
        help_text=_("Bis wann die Redaktion das Stück wieder prüfen muss."),
    )
    # Both timestamps and the hash are versioned: reversion writes stored rows back
    # without calling save(), and the revert function re-stamps them afterwards.
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("zuletzt geändert"), default=timezone.now, editable=False)
    content_hash = models.CharField(
        _("Inhalts-Prüfsumme"), max_length=64, blank=True, editable=False
    )
    # Workflow state, not content: not versioned, so a revert does not bring back an old
    # request (reversion writes it as empty). Set and cleared with a message (HandOff).
    ready_for_review = models.BooleanField(
        _("zur Abnahme"),
        default=False,
        editable=False,
        help_text=_("Die Redaktion bittet den Chef vom Dienst, das Stück abzunehmen."),
    )

    objects = ExplainerQuerySet.as_manager()

    class Meta:
        verbose_name = _("Erklärstück")
        verbose_name_plural = _("Erklärstücke")
        ordering = ["-updated_at"]
        permissions = [("publish_explainer", _("Kann Erklärstücke veröffentlichen"))]
        constraints = [
            models.CheckConstraint(condition=valid_slug("slug"), name="explainer_slug_valid"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs):
        """A stored explainer is saved without `ready_for_review`: the hand-off writes it
        itself (explainers/domain/hand_off.py), so a form, an import or a revert working on
        an instance read before someone handed it in never undoes that."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "ready_for_review"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:explainers_explainer_change", args=[self.pk])

    def is_published(self) -> bool:
        return CurrentPublication.objects.filter(explainer=self).exists()

    @staticmethod
    def differs_from_publication(content_hash: str, latest_content_hash: str | None) -> bool:
        """The rule of `with_unpublished_changes()` for one row's two hashes (the latest
        publication's is None before the first one)."""
        return latest_content_hash is not None and content_hash != latest_content_hash

    @property
    def has_unpublished_changes(self) -> bool:
        """For an explainer loaded through `with_latest_publication()`."""
        return self.differs_from_publication(self.content_hash, self.latest_content_hash)

    def latest_publication(self) -> Publication | None:
        return self.publications.order_by("-number").first()


class Question(models.Model):
    explainer = models.ForeignKey(
        Explainer, on_delete=models.CASCADE, related_name="questions", verbose_name=_("Erklärstück")
    )
    position = models.PositiveIntegerField(_("Position"), default=0)
    key = models.CharField(
        _("Schlüssel"),
        max_length=40,
        validators=[key_validator],
        editable=False,
        help_text=_("Bleibt über alle Fassungen gleich; so werden Versionen verglichen."),
    )
    anchor = models.SlugField(
        _("Sprungmarke"),
        max_length=120,
        blank=True,
        help_text=_("Teil der Adresse zur Frage (#…). Leer lassen: wird aus der Frage gebildet."),
    )
    question = models.CharField(_("Frage"), max_length=300)
    answer = limited_text(
        _("Antwort"),
        ANSWER_MAX,
        help_text=_(
            "Absätze durch Leerzeilen trennen; *kursiv*, **fett**, [Link](https://…), "
            "Listen mit „- “, Zitate mit „> “. Quellen mit [^schlüssel] belegen."
        ),
    )
    valid_until = models.DateField(
        _("gilt bis"),
        null=True,
        blank=True,
        help_text=_("Für Antworten, die an ein Ereignis gebunden sind (z. B. ein Gipfeltreffen)."),
    )
    valid_until_note = models.CharField(
        _("Anlass"),
        max_length=200,
        blank=True,
        help_text=_("Woran die Antwort hängt, z. B. „bis zum Treffen in Washington“."),
    )
    extra_cites = models.CharField(
        _("weitere Quellen"),
        max_length=500,
        blank=True,
        help_text=_(
            "Schlüssel von Quellen, die die Antwort nennt, ohne Marker, durch Komma getrennt."
        ),
    )

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["explainer", "position"], name="question_position_unique"
            ),
            models.UniqueConstraint(fields=["explainer", "key"], name="question_key_unique"),
            models.UniqueConstraint(fields=["explainer", "anchor"], name="question_anchor_unique"),
            models.CheckConstraint(condition=valid_anchor("anchor"), name="question_anchor_valid"),
        ]

    def __str__(self) -> str:
        return self.question


class Source(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Artikel")
        INTERVIEW = "interview", _("Interview")
        PRESS_CONFERENCE = "press_conference", _("Pressekonferenz")
        PRINT = "print", _("Print/Newsletter")
        BROADCAST = "broadcast", _("Sendung")
        DOCUMENT = "document", _("Dokument")
        OTHER = "other", _("Sonstiges")

    explainer = models.ForeignKey(
        Explainer, on_delete=models.CASCADE, related_name="sources", verbose_name=_("Erklärstück")
    )
    position = models.PositiveIntegerField(_("Position"), default=0)
    key = models.CharField(
        _("Schlüssel"),
        max_length=40,
        validators=[key_validator],
        help_text=_("Kurz, z. B. „dlf“; in Antworten als [^dlf] zitiert."),
    )
    label = models.CharField(_("Titel"), max_length=300)
    publisher = models.CharField(
        _("Medium/Herausgeber"), max_length=200, blank=True, help_text=_("z. B. tagesschau.de")
    )
    url = models.URLField(_("Link"), max_length=500, blank=True, validators=[http_url_validator])
    date = models.DateField(_("Datum"), null=True, blank=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.ARTICLE)

    class Meta:
        verbose_name = _("Quelle")
        verbose_name_plural = _("Verwendete Quellen")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["explainer", "key"], name="source_key_unique"),
            models.UniqueConstraint(
                fields=["explainer", "position"], name="source_position_unique"
            ),
            models.CheckConstraint(condition=Q(kind__in=SOURCE_KINDS), name="source_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.label}" if self.publisher else self.label


class Citation(models.Model):
    """A question citing a source; kept in step with the markers and the hand-set keys.

    It carries the explainer so the revision follows citations flat from the explainer
    (one query per save, not one per question).
    """

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="citations")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="citations")

    class Meta:
        verbose_name = _("Beleg")
        verbose_name_plural = _("Belege")
        constraints = [
            models.UniqueConstraint(fields=["question", "source"], name="citation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} → {self.source_id}"


class RelatedLink(models.Model):
    """ "Empfehlungen der Redaktion": related explainers in the editor's order."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="related_links")
    # PROTECT: deleting a recommended draft would change other explainers silently.
    target = models.ForeignKey(
        Explainer,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Erklärstück"),
    )
    position = models.PositiveIntegerField(_("Position"), default=0)

    class Meta:
        verbose_name = _("Empfehlung der Redaktion")
        verbose_name_plural = _("Empfehlungen der Redaktion")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["explainer", "target"], name="related_unique"),
            models.UniqueConstraint(
                fields=["explainer", "position"], name="related_position_unique"
            ),
            models.CheckConstraint(
                condition=~Q(explainer=models.F("target")), name="related_not_self"
            ),
        ]

    def __str__(self) -> str:
        return str(self.target)


class PublicationQuerySet(models.QuerySet):
    def listing(self) -> PublicationQuerySet:
        """Without the heavy columns: for version lists and feeds."""
        return self.defer(
            "document", "rendered_answers", "question_changes", "change_log", "article_bodies"
        )


class Publication(models.Model):
    """One public version: append-only, frozen, with its own document."""

    class Kind(models.TextChoices):
        FIRST = "first", _("Erstveröffentlichung")
        UPDATE = "update", _("Aktualisierung")
        CORRECTION = "correction", _("Korrektur")
        CLARIFICATION = "clarification", _("Klarstellung")
        MINOR = "minor", _("Kleine Korrektur")

    explainer = models.ForeignKey(
        Explainer,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("Erklärstück"),
    )
    number = models.PositiveIntegerField(_("Fassung"))
    revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Revision"),
    )
    document = models.JSONField(_("Dokument"))
    content_hash = models.CharField(_("Inhalts-Prüfsumme"), max_length=64)
    byline = models.CharField(_("Autorinnen und Autoren"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("veröffentlicht am"), default=timezone.now)
    stand_at = models.DateTimeField(
        _("Stand"), help_text=_("Eine kleine Korrektur verschiebt den Stand nicht.")
    )
    published_by = user_field(_("veröffentlicht von"))
    kind = models.CharField(_("Art der Änderung"), max_length=20, choices=Kind.choices)
    note = limited_text(
        _("Hinweis für Leser"),
        NOTE_MAX,
        blank=True,
    )
    internal_note = limited_text(
        _("interne Notiz"),
        NOTE_MAX,
        blank=True,
    )
    # Precomputed once, so reader pages never rebuild or diff old documents.
    rendered_answers = models.JSONField(_("gerenderte Antworten"), default=dict)
    change_summary = models.JSONField(_("Änderungen zur vorigen Fassung"), null=True, blank=True)
    question_changes = models.JSONField(
        _("letzte Änderung je Frage"),
        default=dict,
        help_text=_("Je Frage: Fassung und Zeitpunkt der letzten inhaltlichen Änderung."),
    )
    slug = models.SlugField(_("Kurzname (URL)"), max_length=120, db_index=True)
    first_published_at = models.DateTimeField(_("Erstveröffentlichung"))
    change_log = models.JSONField(
        _("Änderungshinweise"),
        default=list,
        help_text=_("Die öffentlichen Hinweise bis zu dieser Fassung, neueste zuerst."),
    )
    redaction_generation = models.PositiveIntegerField(
        _("Schwärzungsstand"),
        default=0,
        help_text=_("Zählt rechtliche Schwärzungen; erneuert gespeicherte Seiten."),
    )
    # The article as HTML per UI language, with what it was rendered from: {"de": {"html",
    # "release", "slug", "generation"}} (explainers/reader/article_bodies.py). A redaction
    # empties it in its transaction.
    article_bodies = models.JSONField(_("gerenderte Artikel"), default=dict, editable=False)
    # How its pages are typeset (explainers/core/typography.py): 0 as typed with sources in
    # stored order, as every publication before it; publishing sets the current one.
    typesetting = models.PositiveSmallIntegerField(_("Satz"), default=0, editable=False)
    # A translation's publication: the original's publication it was translated from,
    # as the desk said when it was published (explainers/models.py Translation).
    source_publication = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("übersetzt aus Fassung"),
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Veröffentlichung")
        verbose_name_plural = _("Veröffentlichungen")
        ordering = ["explainer", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["explainer", "number"], name="publication_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="publication_number_positive"),
            models.CheckConstraint(condition=valid_slug("slug"), name="publication_slug_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("explainers:version", args=[self.slug, self.number])

    @property
    def is_correction(self) -> bool:
        return self.kind == self.Kind.CORRECTION


class CurrentPublication(models.Model):
    """What readers see of one explainer: its latest publication, under its public slug.

    Publishing moves this pointer; the explainer's working copy (and its slug) may hold
    unpublished edits and is never read by reader pages.
    """

    explainer = models.OneToOneField(
        Explainer, on_delete=models.PROTECT, primary_key=True, related_name="current"
    )
    publication = models.OneToOneField(Publication, on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(_("öffentlicher Kurzname"), max_length=120, unique=True)
    stand_at = models.DateTimeField(_("Stand"), db_index=True)
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)
    withdrawn_note = limited_text(
        _("Hinweis zum Zurückziehen"),
        NOTE_MAX,
        blank=True,
        help_text=_("Lesen alle, die das Erklärstück aufrufen (Status 410)."),
    )
    withdrawn_by = user_field(_("zurückgezogen von"))
    # When readers' pages of this explainer last changed (publication, withdrawal,
    # redaction, repair): whole seconds, strictly later than any earlier change on the
    # site, so Last-Modified moves with every change and never back (reader_changes.py).
    changed_at = models.DateTimeField(_("zuletzt geändert für Leser"), db_index=True)

    class Meta:
        verbose_name = _("aktuelle Veröffentlichung")
        verbose_name_plural = _("aktuelle Veröffentlichungen")
        constraints = [
            models.CheckConstraint(condition=valid_slug("slug"), name="current_slug_valid"),
        ]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("explainers:detail", args=[self.slug])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Translation(models.Model):
    """An explainer that is a translation of another (its original): which publication
    of the original it corresponds to. Moved on when the translation has caught up with
    a later publication. The desk's link, not content: not versioned, so a revert keeps
    it; deleting the original leaves the translation standing on its own."""

    explainer = models.OneToOneField(
        Explainer,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="translation",
        verbose_name=_("Übersetzung"),
    )
    source = models.ForeignKey(
        Explainer,
        on_delete=models.CASCADE,
        related_name="translations",
        verbose_name=_("Original"),
    )
    source_publication = models.ForeignKey(
        Publication,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("übersetzte Fassung des Originals"),
    )
    updated_at = models.DateTimeField(_("zuletzt abgeglichen"), default=timezone.now)

    class Meta:
        verbose_name = _("Übersetzung")
        verbose_name_plural = _("Übersetzungen")
        constraints = [
            models.CheckConstraint(
                condition=~Q(explainer=F("source")), name="translation_not_of_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.explainer} ← {self.source}"


class SearchEntry(models.Model):
    """Searchable text of the current publications: one row per question, one for the
    head (headline, teaser, intro). Rebuilt for an explainer whenever it is published."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=120)
    headline = models.CharField(max_length=200)
    language = models.CharField(max_length=8, default="de")
    position = models.PositiveIntegerField(default=0)
    anchor = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField()

    class Meta:
        ordering = ["explainer", "position"]
        verbose_name = _("Suchindex-Eintrag")
        verbose_name_plural = _("Suchindex")

    def __str__(self) -> str:
        return self.title


# One revision is the whole explainer: reversion stores the explainer's row as its
# version, and the child rows together in one RevisionRows beside it. Revisions recorded
# before that stored each child as a version of its own, which is why the children stay
# registered (explainers/domain/builders.py reads both).
reversion.register(Explainer, exclude=["ready_for_review"])
reversion.register(Question)
reversion.register(Source)
reversion.register(Citation)
reversion.register(RelatedLink)


class HandOff(models.Model):
    """One step of the hand-off between the writers and the desk, with its message: an
    explainer handed in for sign-off ("Zur Abnahme"), or sent back ("Zurück an die
    Redaktion"). `Explainer.ready_for_review` is the state; these rows say who, when and
    why. Set and cleared only by the hand-off's own buttons and by publishing
    (explainers/domain/hand_off.py), never by a change-form save; never shown to readers."""

    class Kind(models.TextChoices):
        HANDED_IN = "handed_in", _("zur Abnahme vorgelegt")
        SENT_BACK = "sent_back", _("zurück an die Redaktion")

    explainer = models.ForeignKey(
        Explainer,
        on_delete=models.CASCADE,
        related_name="hand_offs",
        verbose_name=_("Erklärstück"),
    )
    kind = models.CharField(_("Art"), max_length=12, choices=Kind.choices)
    message = limited_text(_("Nachricht"), NOTE_MAX, blank=True)
    by = user_field(_("von"))
    at = models.DateTimeField(_("am"), default=stored_now)

    class Meta:
        verbose_name = _("Übergabe")
        verbose_name_plural = _("Übergaben")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["explainer", "-at"], name="hand_off_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.explainer_id}"


class Comment(models.Model):
    """A note of the desk or a writer on one question of the working copy (by its key) or on
    the whole piece (no key), as Wagtail's field comments: shown on the change page to
    everyone who may open it, resolved when done, never shown to readers, feeds or exports.
    `question_digest` is the question as it read when commented on, to say it changed since."""

    explainer = models.ForeignKey(
        Explainer,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("Erklärstück"),
    )
    question_key = models.CharField(_("Frage"), max_length=80, blank=True)
    question_digest = models.CharField(max_length=64, blank=True, editable=False)
    text = limited_text(_("Kommentar"), NOTE_MAX)
    author = user_field(_("von"))
    created_at = models.DateTimeField(_("am"), default=stored_now)
    resolved_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    resolved_by = user_field(_("erledigt von"))

    class Meta:
        verbose_name = _("Kommentar")
        verbose_name_plural = _("Kommentare")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.explainer_id}: {self.text[:40]}"


class Draft(models.Model):
    """What one user had typed in the change form and not saved, stored every few seconds
    of inactivity (autosave): the posted fields as (name, value) pairs, and the revision the
    form was opened on, so that saving a restored draft merges against it. Not a revision:
    readers, history, exports and feeds never see it (explainers/domain/drafts.py)."""

    explainer = models.ForeignKey(
        Explainer, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("Erklärstück")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("von"),
    )
    base_revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geöffnet auf Revision"),
    )
    fields = models.JSONField(_("Formularfelder"), default=list)
    saved_at = models.DateTimeField(_("gespeichert am"), default=stored_now)

    class Meta:
        verbose_name = _("Entwurf")
        verbose_name_plural = _("Entwürfe")
        constraints = [
            models.UniqueConstraint(fields=["explainer", "user"], name="one_draft_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.explainer_id}: {self.user_id}"


class AdminPreference(models.Model):
    """A desk user's own settings: the admin's language, applied at login
    (explainers/desk/admin_language.py). Reader pages never follow it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="admin_preference",
        verbose_name=_("Benutzer"),
    )
    language = models.CharField(
        _("Sprache der Verwaltung"), max_length=10, choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("Einstellung der Verwaltung")
        verbose_name_plural = _("Einstellungen der Verwaltung")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class ScheduledPublication(models.Model):
    """A publication planned for later (embargo): revision, kind and notes are frozen
    when it is scheduled, so later edits to the working copy do not slip in."""

    class Status(models.TextChoices):
        PENDING = "pending", _("geplant")
        PUBLISHED = "published", _("veröffentlicht")
        SKIPPED = "skipped", _("übersprungen")
        CANCELLED = "cancelled", _("abgesagt")

    explainer = models.ForeignKey(
        Explainer,
        on_delete=models.CASCADE,
        related_name="schedules",
        verbose_name=_("Erklärstück"),
    )
    # PROTECT: pruning old revisions must never remove one that is still to be published.
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.PROTECT, related_name="+", verbose_name=_("Revision")
    )
    # a translation's: the original's publication its frozen text corresponds to
    source_publication = models.ForeignKey(
        "Publication",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("übersetzt aus Fassung"),
    )
    publish_at = models.DateTimeField(_("veröffentlichen am"), db_index=True)
    kind = models.CharField(_("Art der Änderung"), max_length=20, choices=Publication.Kind.choices)
    note = limited_text(
        _("Hinweis für Leser"),
        NOTE_MAX,
        blank=True,
    )
    internal_note = limited_text(
        _("interne Notiz"),
        NOTE_MAX,
        blank=True,
    )
    created_at = models.DateTimeField(_("geplant am"), default=timezone.now)
    created_by = user_field(_("geplant von"))
    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("Begründung"), blank=True)
    processed_at = models.DateTimeField(_("bearbeitet am"), null=True, blank=True)
    publication = models.ForeignKey(
        Publication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Veröffentlichung"),
    )

    class Meta:
        verbose_name = _("geplante Veröffentlichung")
        verbose_name_plural = _("geplante Veröffentlichungen")
        ordering = ["publish_at", "pk"]

    def __str__(self) -> str:
        return f"{self.explainer} @ {self.publish_at:%Y-%m-%d %H:%M}"


class Redaction(models.Model):
    """The record of a legal redaction: who, when and why — never the passage itself."""

    explainer = models.ForeignKey(
        Explainer,
        on_delete=models.PROTECT,
        related_name="redactions",
        verbose_name=_("Erklärstück"),
    )
    redacted_at = models.DateTimeField(_("geschwärzt am"), default=timezone.now)
    redacted_by = user_field(_("geschwärzt von"))
    reason = models.TextField(_("Begründung"))
    replacements = models.PositiveIntegerField(_("ersetzte Stellen"), default=0)
    places = models.JSONField(
        _("ersetzt in"),
        default=dict,
        blank=True,
        help_text=_("Wie viele Stellen wo ersetzt wurden – ohne die Stelle selbst."),
    )
    fingerprint = models.JSONField(
        _("Fingerabdruck"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Prüfwert der Stelle, ohne ihren Text: hält sie aus späteren Fassungen fern."),
    )

    class Meta:
        verbose_name = _("Schwärzung")
        verbose_name_plural = _("Schwärzungen")
        ordering = ["-redacted_at"]

    def __str__(self) -> str:
        return f"{self.explainer} – {self.redacted_at:%Y-%m-%d}"


class RedactedSlug(models.Model):
    """A public slug a redaction took away: its address answers 410. Only a keyed digest
    of the slug is stored, so the table does not hold the passage."""

    digest = models.CharField(_("Prüfwert"), max_length=64, unique=True)
    redaction = models.ForeignKey(
        Redaction, on_delete=models.CASCADE, related_name="+", verbose_name=_("Schwärzung")
    )

    class Meta:
        verbose_name = _("geschwärzter Kurzname")
        verbose_name_plural = _("geschwärzte Kurznamen")

    def __str__(self) -> str:
        return self.digest[:12]


class RevisionRows(models.Model):
    """The explainer's child rows as a revision recorded them: questions, sources,
    citations and related links, serialised as reversion serialises a version (model,
    pk, fields), all in one row (reversion's `add_meta`) rather than one version each."""

    revision = models.OneToOneField(
        "reversion.Revision",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="explainer_rows",
    )
    explainer = models.ForeignKey(
        Explainer, on_delete=models.CASCADE, related_name="+", verbose_name=_("Erklärstück")
    )
    rows = models.JSONField(_("Zeilen"), default=list, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("Revisionszeilen")
        verbose_name_plural = _("Revisionszeilen")

    def __str__(self) -> str:
        return f"{self.explainer_id}/{self.revision_id}"


class RevisionNumber(models.Model):
    """The number people see for a revision: 1, 2, 3 … within one explainer.

    Stored when the revision is recorded (reversion's `add_meta`), taken under the
    explainer's row lock, so pruning older revisions never renumbers the rest.
    """

    revision = models.OneToOneField(
        "reversion.Revision",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="explainer_number",
    )
    explainer = models.ForeignKey(
        Explainer, on_delete=models.CASCADE, related_name="+", verbose_name=_("Erklärstück")
    )
    number = models.PositiveIntegerField(_("Revision"))

    class Meta:
        verbose_name = _("Revisionsnummer")
        verbose_name_plural = _("Revisionsnummern")
        constraints = [
            models.UniqueConstraint(fields=["explainer", "number"], name="revision_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.explainer_id} #{self.number}"


class ApiToken(models.Model):
    """A user's key to the ingest API (docs/api.md), acting with that user's permissions.

    Only the SHA-256 of the secret is stored (explainers/domain/api_tokens.py), so neither
    the database nor a backup holds a usable key; the secret is shown once, when it is made.
    Revoking keeps the row, so who made it, who revoked it and when stays on record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("Benutzer"),
    )
    name = models.CharField(_("Wofür"), max_length=100)
    digest = models.CharField(_("Prüfwert"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("Anfang"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("angelegt am"), default=stored_now, editable=False)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    revoked_by = user_field(_("widerrufen von"))

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

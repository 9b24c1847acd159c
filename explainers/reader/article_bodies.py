"""The article of a publication, rendered once and stored with it (`Publication.article_bodies`).

A publication never changes but through a redaction, so its article (questions, answers,
sources, change notes) is rendered when it is published, in another UI language the first
time a reader asks for it, and again by `manage.py rerender` after a deploy. A stored body
is shown only while the release, the redaction generation, the public slug (its links
name the versions page) and the media's place it was rendered with still hold; otherwise
the page renders the article as before and stores the result. The head (canonical link,
host, current slug) is rendered on every request.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Func, JSONField
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from explainers.models import CurrentPublication, Publication
from explainers.reader.presenting import change_log, present_publication

logger = logging.getLogger(__name__)

CHUNK = 200


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _holds(entry: dict | None, publication: Publication, public_slug: str) -> bool:
    return (
        entry is not None
        and entry.get("release") == settings.RELEASE
        and entry.get("generation") == publication.redaction_generation
        and entry.get("slug") == public_slug
        and entry.get("media") == media_place()
    )


def media_place() -> str:
    """Where the article's images are served from, as a short digest: moving media (to
    object storage, another host: newsroom/media_storage.py) makes stored articles, whose
    image URLs point at the old place, render again."""
    return _media_digest(repr(settings.STORAGES.get("default")) + settings.MEDIA_URL)


@functools.lru_cache(maxsize=8)
def _media_digest(configuration: str) -> str:
    return hashlib.sha256(configuration.encode()).hexdigest()[:12]


def stored(publication: Publication, public_slug: str, language: str | None = None) -> str | None:
    """The stored article in `language` (the active one) if it still holds, else None."""
    entry = publication.article_bodies.get(language or _language())
    return entry["html"] if _holds(entry, publication, public_slug) else None


def render(publication: Publication, public_slug: str) -> str:
    """The article as the page shows it, in the active UI language."""
    context = {
        "public_slug": public_slug,
        "publication": publication,
        "document": present_publication(publication),
        "changes": change_log(publication),
    }
    return render_to_string("explainers/_article.html", context)


def article_html(publication: Publication, public_slug: str) -> SafeString:
    """The stored article when it still holds, else the article rendered now and stored for
    the next reader."""
    html = stored(publication, public_slug)
    if html is None:
        html = render(publication, public_slug)
        store(publication, public_slug, html, _language())
    return mark_safe(html)  # noqa: S308 - rendered by our templates  # nosec B308 B703


def store(publication: Publication, public_slug: str, html: str, language: str) -> None:
    """Keep the article beside the others of the publication. Only if the publication's
    redaction generation is still the one it was rendered from: a redaction that committed
    meanwhile must not get its passage back. A body that cannot be stored (a busy or
    read-only database) is only logged: the reader has the page anyway."""
    bodies = {
        **publication.article_bodies,
        language: {
            "html": html,
            "release": settings.RELEASE,
            "generation": publication.redaction_generation,
            "slug": public_slug,
            "media": media_place(),
        },
    }
    try:
        with transaction.atomic():
            Publication.objects.filter(
                pk=publication.pk, redaction_generation=publication.redaction_generation
            ).update(article_bodies=bodies)
    except DatabaseError:
        logger.warning("article of %s not stored", publication, exc_info=True)
    else:
        publication.article_bodies = bodies


def render_current(explainer_id: int, language: str) -> None:
    """Render and store the current publication's article of a public explainer."""
    current = (
        CurrentPublication.objects.select_related("publication")
        .filter(explainer_id=explainer_id, withdrawn_at__isnull=True)
        .first()
    )
    if current is not None:
        render_stored(current.publication, language, current.slug)


def render_stored(publication: Publication, language: str, public_slug: str = "") -> None:
    """Render the publication's article in `language` and store it; a new publication's
    public slug is its own."""
    public_slug = public_slug or publication.slug
    with translation.override(language):
        html = render(publication, public_slug)
    store(publication, public_slug, html, language)


def rerender(*, everything: bool = False, languages: Iterable[str] | None = None) -> int:
    """Render the stored articles of all public explainers' publications again: those of
    an older release, a former slug or an earlier redaction generation, or all of them
    (`everything`). Languages: the site's and every language an article is stored in,
    unless given. Returns how many articles were rendered."""
    slugs = dict(
        CurrentPublication.objects.filter(withdrawn_at__isnull=True).values_list(
            "explainer_id", "slug"
        )
    )
    publications = Publication.objects.filter(explainer_id__in=slugs).order_by("pk")
    if languages is None:
        # before the first render: a language stored only on a later publication is also
        # rendered for the earlier ones
        stored_languages = publications.values_list(_StoredLanguages("article_bodies"), flat=True)
        languages = {settings.LANGUAGE_CODE}.union(
            *(keys for keys in stored_languages.iterator(CHUNK) if keys)
        )
    count = 0
    for publication in publications.iterator(chunk_size=CHUNK):
        slug = slugs[publication.explainer_id]
        for language in sorted(languages):
            if everything or stored(publication, slug, language) is None:
                with translation.override(language):
                    html = render(publication, slug)
                store(publication, slug, html, language)
                count += 1
    return count


class _StoredLanguages(Func):
    """The languages a publication's article is stored in: on SQLite and PostgreSQL the
    keys of `article_bodies`, listed by the database, so the stored bodies are neither sent
    nor decoded here (`rerender` decodes each once, when it renders); elsewhere the bodies
    themselves, whose keys are the same languages."""

    template = "%(expressions)s"
    arity = 1
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(SELECT json_group_array(key) FROM json_each(%(expressions)s))"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "(SELECT jsonb_agg(code) FROM jsonb_object_keys(%(expressions)s) AS code)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

"""The article of a publication, rendered once and stored (ArticleBody).

A publication never changes but through a redaction, so its article (questions, answers,
sources, change notes) is rendered when it is published, in each UI language the first
time a reader asks for it, and again by `manage.py rerender` after a deploy. A stored body
is used only while the release, the redaction generation and the public slug it was
rendered with still hold; otherwise the page renders it as before and stores the result.
The head (canonical link, host, current slug) is rendered on every request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from explainers.models import ArticleBody, CurrentPublication, Publication
from explainers.reader.presenting import change_log, present_publication

logger = logging.getLogger(__name__)

BATCH = 200


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def stored_body(publication_ref: str, slug: str | OuterRef) -> Subquery:
    """An annotation: the stored body of the publication at `publication_ref` of the outer
    query that still holds for this release, UI language and public `slug`, or NULL; a page
    reads its publication and its body in one query."""
    prefix = "" if publication_ref == "pk" else f"{publication_ref}__"
    return Subquery(_holding(publication_ref, prefix, slug, _language()).values("html")[:1])


def _holding(publication_ref: str, prefix: str, slug: str | OuterRef, language: str):
    return ArticleBody.objects.filter(
        publication=OuterRef(publication_ref),
        language=language,
        release=settings.RELEASE,
        redaction_generation=OuterRef(f"{prefix}redaction_generation"),
        public_slug=slug,
    )


def render(publication: Publication, public_slug: str) -> str:
    """The article as the page shows it, in the active UI language."""
    context = {
        "public_slug": public_slug,
        "publication": publication,
        "document": present_publication(publication),
        "changes": change_log(publication),
    }
    return render_to_string("explainers/_article.html", context)


def article_html(publication: Publication, public_slug: str, stored: str | None) -> SafeString:
    """The stored body when it still holds (`stored` comes from the `stored_body`
    annotation), else the article rendered now and stored for the next reader."""
    if stored is not None:
        return mark_safe(stored)  # noqa: S308 - rendered by our templates  # nosec B308 B703
    html = render(publication, public_slug)
    store([(publication, public_slug, html)], _language())
    return mark_safe(html)  # noqa: S308 - rendered by our templates  # nosec B308 B703


def store(rendered: Iterable[tuple[Publication, str, str]], language: str) -> None:
    """Keep bodies, one per publication and UI language, replacing an older one. A body
    that cannot be stored (a busy or read-only database) is only logged: the reader has
    the page anyway."""
    rows = [
        ArticleBody(
            publication=publication,
            language=language,
            release=settings.RELEASE,
            public_slug=public_slug,
            redaction_generation=publication.redaction_generation,
            html=html,
        )
        for publication, public_slug, html in rendered
    ]
    try:
        with transaction.atomic():
            ArticleBody.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["publication", "language"],
                update_fields=[
                    "release",
                    "public_slug",
                    "redaction_generation",
                    "html",
                    "rendered_at",
                ],  # fmt: skip
            )
    except DatabaseError:
        logger.warning("article bodies not stored", exc_info=True)


def render_explainer(explainer_id: int, languages: Iterable[str] | None = None) -> int:
    """Render and store the bodies of every publication of a public explainer (after a
    publication, a redaction or a repair); returns how many were stored."""
    current = CurrentPublication.objects.filter(
        explainer_id=explainer_id, withdrawn_at__isnull=True
    ).first()
    if current is None:
        return 0
    publications = Publication.objects.filter(explainer_id=explainer_id)
    return _render_all(publications, {explainer_id: current.slug}, languages)


def rerender(*, everything: bool = False, languages: Iterable[str] | None = None) -> int:
    """Render the stored bodies of all public explainers' publications again: those of an
    older release, a former slug or an earlier redaction generation, or all of them
    (`everything`). Languages: the site's language and every language a body is stored in,
    unless given."""
    slugs = dict(
        CurrentPublication.objects.filter(withdrawn_at__isnull=True).values_list(
            "explainer_id", "slug"
        )
    )
    publications = Publication.objects.filter(explainer_id__in=slugs)
    if languages is None:
        stored = ArticleBody.objects.values_list("language", flat=True).distinct()
        languages = sorted({settings.LANGUAGE_CODE, *stored})
    return _render_all(publications, slugs, languages, only_stale=not everything)


def _render_all(publications, slugs: dict[int, str], languages, *, only_stale=False) -> int:
    count = 0
    for language in languages or [settings.LANGUAGE_CODE]:
        with translation.override(language):
            selected = publications.order_by("pk")
            if only_stale:
                current_slug = OuterRef("explainer__current__slug")
                selected = selected.exclude(Exists(_holding("pk", "", current_slug, language)))
            batch = []
            for publication in selected.iterator(chunk_size=BATCH):
                slug = slugs[publication.explainer_id]
                batch.append((publication, slug, render(publication, slug)))
                if len(batch) == BATCH:
                    store(batch, language)
                    count, batch = count + len(batch), []
            store(batch, language)
            count += len(batch)
    return count

"""Keeping a redacted passage from coming back with a later publication.

A redaction cleans every stored copy, but an editor's form opened before it (merged on
save, explainers/desk/concurrent_edits.py), a paste or an import can bring the passage back
into the working copy. Publishing and scheduling look for it first. The redaction keeps
no passage, only a keyed fingerprint: the digest of the passage as a reader sees it and
its length (and the same for its slug form), so every stretch of that length in the
document that begins and ends at a word's edge is digested and compared.

The key derives from SECRET_KEY: after rotating it, older fingerprints match nothing.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from explainers.core.passages import fold, folded_passage, slug_form

_SALT = b"explainers.redaction-guard"
_WORD_START = re.compile(r"(?<!\w)")
_WORD_CHAR = re.compile(r"\w")


@functools.cache
def _key(secret: str) -> bytes:
    return hashlib.sha256(_SALT + secret.encode()).digest()


def _digest(text: str) -> str:
    return hmac.new(_key(settings.SECRET_KEY), text.encode(), hashlib.sha256).hexdigest()


def fingerprint(passage: str) -> dict[str, Any]:
    seen, slug = folded_passage(passage), slug_form(passage)
    return {
        "length": len(seen),
        "digest": _digest(seen),
        "words": len(slug.split("-")) if slug else 0,
        "slug_digest": _digest(slug) if slug else "",
    }


def _in_text(text: str, prints: list[Mapping[str, Any]]) -> bool:
    """Whether a stretch of the text's reader view that starts and ends at a word's edge
    has a fingerprint's digest (only such stretches are digested: fast enough to run on
    every publish)."""
    seen = fold(text)[0]
    starts = [match.start() for match in _WORD_START.finditer(seen)]
    for one in prints:
        length, wanted = one.get("length") or 0, one.get("digest", "")
        for i in starts:
            end = i + length
            at_edge = length and end <= len(seen) and not _WORD_CHAR.match(seen, end)
            if at_edge and hmac.compare_digest(_digest(seen[i:end]), wanted):
                return True
    return False


def _in_name(name: str, prints: list[Mapping[str, Any]]) -> bool:
    words = slug_form(name).split("-")
    for one in prints:
        count, wanted = one.get("words") or 0, one.get("slug_digest", "")
        if count and any(
            hmac.compare_digest(_digest("-".join(words[i : i + count])), wanted)
            for i in range(len(words) - count + 1)
        ):
            return True
    return False


def places_holding(document: Mapping[str, Any], prints: Iterable[Mapping[str, Any]]) -> list[str]:
    """Where the document shows a redacted passage again, in the desk's words."""
    prints = [one for one in prints if one]
    if not prints:
        return []
    places = []
    head = [document.get(name) or "" for name in ("headline", "kicker", "teaser", "intro")]
    image = document.get("image") or {}
    head += [image.get(name) or "" for name in ("alt", "caption", "credit")]
    if any(_in_text(text, prints) for text in head):
        places.append(_("Kopf des Erklärstücks"))
    if _in_name(document.get("slug") or "", prints):
        places.append(_("Kurzname"))
    for question in document.get("questions") or []:
        texts = (question.get("question") or "", question.get("answer") or "")
        if any(_in_text(text, prints) for text in texts) or _in_name(
            question.get("anchor") or "", prints
        ):
            places.append(_("Frage „%(q)s“") % {"q": (question.get("question") or "")[:60]})
    for source in document.get("sources") or []:
        texts = (source.get("label") or "", source.get("publisher") or "")
        url = source.get("url") or ""
        if any(_in_text(text, prints) for text in texts) or _in_name(url, prints):
            places.append(_("Quelle „%(label)s“") % {"label": (source.get("label") or "")[:60]})
    return places


def _redacted_prints(explainer, *, alone: bool = False) -> list[str]:
    """The fingerprints of passages redacted from this explainer or from another language
    version of it: a redaction reaches the whole family (explainers/domain/takedown.py), so
    none of them may bring the passage back. `alone`: the caller has read, under the
    explainer's lock, that no translation links it to another explainer either way."""
    from explainers.models import Explainer, Redaction

    if explainer.pk is None:
        return []
    if alone:
        rows = Redaction.objects.filter(explainer=explainer)
    else:
        family = Explainer.objects.language_family(explainer).values("pk")
        rows = Redaction.objects.filter(Q(explainer=explainer) | Q(explainer__in=family))
    return [one for one in rows.values_list("fingerprint", flat=True) if one]


def check_not_redacted(
    explainer, document: Mapping[str, Any], refused: type[Exception], *, alone: bool = False
) -> None:
    """Raise `refused` if the document shows a passage redacted from this explainer (or
    from another language version of it; `alone` as for `_redacted_prints`)."""
    places = places_holding(document, _redacted_prints(explainer, alone=alone))
    if places:
        raise refused(
            _(
                "Der Text enthält wieder eine Stelle, die aus rechtlichen Gründen geschwärzt "
                "wurde (%(places)s). Bitte entfernen oder erneut schwärzen."
            )
            % {"places": ", ".join(places)}
        )


def holds_redacted(explainer, text: str) -> bool:
    """Whether free text written about this explainer (a message between writers and desk)
    shows a passage redacted from it."""
    return any_holds_redacted(explainer, [text])


def any_holds_redacted(explainer, texts: Iterable[str]) -> bool:
    """Whether any of `texts` (each on its own) shows a passage redacted from this explainer
    (or from another language version of it)."""
    prints = _redacted_prints(explainer)
    return bool(prints) and any(_in_text(text, prints) for text in texts)

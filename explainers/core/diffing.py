"""What changed between two documents (two revisions, or two publications).

Pure: two documents in, plain JSON-serialisable data out. Questions and sources are matched
by their stable ``key``, never by position or wording. The diff is shown to readers and to
the desk; ``summarize`` gives the small version stored on a publication.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections import defaultdict
from contextvars import ContextVar
from html import escape
from typing import Any

from explainers.core.documents import DIFF_WORK_BUDGET, KEY_PATTERN, normalize_document

FIELDS = ("headline", "kicker", "teaser", "intro", "slug", "language", "image", "related")
TEXT_FIELDS = ("headline", "kicker", "teaser", "intro")
SOURCE_FIELDS = ("label", "publisher", "url", "date", "kind")
SOURCE_TEXT_FIELDS = ("label", "publisher")
IMAGE_PARTS = ("alt", "caption", "credit")  # what a reader can read of an image
EQUAL, INSERT, DELETE = "equal", "insert", "delete"

# Words (Unicode-aware: umlauts stay inside words), runs of whitespace, single other characters.
# The three alternatives cover every character, so joining the tokens gives the text back.
# A citation marker ("[^dlf]") is one token: a changed citation is one change.
_TOKEN_RE = re.compile(rf"\[\^{KEY_PATTERN}\]|\w+|\s+|[^\w\s]")
# Whitespace that may be folded into the changes around it; paragraph breaks stay visible.
_FOLDABLE_RE = re.compile(r"[^\S\n]+")


# --- word-level ops -------------------------------------------------------------------------


class DiffBudget:
    """The matching work one diff may do, counted as it is done.

    The unit is one candidate the matcher looks at: for every token of the old text in the
    range it searches, each place the same token stands in the new text. That is what
    makes difflib quadratic (20,000 punctuation marks are 20,000 tokens drawn from thirty
    values), and it is known before the search runs, so no search starts that would
    overspend. Past the budget a text is compared line by line, then replaced as a whole:
    coarser, still complete.
    """

    def __init__(self, limit: int = DIFF_WORK_BUDGET) -> None:
        self.limit = limit
        self.spent = 0
        self.coarse = 0  # texts compared by lines or replaced whole for lack of budget

    def spend(self, work: int) -> None:
        if self.spent + work > self.limit:
            raise _OverBudget
        self.spent += work


class _OverBudget(Exception):
    pass


_running_budget: ContextVar[DiffBudget | None] = ContextVar("diff_budget", default=None)


class _CountingMatcher(difflib.SequenceMatcher):
    def __init__(self, budget: DiffBudget, a: list[str], b: list[str]) -> None:
        self.budget = budget
        # Bare whitespace is "junk": no match starts on it (it is only added to the edges
        # of matches), which keeps the matcher fast and stops it pairing up the spaces of
        # rewrites.
        super().__init__(str.isspace, a, b, autojunk=False)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        # The search visits, for each a[i] in the range, every position of it in b.
        b2j = self.b2j
        self.budget.spend((ahi - alo) + sum(len(b2j.get(t, ())) for t in self.a[alo:ahi]))
        return super().find_longest_match(alo, ahi, blo, bhi)


def word_ops(old: str, new: str, budget: DiffBudget | None = None) -> list[list[str]]:
    """``[[op, text], ...]`` turning `old` into `new`, op in "equal", "insert", "delete".

    Joining the "equal" and "delete" texts gives `old`; "equal" and "insert" give `new`.
    Word by word while `budget` lasts, else coarser. Without one, the budget of the
    ``diff_documents`` running, or a fresh one.
    """
    budget = budget or _running_budget.get() or DiffBudget()
    a, b = _TOKEN_RE.findall(old or ""), _TOKEN_RE.findall(new or "")
    # Edits are usually local: cut off the unchanged start and end before matching.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a_mid, b_mid = a[head : len(a) - tail], b[head : len(b) - tail]
    middle = _matched_ops(a_mid, b_mid, budget)
    if middle is None:
        budget.coarse += 1
        old_mid, new_mid = "".join(a_mid), "".join(b_mid)
        lines = old_mid.splitlines(keepends=True), new_mid.splitlines(keepends=True)
        middle = _matched_ops(*lines, budget)
    if middle is None:
        middle = [[DELETE, old_mid], [INSERT, new_mid]]
    ops: list[list[str]] = []
    _append(ops, EQUAL, "".join(a[:head]))
    for op, text in middle:
        _append(ops, op, text)
    _append(ops, EQUAL, "".join(a[len(a) - tail :]))
    return _group_changes(ops)


def _matched_ops(a: list[str], b: list[str], budget: DiffBudget) -> list[list[str]] | None:
    """The ops turning tokens `a` into `b`, or None if the budget does not cover it."""
    ops: list[list[str]] = []
    try:
        opcodes = _CountingMatcher(budget, a, b).get_opcodes()
    except _OverBudget:
        return None
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            _append(ops, EQUAL, "".join(a[i1:i2]))
        if tag in ("delete", "replace"):
            _append(ops, DELETE, "".join(a[i1:i2]))
        if tag in ("insert", "replace"):
            _append(ops, INSERT, "".join(b[j1:j2]))
    return ops


def _append(ops: list[list[str]], op: str, text: str) -> None:
    if not text:
        return
    if ops and ops[-1][0] == op:
        ops[-1][1] += text
    else:
        ops.append([op, text])


def _group_changes(ops: list[list[str]]) -> list[list[str]]:
    """Each run of changes as one deletion then one insertion; a bare space between two
    changes joins them, so "Der Hund" → "Die Katze" reads as one replacement."""
    result: list[list[str]] = []
    deleted: list[str] = []
    inserted: list[str] = []
    for i, (op, text) in enumerate(ops):
        if op == EQUAL:
            # Adjacent ops of one kind are merged, so an inner equal lies between two changes.
            if 0 < i < len(ops) - 1 and _FOLDABLE_RE.fullmatch(text):
                deleted.append(text)
                inserted.append(text)
                continue
            _append(result, DELETE, "".join(deleted))
            _append(result, INSERT, "".join(inserted))
            deleted, inserted = [], []
            _append(result, EQUAL, text)
        else:
            (deleted if op == DELETE else inserted).append(text)
    _append(result, DELETE, "".join(deleted))
    _append(result, INSERT, "".join(inserted))
    return result


def ops_to_html(ops: list[list[str]]) -> str:
    """Escaped HTML: unchanged text as is, insertions in ``<ins>``, deletions in ``<del>``."""
    tags = {EQUAL: "{}", INSERT: "<ins>{}</ins>", DELETE: "<del>{}</del>"}
    parts = []
    for op, text in ops:
        if op not in tags:
            raise ValueError(f"unknown diff op: {op!r}")
        parts.append(tags[op].format(escape(text)))
    return "".join(parts)


# --- documents ------------------------------------------------------------------------------


def diff_documents(old: dict, new: dict, budget: DiffBudget | None = None) -> dict[str, Any]:
    """The changes from `old` to `new`, as JSON-serialisable data.

    ``fields``: changed top-level fields (text fields with word ``ops``, the image with its
    readable ``image_parts``, related with ``items_added``/``items_removed``); ``questions``:
    every question of both documents, matched by key, in new order with removed ones where
    they stood (an added or removed one with its whole ``answer``, a reworded one with
    ``question_ops``); ``sources``: added, removed, changed (by key, with ``changes`` field by
    field); ``counts``; ``is_empty``.

    All texts share one `budget` (a fresh one if none is given), so the matching work of a
    whole diff is bounded, whatever the documents hold.
    """
    running = _running_budget.set(DiffBudget() if budget is None else budget)
    try:
        old, new = normalize_document(old), normalize_document(new)
        fields = [_field_entry(f, old[f], new[f]) for f in FIELDS if old[f] != new[f]]
        questions = _diff_questions(old["questions"], new["questions"])
        sources = _diff_sources(old["sources"], new["sources"])
    finally:
        _running_budget.reset(running)
    statuses = [entry["status"] for entry in questions]
    counts = {
        "fields": len(fields),
        "added": statuses.count("added"),
        "removed": statuses.count("removed"),
        "changed": statuses.count("changed"),
        "moved": sum(entry["moved"] for entry in questions),
        "sources_added": len(sources["added"]),
        "sources_removed": len(sources["removed"]),
        "sources_changed": len(sources["changed"]),
    }
    is_empty = not any(counts.values()) and not sources["reordered"]
    return {
        "fields": fields,
        "questions": questions,
        "sources": sources,
        "counts": counts,
        "is_empty": is_empty,
    }


def _field_entry(field: str, old: Any, new: Any) -> dict[str, Any]:
    ops = word_ops(old, new) if field in TEXT_FIELDS else None
    entry = {"field": field, "old": old, "new": new, "ops": ops}
    if field == "image":
        entry.update(_image_change(old, new))
    if field == "related":
        entry["items_added"] = [slug for slug in new if slug not in old]
        entry["items_removed"] = [slug for slug in old if slug not in new]
    return entry


def _image_change(old: dict | None, new: dict | None) -> dict[str, Any]:
    """The image as readers know it: alt text, caption and credit word by word, and whether
    it was added, removed or replaced by another picture (``src``)."""
    old, new = old or {}, new or {}
    if not old or not new:
        change = "added" if new else "removed"
    else:
        change = "replaced" if old["src"] != new["src"] else "edited"
    parts = [
        {"part": part, "ops": word_ops(old.get(part, ""), new.get(part, ""))}
        for part in IMAGE_PARTS
        if old.get(part) or new.get(part)
    ]
    return {"image_change": change, "image_parts": parts}


def _identities(rows: list[dict]) -> dict[tuple[str, int], tuple[int, dict]]:
    """Questions (or sources) by (key, occurrence), with their 1-based position: keys should
    be unique, but a duplicate must not make a row vanish from the diff."""
    seen: dict[str, int] = defaultdict(int)
    result = {}
    for position, row in enumerate(rows, start=1):
        seen[row["key"]] += 1
        result[(row["key"], seen[row["key"]])] = (position, row)
    return result


def _kept_in_order(old_ids: list, new_ids: list) -> set:
    """The common identities not moved: a longest common subsequence of both orders.

    Identities are unique, so this is a longest increasing run of old positions taken in
    new order (patience sorting, O(n log n)).
    """
    old_index = {ident: i for i, ident in enumerate(old_ids)}
    common = [ident for ident in new_ids if ident in old_index]
    tails: list[int] = []  # tails[n]: smallest old index ending an increasing run of n + 1
    tail_at: list[int] = []  # where in `common` that run ends
    previous = [-1] * len(common)
    for i, ident in enumerate(common):
        n = bisect_left(tails, old_index[ident])
        previous[i] = tail_at[n - 1] if n else -1
        if n == len(tails):
            tails.append(old_index[ident])
            tail_at.append(i)
        else:
            tails[n], tail_at[n] = old_index[ident], i
    kept = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        kept.add(common[i])
        i = previous[i]
    return kept


def _diff_questions(old_questions: list[dict], new_questions: list[dict]) -> list[dict]:
    """New order, each removed question right after the nearest question before it in the
    old order that kept its place (not moved), so removed ones keep their old order too."""
    old, new = _identities(old_questions), _identities(new_questions)
    kept = _kept_in_order(list(old), list(new))
    removed_after: dict[Any, list] = defaultdict(list)
    predecessor = None
    for ident in old:
        if ident in kept:
            predecessor = ident
        elif ident not in new:
            removed_after[predecessor].append(ident)

    def removed(after: Any) -> list[dict]:
        return [
            _question_entry(old[i][0], old[i][1], None, None, False) for i in removed_after[after]
        ]

    entries = removed(None)
    for ident, (position, question) in new.items():
        old_position, old_question = old.get(ident, (None, None))
        moved = old_question is not None and ident not in kept
        entries.append(_question_entry(old_position, old_question, position, question, moved))
        entries.extend(removed(ident))
    return entries


def _question_entry(
    old_position: int | None,
    old: dict | None,
    new_position: int | None,
    new: dict | None,
    moved: bool,
) -> dict[str, Any]:
    shown = new or old
    entry = {
        "key": shown["key"],
        "status": "added" if old is None else "removed" if new is None else "unchanged",
        "moved": moved,
        "old_position": old_position,
        "new_position": new_position,
        "anchor": shown["anchor"],
        "question": shown["question"],
        "old_question": None,
        "reworded": False,
        "old_anchor": None,
        "anchor_changed": False,
        "answer_changed": False,
        "answer_ops": [],
        "cites_added": [],
        "cites_removed": [],
        "question_ops": [],
        "answer": None,  # the whole answer of an added or removed question
    }
    if old is None or new is None:
        entry["answer"] = shown["answer"]
        return entry
    if old["question"] != new["question"]:
        entry.update(
            reworded=True,
            old_question=old["question"],
            question_ops=word_ops(old["question"], new["question"]),
        )
    if old["anchor"] != new["anchor"]:
        entry.update(anchor_changed=True, old_anchor=old["anchor"])
    if old["answer"] != new["answer"]:
        entry.update(answer_changed=True, answer_ops=word_ops(old["answer"], new["answer"]))
    entry["cites_added"] = [c for c in new["cites"] if c not in old["cites"]]
    entry["cites_removed"] = [c for c in old["cites"] if c not in new["cites"]]
    changed = entry["reworded"] or entry["anchor_changed"] or entry["answer_changed"]
    if changed or old["cites"] != new["cites"]:
        entry["status"] = "changed"
    return entry


def _diff_sources(old_sources: list[dict], new_sources: list[dict]) -> dict[str, Any]:
    # By (key, occurrence), like questions: a duplicate key must not hide a change.
    old, new = _identities(old_sources), _identities(new_sources)
    changed = [
        {
            "key": ident[0],
            "fields": [f for f in SOURCE_FIELDS if old[ident][1][f] != source[f]],
            "changes": _source_changes(old[ident][1], source),
            "old": old[ident][1],
            "new": source,
        }
        for ident, (_position, source) in new.items()
        if ident in old and old[ident][1] != source
    ]
    return {
        "added": [s for ident, (_p, s) in new.items() if ident not in old],
        "removed": [s for ident, (_p, s) in old.items() if ident not in new],
        "changed": changed,
        "reordered": [i for i in old if i in new] != [i for i in new if i in old],
    }


def _source_changes(old: dict, new: dict) -> list[dict[str, Any]]:
    """Each changed field of a source: label and publisher word by word, the rest whole."""
    return [
        {
            "field": f,
            "old": old[f],
            "new": new[f],
            "ops": word_ops(old[f], new[f]) if f in SOURCE_TEXT_FIELDS else None,
        }
        for f in SOURCE_FIELDS
        if old[f] != new[f]
    ]


# --- badges and stored summaries ------------------------------------------------------------


def question_changed(entry: dict) -> bool:
    """Added or changed in content (not merely moved): the "Neu"/"Aktualisiert" badges."""
    return entry["status"] in ("added", "changed")


def changed_question_keys(diff: dict) -> set[str]:
    """Keys of the questions added or changed in the newer document (diff or summary)."""
    return {entry["key"] for entry in diff["questions"] if question_changed(entry)}


def summarize(diff: dict) -> dict[str, Any]:
    """The compact change summary stored on a publication: counts, changed field names and
    the questions that were added, removed, changed or moved (without their text ops)."""
    return {
        "is_empty": diff["is_empty"],
        "counts": dict(diff["counts"]),
        "fields": [entry["field"] for entry in diff["fields"]],
        "questions": [
            {key: entry[key] for key in ("key", "status", "moved", "question")}
            for entry in diff["questions"]
            if entry["status"] != "unchanged" or entry["moved"]
        ],
    }

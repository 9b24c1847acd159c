"""Three-way merge of an explainer's editable state: what the editor loaded (base), what
someone else saved since (theirs), and what the editor submits (mine).

Pure data in and out. A snapshot is {"fields": {...}, "questions": [...], "sources":
[...], "related": [...]}; questions and sources are dicts with an "id" (the row's primary
key, or "new-N" for rows added in the form) and their editable fields, in order.

Changes to different rows or fields merge; the same field changed both ways is a
conflict, and so is a row one side deleted while the other edited it, an order both
sides changed differently, and a source one side deleted while the other side's text
cites it. Conflicts are resolved towards "mine", so nothing the editor typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from explainers.core.documents import unique_slug
from explainers.core.rendering import citation_markers

ITEM_KINDS = ("questions", "sources")


@dataclass
class Conflict:
    kind: str  # "field", "questions", "sources", "order", "citation"
    label: str  # what, in the editor's words (question text, source label, field name)
    field: str = ""
    mine: Any = None
    theirs: Any = None


@dataclass
class MergeResult:
    merged: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge3(base: dict, theirs: dict, mine: dict) -> MergeResult:
    conflicts: list[Conflict] = []
    fields = _merge_mapping(base["fields"], theirs["fields"], mine["fields"], conflicts, "")
    merged = {"fields": fields}
    for kind in ITEM_KINDS:
        merged[kind] = _merge_items(kind, base[kind], theirs[kind], mine[kind], conflicts)
    related = _merge_value(base["related"], theirs["related"], mine["related"])
    if related is _CONFLICT:
        conflicts.append(
            Conflict("field", "related", "related", mine["related"], theirs["related"])
        )
        related = mine["related"]
    merged["related"] = related
    _suffix_taken_anchors(merged["questions"], theirs["questions"])
    _check_citations(merged, theirs, mine, conflicts)
    return MergeResult(merged, conflicts)


_CONFLICT = object()
_UNKNOWN = object()  # a value no side can have: the base of a merge without a base


def merge_without_base(theirs: dict, mine: dict) -> MergeResult:
    """Merge when the revision the editor loaded is gone (pruned) and no common ancestor
    is known: everything the two sides hold differently is a conflict, never a silent
    overwrite in either direction."""
    fields = dict.fromkeys({*theirs["fields"], *mine["fields"]}, _UNKNOWN)
    base: dict[str, Any] = {"fields": fields, "related": _UNKNOWN}
    for kind in ITEM_KINDS:
        ids = dict.fromkeys(
            item["id"] for item in [*theirs[kind], *mine[kind]] if isinstance(item["id"], int)
        )
        names = {name for item in [*theirs[kind], *mine[kind]] for name in item} - {"id"}
        base[kind] = [{"id": item_id, **dict.fromkeys(names, _UNKNOWN)} for item_id in ids]
        # The order is not known either: differing orders are a conflict, too.
        by_id = {item["id"]: item for item in base[kind]}
        base[kind] = [by_id[i["id"]] for i in theirs[kind] if i["id"] in by_id] + [
            item for item in base[kind] if item["id"] not in {i["id"] for i in theirs[kind]}
        ]
    result = merge3(base, theirs, mine)
    for kind in ITEM_KINDS:
        common = {i["id"] for i in theirs[kind]} & {i["id"] for i in mine[kind]}
        their_order = [i["id"] for i in theirs[kind] if i["id"] in common]
        my_order = [i["id"] for i in mine[kind] if i["id"] in common]
        if their_order != my_order:
            result.conflicts.append(Conflict("order", "order", "order", my_order, their_order))
    return result


def _merge_value(base: Any, theirs: Any, mine: Any) -> Any:
    if mine in (base, theirs):
        return theirs
    if theirs == base:
        return mine
    return _CONFLICT


def _merge_mapping(base, theirs, mine, conflicts, label, kind="field") -> dict:
    merged = {}
    for name in dict.fromkeys([*theirs, *mine]):
        value = _merge_value(base.get(name), theirs.get(name), mine.get(name))
        if value is _CONFLICT:
            conflicts.append(Conflict(kind, label or name, name, mine.get(name), theirs.get(name)))
            value = mine.get(name)
        merged[name] = value
    return merged


def _label(item: dict) -> str:
    return item.get("question") or item.get("label") or item.get("key") or str(item["id"])


def _merge_items(kind, base, theirs, mine, conflicts) -> list[dict]:
    by_base = {item["id"]: item for item in base}
    by_theirs = {item["id"]: item for item in theirs}
    by_mine = {item["id"]: item for item in mine}
    merged: dict[Any, dict] = {}
    for item_id in dict.fromkeys([*by_theirs, *by_mine]):
        old, their, my = by_base.get(item_id), by_theirs.get(item_id), by_mine.get(item_id)
        if their is not None and my is not None:
            if old is None:  # cannot happen for primary keys, but keep both safe
                merged[item_id] = my
            else:
                merged[item_id] = _merge_mapping(old, their, my, conflicts, _label(my), kind)
        elif my is not None:  # only in mine: added by me, or deleted by them
            if old is None:
                merged[item_id] = my
            elif my != old:
                conflicts.append(Conflict(kind, _label(my), "deleted_by_them", my, None))
                merged[item_id] = my
        elif their is not None:  # only in theirs: added by them, or deleted by me
            if old is None:
                merged[item_id] = their
            elif their != old:
                conflicts.append(Conflict(kind, _label(their), "deleted_by_me", None, their))
    order = _merge_order(
        kind,
        [i["id"] for i in base],
        [i["id"] for i in theirs],
        [i["id"] for i in mine],
        conflicts,
    )
    ordered = [merged[item_id] for item_id in order if item_id in merged]
    ordered += [item for item_id, item in merged.items() if item_id not in order]
    return ordered


def _merge_order(kind: str, base: list, theirs: list, mine: list, conflicts: list) -> list:
    """The order of a side that reordered wins; the other side's new rows follow their old
    neighbours. Both reordering differently is a conflict (resolved to mine), labelled with
    what was reordered ("questions", "sources")."""
    common = set(base)
    kept_theirs = [i for i in theirs if i in common and i in mine]
    kept_mine = [i for i in mine if i in common and i in theirs]
    kept_base = [i for i in base if i in kept_theirs]
    theirs_moved = kept_theirs != kept_base
    mine_moved = kept_mine != kept_base
    if theirs_moved and mine_moved and kept_theirs != kept_mine:
        conflicts.append(Conflict("order", kind, "order", mine, theirs))
        leader, follower = mine, theirs
    elif theirs_moved:
        leader, follower = theirs, mine
    else:
        leader, follower = mine, theirs
    order = list(leader)
    for index, item_id in enumerate(follower):
        if item_id in order or item_id in common:
            continue  # in both, or deleted by the leading side
        anchor = next((p for p in reversed(follower[:index]) if p in order), None)
        order.insert(order.index(anchor) + 1 if anchor is not None else 0, item_id)
    return order


def _suffix_taken_anchors(questions: list[dict], theirs: list[dict]) -> None:
    """An anchor taken by both sides (two different questions) gets a suffix on mine."""
    their_ids = {q["id"] for q in theirs}
    taken: set[str] = set()
    for question in sorted(questions, key=lambda q: q["id"] not in their_ids):
        anchor = question.get("anchor") or ""
        if anchor and anchor in taken:
            question["anchor"] = unique_slug(anchor, taken)
        taken.add(question.get("anchor") or "")


def _check_citations(merged, theirs, mine, conflicts) -> None:
    """A source one side deleted while the other side's text still cites it."""
    keys = {s.get("key") for s in merged["sources"]}
    gone = (
        {s.get("key") for s in theirs["sources"]} | {s.get("key") for s in mine["sources"]}
    ) - keys
    for question in merged["questions"]:
        cited = set(citation_markers(question.get("answer", "")))
        cited |= {k.strip() for k in (question.get("extra_cites") or "").split(",") if k.strip()}
        for key in sorted(cited & gone):
            conflicts.append(Conflict("citation", _label(question), key, key, None))

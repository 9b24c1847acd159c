"""Which stored question a re-imported question is, so that it keeps its key.

A key is a question's identity (explainers/core/documents.py): the diff, the "Aktualisiert"
badge and every link to a question follow it. Agency copy comes without keys, and an update
often rewords a question a little, so the match goes, in this order, by

0. among questions worded alike (the same question twice), the answers' similarity,
1. the key itself (written in the file, or derived from the same wording),
2. the anchor, 3. the wording (spaces and case aside),
4. text similarity of question and answer together, for what is left: the share of words the
   two have in common in order (``difflib.SequenceMatcher.ratio`` over words), at least
   ``SIMILARITY_THRESHOLD``. The pairs are taken best first, each question at most once.

Keys the file names explicitly ({#…} in the text format, every key in JSON) are the editor's
word and take part only in step 1. Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

# 0.6: an update that rewords the question and rewrites up to about a third of the answer
# still counts as the same question; two different questions on one topic share far fewer
# words in order (tests/test_import_question_matching.py has both).
SIMILARITY_THRESHOLD = 0.6
MAX_COMPARED_PAIRS = 10_000  # 100 unmatched questions on each side; a real update has a few

_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class SimilarMatch:
    """A question matched by similarity, for the editor to check."""

    key: str
    old_question: str
    new_question: str
    similarity: float


def keep_keys(
    stored: list[dict[str, Any]],
    questions: list[dict[str, Any]],
    explicit_keys: frozenset[str] | set[str] = frozenset(),
) -> tuple[list[dict[str, Any]], list[SimilarMatch]]:
    """`questions` with the key of the stored question each one is (see the module), and
    the matches made by similarity. A question matching none keeps its own key. If a key
    would then occur twice (an explicit key equal to a stored one given to another
    question), the file's keys stay as they were."""
    stored_keys = {q["key"] for q in stored}
    keys: list[str | None] = [None] * len(questions)
    used: set[str] = set()
    # Questions worded alike (twice "Was kostet das?") are told apart by their answers, not
    # by their order, which an update may change.
    for rows, indexes in _worded_alike(stored, questions, explicit_keys):
        for index, row, _ratio in _similar(rows, [(i, questions[i]) for i in indexes], 0.0):
            keys[index] = row["key"]
            used.add(row["key"])
    for index, question in enumerate(questions):
        if keys[index] is not None:
            continue
        if question["key"] in stored_keys and question["key"] not in used:
            keys[index] = question["key"]
            used.add(question["key"])
    for same in (lambda q: q["anchor"], lambda q: _plain(q["question"])):
        by_value: dict[str, str] = {}
        for row in stored:
            if row["key"] not in used:
                by_value.setdefault(same(row), row["key"])
        for index, question in enumerate(questions):
            if keys[index] is not None or question["key"] in explicit_keys:
                continue
            key = by_value.get(same(question))
            if key is not None and key not in used:
                keys[index] = key
                used.add(key)
    similar = _similar(
        [row for row in stored if row["key"] not in used],
        [
            (index, question)
            for index, question in enumerate(questions)
            if keys[index] is None and question["key"] not in explicit_keys
        ],
    )
    for index, row, _ratio in similar:
        keys[index] = row["key"]
    result = [
        {**question, "key": key or question["key"]}
        for question, key in zip(questions, keys, strict=True)
    ]
    if len({q["key"] for q in result}) != len(result):
        return questions, []
    matches = [
        SimilarMatch(row["key"], row["question"], questions[index]["question"], ratio)
        for index, row, ratio in sorted(similar, key=lambda match: match[0])
    ]
    return result, matches


def keep_keys_in_order(
    stored: list[dict[str, Any]], questions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`questions` of a translation, re-imported: its keys are the original's, and a
    translated text shares no wording with the stored one (nor, before the first import,
    its language), so a question keeps a stored key it names and the others take the
    stored keys left, in order. Questions beyond the stored ones keep their own keys; if a
    key would then occur twice, the file's keys stay as they were."""
    stored_keys = [row["key"] for row in stored]
    named = {q["key"] for q in questions if q["key"] in stored_keys}
    left = iter([key for key in stored_keys if key not in named])
    result = [
        question if question["key"] in named else {**question, "key": next(left, question["key"])}
        for question in questions
    ]
    if len({q["key"] for q in result}) != len(result):
        return questions
    return result


def similarity(old: dict[str, Any], new: dict[str, Any]) -> float:
    """How alike two questions are, question and answer together: 0.0 to 1.0."""
    return _matcher(_words(old), _words(new)).ratio()


def _worded_alike(
    stored: list[dict[str, Any]], questions: list[dict[str, Any]], explicit_keys
) -> list[tuple[list[dict[str, Any]], list[int]]]:
    """(stored rows, new indexes) sharing one wording, where either side has it twice."""
    groups = []
    for wording in {_plain(q["question"]) for q in questions}:
        rows = [row for row in stored if _plain(row["question"]) == wording]
        indexes = [
            i
            for i, q in enumerate(questions)
            if _plain(q["question"]) == wording and q["key"] not in explicit_keys
        ]
        if rows and indexes and max(len(rows), len(indexes)) > 1:
            groups.append((rows, indexes))
    return groups


def _similar(
    stored: list[dict[str, Any]],
    questions: list[tuple[int, dict[str, Any]]],
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[tuple[int, dict[str, Any], float]]:
    """One-to-one pairs (new index, stored row, ratio) at or above `threshold`, best
    first; ties go to the earlier question."""
    if not stored or not questions or len(stored) * len(questions) > MAX_COMPARED_PAIRS:
        return []
    old_words = [_words(row) for row in stored]
    candidates = []
    for index, question in questions:
        new_words = _words(question)
        for row_index, words in enumerate(old_words):
            matcher = _matcher(words, new_words)
            # the quick bounds first: most pairs are far apart
            if matcher.real_quick_ratio() < threshold:
                continue
            if matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                candidates.append((-ratio, index, row_index))
    pairs, taken_new, taken_old = [], set(), set()
    for negative, index, row_index in sorted(candidates):
        if index not in taken_new and row_index not in taken_old:
            taken_new.add(index)
            taken_old.add(row_index)
            pairs.append((index, stored[row_index], -negative))
    return pairs


def _matcher(old: list[str], new: list[str]) -> SequenceMatcher:
    return SequenceMatcher(None, old, new)


def _words(question: dict[str, Any]) -> list[str]:
    return _WORD_RE.findall(f"{question['question']}\n{question['answer']}".casefold())


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()

"""Answers to one request, side by side (`foi compare`).

A "mass FOI" sends one request to many authorities; each reply restates the questions in
its own words. Responses are grouped by the text of their request and questions; within a
group, each reply's questions are aligned to the questions of the fullest reply by text
similarity (rapidfuzz), helped by their order. A question a reply does not answer is an
empty cell; an answer that fits no question goes to `other`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from indexer.analysis.records import Response

# Two requests are "the same" at this similarity (0-100, `request_similarity`). Measured on
# corpus/ and the 60 real Sheffield replies: distinct requests score at most 46 (two
# Sheffield requests about school staffing), the four restatements of corpus/'s mass FOI
# 48-80, and single linkage joins them all through pairs of 53 and more.
SAME_REQUEST = 50
# Two words are one at this rapidfuzz ratio: arrest/arrested, violent/violence, crime/criminal.
SAME_WORD = 80
# Pairs sharing too few exact words are not scored at all (the score is never below this).
_PREFILTER_DICE = 0.2
# A reply's question goes in a column at this similarity or more (order adds ORDER_BONUS).
SAME_QUESTION = 45
ORDER_BONUS = 12
MAX_HEAD_CANDIDATES = 8

# Words that every request shares and that say nothing about what it asks for.
_STOP = frozenset(
    """
a about above after again all also am an and any are as at be been before being below between both but by
can could did do does doing during each few for from further had has have having he her here hers him his
how i if in into is it its itself just me more most my no nor not of off on once only or other our ours out
over own please same she should so some such than that the their theirs them then there these they this
those through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself provide provided state tell confirm information request requested
require like know copy copies details detail number numbers figure figures total many much held hold
whether period year years each following give list breakdown break down show
""".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def content_words(text: str | None) -> list[str]:
    """Lower-case words of `text` without stop words, plurals folded (crimes -> crime)."""
    words = []
    for word in _WORD.findall((text or "").lower()):
        if word in _STOP or len(word) < 2:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return words


def _processed(text: str) -> str:
    return " ".join(content_words(text))


def request_text(response: Response) -> str:
    """What a response says it was asked: its request, else its questions, else its title."""
    questions = "\n".join(pair.question for pair in response.qa)
    return response.request or questions or response.title or ""


def request_similarity(a: Response, b: Response) -> float:
    """0-100: how alike the requests of two responses are."""
    left, right = set(content_words(request_text(a))), set(content_words(request_text(b)))
    return _soft_dice(left, right, _near_words(left | right))


def _near_words(vocabulary: set[str]) -> dict[str, set[str]]:
    """For each word, the other words of `vocabulary` that count as the same (SAME_WORD)."""
    words = sorted(vocabulary)
    near: dict[str, set[str]] = {}
    for word in words:
        found = process.extract(word, words, scorer=fuzz.ratio, score_cutoff=SAME_WORD, limit=None)
        near[word] = {match for match, _, _ in found if match != word}
    return near


def _soft_dice(left: set[str], right: set[str], near: dict[str, set[str]]) -> float:
    """Dice similarity of two word sets where near-identical words count as shared.

    Word order is ignored (replies reorder a request's clauses), and unlike a token-set
    ratio, a short request is not "the same" as every long one that contains its words."""
    if not left or not right:
        return 0.0
    return 100.0 * (_matched(left, right, near) + _matched(right, left, near)) / (len(left) + len(right))


def _matched(words: set[str], other: set[str], near: dict[str, set[str]]) -> int:
    return sum(1 for w in words if w in other or not near.get(w, set()).isdisjoint(other))


# ---------------------------------------------------------------- grouping


def group_requests(responses: list[Response], threshold: float = SAME_REQUEST) -> list[list[Response]]:
    """Responses answering the same request, biggest group first (ties: the best-ranked).

    Single linkage: a reply joins a group when it is like any member, so a chain of
    restatements of one request stays together."""
    parent = list(range(len(responses)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    words = [set(content_words(request_text(r))) for r in responses]
    near = _near_words(set().union(*words)) if words else {}
    for a, b in _candidate_pairs(words):
        if root(a) != root(b) and _soft_dice(words[a], words[b], near) >= threshold:
            parent[root(a)] = root(b)
    groups: dict[int, list[Response]] = {}
    for i, response in enumerate(responses):
        groups.setdefault(root(i), []).append(response)

    def best_rank(group: list[Response]) -> float:
        ranks = [r.rank for r in group if r.rank is not None]
        return min(ranks) if ranks else float("inf")

    return sorted(groups.values(), key=lambda g: (-len(g), best_rank(g)))


def _candidate_pairs(words: list[set[str]]) -> list[tuple[int, int]]:
    """Pairs sharing enough exact words to be worth a fuzzy score (counted through a
    word -> responses map, so unrelated requests are never compared at all)."""
    postings: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            postings.setdefault(w, []).append(i)
    shared: dict[tuple[int, int], int] = {}
    for members in postings.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                key = (members[x], members[y])
                shared[key] = shared.get(key, 0) + 1
    return sorted(
        pair for pair, n in shared.items() if 2 * n / (len(words[pair[0]]) + len(words[pair[1]])) >= _PREFILTER_DICE
    )


# ---------------------------------------------------------------- alignment


@dataclass
class Row:
    """One response of a comparison: its answer to each question ('' if none) and the rest."""

    response: Response
    answers: dict[str, str]
    other: str = ""

    def to_dict(self) -> dict:
        r = self.response
        return {
            "doc_id": r.doc_id,
            "authority": r.authority,
            "reference": r.reference,
            "date": r.date,
            "outcome": r.outcome,
            "exemptions": list(r.exemptions),
            "answers": dict(self.answers),
            "other": self.other,
        }


@dataclass
class Comparison:
    """One request group as a table: a column per question, a row per response."""

    questions: list[str]
    rows: list[Row] = field(default_factory=list)

    def to_dicts(self) -> list[dict]:
        return [row.to_dict() for row in self.rows]


def compare(group: list[Response]) -> Comparison:
    """Align the answers of one group's responses to one list of questions."""
    reference = _fullest(group)
    questions = _unique([pair.question.strip() for pair in reference.qa]) if reference else []
    rows = [_row(response, questions) for response in group]
    if len(rows) > 2:
        # A question only the fullest reply has is not one of the request's (a reply that
        # adds "Question 5: further information"): its answer is "other", not a column.
        lonely = [q for q in questions if sum(bool(row.answers[q]) for row in rows) < 2]
        if lonely:
            questions = [q for q in questions if q not in lonely]
            rows = [_row(response, questions) for response in group]
    rows.sort(
        key=lambda row: (
            row.response.authority is None,
            row.response.authority or "",
            row.response.date or "",
            row.response.doc_id,
        )
    )
    return Comparison(questions=questions, rows=rows)


def compare_all(responses: list[Response], every_group: bool = False) -> list[Comparison]:
    """The biggest request group (or, with `every_group`, each group of two or more)."""
    groups = group_requests(responses)
    if not groups:
        return []
    chosen = [g for g in groups if len(g) > 1] if every_group else []
    return [compare(g) for g in (chosen or groups[:1])]


def group_of(responses: list[Response], doc_id: str) -> Comparison | None:
    """The comparison of the request group that holds `doc_id`."""
    for group in group_requests(responses):
        if any(r.doc_id == doc_id for r in group):
            return compare(group)
    return None


def _fullest(group: list[Response]) -> Response | None:
    """The reply whose questions head the columns: the one with the most questions; among
    equals, the one whose order the others follow most (a reply that answers out of the
    request's order would put the columns out of order), then the one whose wording is
    closest to the others', so the headings read like the request most replies restate."""
    with_qa = [r for r in group if r.qa]
    if not with_qa:
        return None
    most = max(len(r.qa) for r in with_qa)
    by_rank = sorted(with_qa, key=lambda r: (r.rank if r.rank is not None else float("inf"), r.doc_id))
    # The best-ranked few are enough to find one in the common order (each costs an alignment
    # against every other reply).
    candidates = [r for r in by_rank if len(r.qa) == most][:MAX_HEAD_CANDIDATES]
    if len(candidates) == 1:
        return candidates[0]

    def agreement(candidate: Response) -> tuple[int, float]:
        columns = [p.question for p in candidate.qa]
        same_place, similarity = 0, 0.0
        for other in with_qa:
            if other is not candidate:
                for i, (j, score) in scored_alignment([p.question for p in other.qa], columns).items():
                    same_place += i == j
                    similarity += score
        return same_place, similarity

    def key(r: Response):
        same_place, similarity = agreement(r)
        return (-same_place, -round(similarity, 6), r.doc_id)

    return min(candidates, key=key)


def _unique(questions: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for q in questions:
        seen[q] = seen.get(q, 0) + 1
        out.append(q if seen[q] == 1 else f"{q} ({seen[q]})")
    return out


def _row(response: Response, questions: list[str]) -> Row:
    answers = dict.fromkeys(questions, "")
    pairs = list(response.qa)
    if not pairs:
        # A narrative reply: nothing to put under a question, all of it is "other".
        return Row(response, answers, (response.response or "").strip())
    placed = align([p.question for p in pairs], questions)
    other = []
    for i, pair in enumerate(pairs):
        column = placed.get(i)
        if column is None:
            other.append(
                f"{pair.question.strip()}: {pair.answer.strip()}" if pair.question.strip() else pair.answer.strip()
            )
        else:
            answers[questions[column]] = pair.answer.strip()
    return Row(response, answers, "\n".join(x for x in other if x))


def align(asked: list[str], columns: list[str]) -> dict[int, int]:
    """{index in `asked`: index in `columns`}: each question to at most one column."""
    return {i: j for i, (j, _) in scored_alignment(asked, columns).items()}


def scored_alignment(asked: list[str], columns: list[str]) -> dict[int, tuple[int, float]]:
    """{index in `asked`: (index in `columns`, similarity 0-100)}.

    Greedy on similarity, best pairs first; a question in the same position as a column
    scores ORDER_BONUS more, since replies mostly keep the request's order."""
    if not asked or not columns:
        return {}
    left = [_processed(q) for q in asked]
    right = [_processed(c) for c in columns]
    candidates = []
    for i in range(len(asked)):
        for j in range(len(columns)):
            score = float(fuzz.token_set_ratio(left[i], right[j]))
            if score == 0:
                continue
            bonus = ORDER_BONUS if i == j else 0.0
            if score + bonus >= SAME_QUESTION:
                candidates.append((score + bonus, -abs(i - j), i, j, score))
    candidates.sort(reverse=True)
    placed: dict[int, tuple[int, float]] = {}
    taken: set[int] = set()
    for _, _, i, j, score in candidates:
        if i in placed or j in taken:
            continue
        placed[i] = (j, score)
        taken.add(j)
    return placed

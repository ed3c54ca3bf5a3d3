"""The outcome of a response: disclosed, partial, refused, not_held, ncnd or unknown.

Each answer (Q&A pair) and each sentence of the response part is labelled from its wording:
refusal (an exemption applied, cost limit, "withheld"), not held, redaction, NCND,
holding reply (acknowledgement, clarification, extension), or content. The labels then
combine: content plus any refusal/not-held/redaction is partial, refusal alone refused,
and so on. With no evidence either way the outcome stays unknown.
"""
from __future__ import annotations

import re
from collections import Counter

from indexer.metadata.exemptions import Citation
from indexer.metadata.layout import Layout, Span, sentences
from indexer.models import QAPair

_REFUSED = re.compile(
    r"exempt\w*\s+from\s+disclosure|\b(?:is|are|be|remains?)\s+exempt\b|\bexempt\s+under\b|"
    r"\bexemptions?\s+(?:appl|engag|under|at|in\s+section)|\bwithh[oe]ld|\bwithholding\b|"
    r"\brefus(?:e|al|ed|ing)\b|\bcost\s+limit|appropriate\s+limit|exceed\w*\s+the\s+(?:cost|appropriate|time)|"
    r"\bvexatious|repeated\s+request|not\s+(?:be\s+)?(?:able|in\s+a\s+position)\s+to\s+(?:provide|disclose|release|supply|comply)|"
    r"unable\s+to\s+(?:provide|disclose|release|supply|comply)|will\s+not\s+(?:be\s+)?(?:disclos|provid|releas)|"
    r"not\s+be\s+(?:disclosed|provided|released)|decided\s+not\s+to\s+(?:disclose|release|provide)|"
    r"not\s+obliged\s+to\s+(?:provide|supply|disclose|comply)|\bexception\s+(?:appl|under|is\s+engaged)|"
    r"\bmaintaining\s+the\s+(?:exemption|exception)|would\s+(?:be\s+likely\s+to\s+)?prejudice",
    re.I,
)
_NOT_HELD = re.compile(
    r"\b(?:do|does|did)\s+not\s+hold\b|\bdon['’]t\s+hold\b|\bnot\s+held\b|\bhold\s+no\s+(?:recorded\s+|such\s+|relevant\s+)?"
    r"(?:information|data|records?)|no\s+(?:recorded\s+)?information\s+(?:is\s+|was\s+)?held|"
    r"\b(?:do|does|did)\s+not\s+(?:have|possess|retain|record|collect|keep|store)\s+(?:any\s+|the\s+|this\s+|such\s+|that\s+)?"
    r"(?:recorded\s+|analysed\s+)?(?:information|data|records?|details|figures|statistics)|"
    r"\bdon['’]t\s+(?:have|record|collect|keep|possess)\s+(?:any\s+|the\s+|this\s+|such\s+)?(?:information|data|records?|details|figures)|"
    r"\bno\s+(?:such\s+|relevant\s+)?(?:information|records?|data)\s+(?:is|are|was|were|has\s+been|have\s+been)\s+"
    r"(?:held|retained|recorded|found|located|identified|kept)|"
    r"\b(?:is|are)\s+not\s+(?:recorded|retained|collected|kept|stored)\b|\bnot\s+stored\s+centrally|"
    r"\bno\s+information\s+relating\s+to\b[^.]{0,60}\b(?:has\s+been|was|is)\s+retained|"
    r"\b(?:do|does)\s+not\s+record\b|\bno\s+recorded\s+information\b|information\s+(?:is\s+)?not\s+held",
    re.I,
)
_REDACTED = re.compile(
    r"\bredact(?:ed|ion|ions)\b|\b(?:names?|personal\s+(?:data|information|details)|contact\s+details|signatures?|"
    r"e-?mail\s+addresses|telephone\s+numbers)\b[^.]{0,120}\b(?:withheld|removed|redacted|omitted)\b",
    re.I,
)
_NCND = re.compile(r"neither\s+confirm(?:s|ing|ed)?\s+n?or\s+den(?:y|ies|ying|ied)|\bNCND\b", re.I)
# "No information has been withheld", "provided in full", "we are not relying on any exemption".
_IN_FULL = re.compile(
    r"\b(?:no|nothing|none)\b[^.]{0,40}\b(?:withheld|redacted|exempt\w*)\b|\bnot\s+(?:been\s+)?(?:withheld|redacted|refused)|"
    r"\bwithout\s+(?:any\s+)?redaction|\bin\s+full\b|no\s+exemptions?\s+(?:has|have)\s+been|"
    r"not\s+(?:relying|rely|applied|applying)\s+(?:on\s+)?(?:any\s+)?exemptions?",
    re.I,
)
_PENDING = re.compile(
    r"clarif|extend\s+the\s+(?:time|deadline)|further\s+time|additional\s+time|has\s+been\s+logged|acknowledge\s+receipt|"
    r"we\s+(?:will|aim\s+to)\s+(?:respond|reply|be\s+in\s+touch|provide\s+(?:you\s+with\s+)?a\s+response)|"
    r"not\s+(?:yet\s+)?(?:been\s+)?(?:able|in\s+a\s+position)\s+to\s+(?:respond|complete)|still\s+(?:working|considering)|"
    r"will\s+receive\s+(?:it|a\s+response|our\s+response)|not\s+(?:yet\s+)?provided\s+a\s+response|"
    r"public\s+interest\s+test\s+extension|need\s+(?:more|further)\s+information\s+(?:from\s+you|to\s+(?:identify|locate))",
    re.I,
)
_POSITIVE = re.compile(
    r"please\s+(?:find|see)\s+(?:the\s+)?(?:attached|enclosed|below|following|table)|\bsee\s+(?:the\s+)?attached|"
    r"\battached\s+(?:is|are|document|spreadsheet|file|pdf|copy|list)|\b(?:i|we)\s+can\s+confirm\b|"
    r"\b(?:is|are)\s+as\s+follows|information\s+(?:you\s+(?:have\s+)?requested\s+)?is\s+(?:provided|attached|enclosed|set\s+out|below)|"
    r"\bis\s+disclosed\b|\bare\s+disclosed\b|provided\s+below|please\s+see\s+(?:our\s+)?response|\bhere\s+is\b|"
    r"information\s+(?:is\s+)?(?:available|published)\s+(?:at|on|online)",
    re.I,
)
# Text every letter carries whatever the outcome.
_BOILER = re.compile(
    r"thank\s+you\s+for\s+your|please\s+find\s+[^.]{0,80}response|response\s+to\s+your\s+request|"
    r"if\s+you\s+have\s+any\s+(?:queries|questions|further)|do\s+not\s+hesitate|re-?use|open\s+government\s+licen[cs]e|"
    r"copyright|internal\s+review|information\s+commissioner|\bICO\b|right\s+to\s+(?:complain|appeal|request)|"
    r"dissatisfied|unhappy|complain|apologi[sz]e|sorry\s+for|received\s+on|has\s+been\s+logged|working\s+days|"
    r"contains\s+public\s+sector\s+information|https?://|www\.|hope\s+(?:this|the\s+information)|"
    r"duty\s+to\s+provide\s+advice|advice\s+and\s+assistance|narrow\s+(?:down\s+)?(?:the\s+)?(?:focus|scope)|"
    r"refine\s+your\s+request|public\s+interest|in\s+favour\s+of|section\s+16\b|"
    r"^\W*(?:\[\d+\])?\W*$|dealt\s+with\s+under|freedom\s+of\s+information\s+act\s+2000\s+states",
    re.I,
)
_QUESTION = re.compile(r"\?[\"”’)]*\s*$")
_TABLE = re.compile(r"[│┃|][^\n]*[│┃|]")
_DIGIT_WORD = re.compile(r"(?<![\w/(])\d[\d,.%£]*\b")
_ZONE = 4  # neutral sentences right after a refusal/not-held one explain it, not disclose


def classify(layout: Layout, qa: list[QAPair], citations: list[Citation], ncnd: bool) -> str:
    text = layout.text
    labels: Counter[str] = Counter()
    for pair in qa:
        labels[_label_answer(pair.answer)] += 1
    qa_spans = _qa_spans(text, layout.response, qa)
    cite_starts = sorted(c.start for c in citations)
    neutral_words = 0
    zone = 0
    for s in sentences(text, layout.response.start, layout.response.end):
        if any(a <= s.start < b for a, b in qa_spans):
            continue
        sent = text[s.start:s.end]
        label = _label_sentence(sent, _has_citation(cite_starts, s))
        if label in ("refused", "not_held", "redacted", "ncnd"):
            labels[label] += 1
            zone = _ZONE
        elif label == "question":
            zone = 0
        elif label in ("positive", "pending", "table"):
            labels[label] += 1
        elif label == "neutral":
            if zone:
                zone -= 1
                continue
            neutral_words += len(sent.split())
            if _DIGIT_WORD.search(sent):
                labels["digits"] += 1
    if ncnd:
        labels["ncnd"] += 1
    return _combine(labels, neutral_words)


def _qa_spans(text: str, region: Span, qa: list[QAPair]) -> list[tuple[int, int]]:
    """Rough spans of the Q&A answers so their sentences are not counted twice."""
    spans = []
    pos = region.start
    for pair in qa:
        if not pair.answer:
            continue
        head = pair.answer[:40]
        i = text.find(head, pos, region.end) if head else -1
        if i >= 0:
            q = text.rfind(pair.question[:30], region.start, i) if pair.question else -1
            spans.append((q if q >= 0 else i, i + len(pair.answer) + 20))
            pos = i + len(head)
    return spans


def _has_citation(starts: list[int], s: Span) -> bool:
    import bisect
    i = bisect.bisect_left(starts, s.start)
    return i < len(starts) and starts[i] < s.end


def _label_answer(answer: str) -> str:
    if not answer.strip():
        return "empty"
    if _NCND.search(answer):
        return "ncnd"
    if _IN_FULL.search(answer):
        return "content"
    if _REDACTED.search(answer):
        return "redacted"
    if _REFUSED.search(answer):
        return "refused"
    if _NOT_HELD.search(answer):
        return "not_held"
    return "content"


def _label_sentence(sent: str, cites: bool) -> str:
    if _NCND.search(sent):
        return "ncnd"
    if _IN_FULL.search(sent):
        return "positive"
    if _REDACTED.search(sent):
        return "redacted"
    if _REFUSED.search(sent) or cites and not _BOILER.search(sent):
        return "refused"
    if _NOT_HELD.search(sent):
        return "not_held"
    if _QUESTION.search(sent):
        return "question"
    if _POSITIVE.search(sent):
        return "positive"
    if _PENDING.search(sent):
        return "pending"
    if _BOILER.search(sent):
        return "boiler"
    if _TABLE.search(sent):
        return "table"
    return "neutral"


def _combine(labels: Counter[str], neutral_words: int) -> str:
    content = labels["content"] + labels["positive"] + labels["table"] + labels["digits"]
    has_content = content > 0 or neutral_words >= 25
    refused, not_held, redacted, ncnd = labels["refused"], labels["not_held"], labels["redacted"], labels["ncnd"]
    if labels["pending"] and not (labels["content"] or labels["positive"] or labels["table"] or refused or not_held):
        return "unknown"
    if ncnd:
        return "partial" if has_content and (labels["content"] or labels["positive"]) else "ncnd"
    if not (refused or not_held or redacted):
        return "disclosed" if has_content else "unknown"
    if has_content or redacted:
        return "partial"
    if refused:
        return "refused"
    return "not_held"

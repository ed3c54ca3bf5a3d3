"""The boilerplate classifier: paragraphs of wrapped text, the shape rules on real-looking and
real paragraphs, the frequency table, and a split's spans."""

from __future__ import annotations

import dataclasses
import random
import sys

import pytest

from indexer.boilerplate import (
    CommonParagraphs,
    fingerprint,
    known_common,
    paragraph_spans,
    resplit,
    shape_spans,
    split_pages,
    substance_of,
)

from .conftest import CORPUS, REAL_CORPUS

REAL = REAL_CORPUS / "sheffield"


def standard(text: str) -> bool:
    """Whether the whole of `text` (one paragraph) is boilerplate by shape."""
    spans = shape_spans(text, (0, len(text)))
    return sum(e - s for s, e, _ in spans) >= 0.9 * len(text.strip())


@pytest.mark.parametrize(
    "paragraph",
    [
        # complaint and internal-review rights
        "If you are unhappy with the response you have received in relation to your\nrequest, you are entitled "
        "to have this reviewed. You can ask for an\ninternal review by replying to this email.",
        "If you are not satisfied with the handling of your request, you have the right to ask for an internal "
        "review. Internal review requests should be made within 40 working days of the date of this letter.",
        "If you remain dissatisfied after the internal review you may complain to the Information Commissioner, "
        "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF.",
        # the Act, exemption explanations
        "The Freedom of Information Act 2000 states that we must respond to you within 20 working days.",
        "Section 40(2) of the Freedom of Information Act 2000 provides that personal information about third "
        "parties is exempt information if disclosure would contravene any of the data protection principles.",
        "Section 31 is a qualified exemption and requires a public interest test.",
        # copyright, re-use, data protection, footers
        "The information provided in this response is available for re-use under\nthe terms of the Open "
        "Government Licence v3.0.",
        "The information supplied to you continues to be protected by copyright. You are free to use it for "
        "your own purposes, including for private study and non-commercial research.",
        "Your personal data will be processed in accordance with the Data Protection Act 2018. Our privacy "
        "notice is available on our website.",
        "This e-mail and any files transmitted with it are confidential and intended solely for the use of the "
        "addressee. If you have received this email in error please notify the sender.",
        "Disclaimer: This message and any reply that you make will be published on\nthe internet.",
    ],
)
def test_standard_passages_are_boilerplate(paragraph):
    assert standard(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "I have completed the internal review you asked for of our handling of your request about consultancy "
        "contracts. I uphold the decision to withhold the prices under section 43(2).",
        "We repaired 4,212 potholes in 2022 and 3,987 in 2023. The average repair took 9 days.",
        "We received 1,214 subject access requests for personal information in 2023.",
        "The names of the staff involved are withheld under section 40 of the Act.",
        "Our internal audit team completed 31 audits in 2022/23; the reports are attached.",
        "How many freedom of information requests did you receive in quarter 1 2024?",
        # an exemption applied to this request, and a link to one of the regulator's decisions
        "As this is information, which is accessible to the applicant by other means, it is exempt from "
        "disclosure under section 21 of the Freedom of Information Act 2000.",
        "The information you have requested is exempt from disclosure under section 12 of the Freedom of "
        "Information Act 2000.",
        "The tribunal upheld the Council's appeal against the Information Commissioner's decision (decision "
        "notice FS50681336, https://ico.org.uk/media/action-weve-taken/decision-notices/2017/fs50681336.pdf).",
        "There is a National Police Prevent Case Management (PCM) database that is managed centrally.",
    ],
)
def test_what_a_reply_says_is_substance(paragraph):
    assert shape_spans(paragraph, (0, len(paragraph))) == []


def test_wrapped_lines_are_split_into_paragraphs_at_sentence_ends():
    text = (
        "Please find the council's response to your request set out\nbelow:\n"
        "We hold 12 records of this kind, which are attached to this\nemail.\n"
        "If you are unhappy with the response you have received, you\ncan ask for an internal review.\n\n"
        "Kind regards,\nThe FOI team"
    )
    paras = [text[s:e] for s, e in paragraph_spans(text)]
    assert paras[0].startswith("Please find") and paras[0].endswith("below:")
    assert paras[1].startswith("We hold") and paras[1].endswith("email.")
    assert paras[2].startswith("If you are unhappy")
    assert paras[3] == "Kind regards,"


def test_split_keeps_substance_and_spans_point_at_the_boilerplate():
    pages = [
        "We repaired 4,212 potholes in 2022.\n\nInternal review\n\n"
        "If you are not satisfied with this response you may ask for an internal review.",
        "Page two says the repairs cost 1.2 million pounds.",
    ]
    split = split_pages(pages)
    assert "potholes" in split.substance and "1.2 million" in split.substance
    assert "not satisfied" not in split.substance and "not satisfied" in split.boilerplate
    assert "Internal review" in split.boilerplate  # the heading goes with its paragraph
    assert [pages[0][s:e] for s, e in split.spans[0]][-1].startswith("If you are not satisfied")
    assert split.spans[1] == []
    assert substance_of(pages, split.spans) == split.substance


def test_common_paragraphs_become_boilerplate_and_questions_never_do(tmp_path):
    footer = "Our offices are open from nine until five on weekdays and the reception desk is on the ground floor."
    question = "How many potholes were reported on roads in the city during 2023 and how many were repaired?"
    assert fingerprint(footer) is not None and fingerprint(question) is None
    assert fingerprint("Kind regards, the team") is None  # too short to count
    assert fingerprint("Our offices,\nopen from NINE " + footer[25:]) == fingerprint(
        "Our offices open from nine " + footer[25:]
    )
    # a templated answer with other figures is another paragraph: its numbers are what it says
    assert fingerprint("We received 57 complaints about noise in 2023 from residents.") != fingerprint(
        "We received 12 complaints about noise in 2023 from residents."
    )

    table = CommonParagraphs()
    for n in range(CommonParagraphs.MIN_DOCUMENTS):
        assert footer not in split_pages([f"We hold {n} records.\n\n{footer}"], table.common()).boilerplate
        grew, stale = table.observe(
            split_pages([f"We hold {n} records.\n\n{footer}"], table.common()).counted, f"doc-{n}"
        )
    assert stale == [f"doc-{n}" for n in range(CommonParagraphs.MIN_DOCUMENTS - 1)]  # written before it was common
    assert grew and table.is_common(fingerprint(footer))
    split = split_pages([f"We hold 9 records.\n\n{footer}"], table.common())
    assert footer in split.boilerplate and split.common_used

    table.save(tmp_path)
    assert CommonParagraphs.load(tmp_path).counts == table.counts
    assert fingerprint(footer) in known_common(tmp_path)
    CommonParagraphs.reset(tmp_path)
    assert known_common(tmp_path) == frozenset() and CommonParagraphs.load(tmp_path).counts == {}


def test_the_frequency_table_stays_bounded(monkeypatch):
    monkeypatch.setattr(CommonParagraphs, "MAX_TRACKED", 1000)
    rng = random.Random(3)
    table = CommonParagraphs()
    repeated = [rng.getrandbits(62) for _ in range(20)]
    for n in range(300):
        table.observe([rng.getrandbits(62) for _ in range(10)] + repeated, f"doc-{n}")
        assert len(table.counts) <= 1000
        assert len(table._early) <= 1000  # the documents holding a paragraph not yet common
    assert all(table.is_common(fp) for fp in repeated)


def test_the_sample_corpus_keeps_its_answers_as_substance():
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text("utf-8", errors="replace")
        split = split_pages([text])
        assert len(split.substance) > len(text) * 0.4, path.name
    seed = (CORPUS / "syp-foi-20191213.txt").read_text("utf-8")
    assert split_pages([seed]).boilerplate == ""  # a reply with no standard passages


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus-real is not present")
def test_real_replies_complaint_paragraph_is_boilerplate_and_answers_are_not():
    files = sorted(REAL.glob("*.txt"))
    assert files
    with_complaints = 0
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        split = split_pages([text])
        if "internal review" in text.lower():
            # every Sheffield reply ends with the complaints paragraph: it must not stay in the substance
            assert "ask for an internal review" not in " ".join(split.substance.split()).lower(), path.name
            with_complaints += 1
        assert split.substance.strip(), path.name
    assert with_complaints >= 50
    evictions = (REAL / "609477_evictions_and_personal_property_16.txt").read_text("utf-8")
    substance = split_pages([evictions]).substance
    assert "Total evictions for 2018/19 = 219" in substance
    assert "The average cost of storing goods for the required periods is £125" in " ".join(substance.split())


def test_a_split_made_again_with_more_common_paragraphs_equals_a_split_made_with_them():
    """The indexing process re-splits a document whose paragraphs became common after its
    worker split it: from that split, looking again only at the paragraphs now common. It
    must be the split the worker would make with the larger set, paragraphs that were
    boilerplate by shape (and headings above a common one) included."""
    footer = "Our offices are open from nine until five on weekdays and the reception desk is on the ground floor."
    rng = random.Random(5)
    checked = 0
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text("utf-8", errors="replace")
        pages = [text[: len(text) // 2], text[len(text) // 2 :] + "\n\nOpening hours\n\n" + footer]
        fps = [fingerprint(page[s:e]) for page in pages for s, e in paragraph_spans(page)]
        fps = [fp for fp in fps if fp is not None]
        for _ in range(4):
            before = frozenset(rng.sample(fps, len(fps) // 4))
            after = before | frozenset(rng.sample(fps, len(fps) // 2)) | {fingerprint(footer)}
            first = split_pages(pages, before)
            again = resplit(pages, first, after)
            assert again == split_pages(pages, after), path.name
            # from the paragraphs the split recorded, or found again when it holds none
            assert first.paragraphs and resplit(pages, dataclasses.replace(first, paragraphs=[]), after) == again
            checked += again != first
    assert checked >= 8  # most re-splits changed something
    plain = split_pages(pages)
    assert resplit(pages, plain, frozenset()) is plain  # nothing common: the split stands


def _stored_table(tmp_path, counts: dict[int, int]) -> CommonParagraphs:
    table = CommonParagraphs(counts=dict(counts))
    table.changed = True
    table.save(tmp_path)
    return CommonParagraphs.load(tmp_path)


@pytest.mark.parametrize("lookups_in_place", [2_000, 3])
def test_counting_a_few_documents_on_a_stored_table_saves_what_a_dict_of_it_would(
    tmp_path, monkeypatch, lookups_in_place
):
    """A run that counts a few documents' paragraphs looks them up in the stored table's
    bytes instead of making a dict of every count: the same answers and the same file, also
    when it runs past LOOKUPS_IN_PLACE and the dict is made half way."""
    monkeypatch.setattr(CommonParagraphs, "LOOKUPS_IN_PLACE", lookups_in_place)
    rng = random.Random(5)
    # fingerprints whose bytes straddle two entries must not be found there
    stored = {rng.getrandbits(64): rng.randint(1, 3) for _ in range(300)}
    stored[2**64 - 1] = 4  # becomes common with one more sighting
    stored[7] = 2**32 - 1  # the most a count can hold
    keys = list(stored)
    straddling = int.from_bytes(
        keys[10].to_bytes(8, sys.byteorder)[4:] + keys[11].to_bytes(8, sys.byteorder)[:4], sys.byteorder
    )
    documents = [
        [keys[0], keys[1], 2**64 - 1, 12345],
        [keys[0], 12345, straddling, 7],
        [keys[2], 99, 100, keys[0]],
    ]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    in_place = _stored_table(tmp_path / "a", stored)
    as_dict = _stored_table(tmp_path / "b", stored)
    assert as_dict.counts == stored  # made into a dict before counting
    answers = []
    for n, fps in enumerate(documents):
        answers.append((in_place.observe(fps, f"d{n}"), as_dict.observe(fps, f"d{n}"), in_place.is_common(2**64 - 1)))
    assert [a for a, _, _ in answers] == [b for _, b, _ in answers]
    assert answers[0][0][0] and answers[0][2]  # the one seen a fifth time became common
    if lookups_in_place == 2_000:
        assert in_place._counts is None  # no dict was made
    in_place.save(tmp_path / "a")
    as_dict.save(tmp_path / "b")
    for name in (CommonParagraphs.FILE, CommonParagraphs.COMMON_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    loaded = CommonParagraphs.load(tmp_path / "a").counts
    assert loaded[keys[0]] == stored[keys[0]] + 3 and loaded[12345] == 2 and loaded[straddling] == 1
    assert loaded[7] == 2**32 - 1 and len(loaded) == len(stored) + 4


def test_a_stored_table_counted_in_place_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(CommonParagraphs, "MAX_TRACKED", 1000)
    rng = random.Random(9)
    table = _stored_table(tmp_path, {rng.getrandbits(62): 1 for _ in range(990)})
    for n in range(3):
        table.observe([rng.getrandbits(62) for _ in range(10)], f"doc-{n}")
    assert len(table.counts) <= 1000  # trimmed when the new fingerprints ran past its room


def test_the_common_set_is_written_again_only_when_it_grew(tmp_path):
    footer = 1234567
    table = CommonParagraphs()
    for n in range(CommonParagraphs.MIN_DOCUMENTS - 1):
        table.observe([footer, 10 + n], f"doc-{n}")
    table.save(tmp_path)
    common_file = tmp_path / CommonParagraphs.COMMON_FILE
    assert known_common(tmp_path) == frozenset()
    written = common_file.stat().st_ino

    table = CommonParagraphs.load(tmp_path)
    table.observe([99, 100], "other")  # nothing becomes common
    assert not table.is_common(footer)
    table.save(tmp_path)
    assert common_file.stat().st_ino == written  # left as it was
    assert CommonParagraphs.load(tmp_path).counts[99] == 1

    table = CommonParagraphs.load(tmp_path)
    assert table.observe([footer], "fifth")[0]
    table.save(tmp_path)
    assert known_common(tmp_path) == frozenset({footer})
    common_file.unlink()  # gone (or never written): written whatever changed
    table = CommonParagraphs.load(tmp_path)
    table.observe([99], "again")
    table.save(tmp_path)
    assert known_common(tmp_path) == frozenset({footer})

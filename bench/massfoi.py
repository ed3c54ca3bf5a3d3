"""A "mass FOI": one request sent to several authorities, each answering in its own words.

Library::

    from bench.massfoi import HOSPITAL_CRIME, write_replies
    labels = write_replies(out_dir, HOSPITAL_CRIME)

Every reply restates the same four questions in its authority's own wording and letter
layout (Question N/Answer, Q1/A1, a numbered request answered by number, Request N/
Response N), as real replies to one request do. Dates are explicit so that tests can put
the request and the replies around weekends and bank holidays and count working days by
hand. The authorities are real police forces; the letters, references and figures are
invented.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.generate import WEEKDAYS
from indexer.citation import day_month_year


def long_date(d: date, weekday: bool = False) -> str:
    text = day_month_year(d)
    return f"{WEEKDAYS[d.weekday()]} {text}" if weekday else text


@dataclass
class Reply:
    """One authority's reply. `questions` are its own wording of the request's questions,
    in the request's order; `answers[i]` is None where the reply leaves question i out."""

    file: str
    authority: str
    team: str
    address: str
    reference: str
    request_date: date
    date: date
    style: str  # question_answer | q_a | numbered | request_response
    questions: list[str]
    answers: list[str | None]
    outcome: str
    exemptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # paragraphs after the answers
    law: str = "the Freedom of Information Act 2000"

    def label(self) -> dict:
        return {
            "file": self.file,
            "reference": self.reference,
            "authority": self.authority,
            "date": self.date.isoformat(),
            "request_date": self.request_date.isoformat(),
            "exemptions": sorted(self.exemptions),
            "outcome": self.outcome,
            "qa_count": sum(a is not None for a in self.answers),
            "title": TITLE,
            "kind": "text",
            "pages": None,
            "law": "foi",
            "layout": "letter",
            "tables": 0,
            "table_pages": [],
            "encoding": "utf-8",
            "group": GROUP,
        }


TITLE = "Crimes recorded on hospital grounds"
GROUP = "hospital-crime-2024"


def _wrap(text: str) -> str:
    return "\n".join(textwrap.fill(p, 88) if p else "" for p in text.split("\n"))


def render(reply: Reply) -> str:
    """The reply as a plain-text letter."""
    out = [
        reply.authority,
        reply.team,
        reply.address,
        "",
        long_date(reply.date),
        f"Our reference: {reply.reference}",
        "",
        "Dear Requester",
        "",
        f"Freedom of Information Request: {TITLE}",
        "",
        f"Thank you for your request for information which we received on "
        f"{long_date(reply.request_date, weekday=True)}. It has been dealt with under {reply.law}.",
        "",
    ]
    numbered = list(enumerate(zip(reply.questions, reply.answers), start=1))
    if reply.style == "question_answer":
        out += ["Response", ""]
        for i, (q, a) in numbered:
            if a is not None:
                out += [f"Question {i}: {q}", f"Answer: {a}", ""]
    elif reply.style == "q_a":
        out += ["Our response", ""]
        for i, (q, a) in numbered:
            if a is not None:
                out += [f"Q{i} {q}", f"A{i} {a}", ""]
    elif reply.style == "numbered":
        out += ["Your request", "", "You asked for:", ""]
        out += [f"{i}. {q}" for i, (q, _) in numbered] + [""]
        out += ["Our response", ""]
        for i, (_, a) in numbered:
            if a is not None:
                out += [f"{i}. {a}", ""]
    elif reply.style == "request_response":
        for i, (q, a) in numbered:
            if a is not None:
                out += [f"Request {i}: {q}", f"Response {i}: {a}", ""]
    else:
        raise ValueError(f"unknown style {reply.style!r}")
    if reply.notes:
        out += ["Further information:", ""]
        for note in reply.notes:
            out += [note, ""]
    out += [
        "If you are dissatisfied with this response you may ask for an internal review within "
        "40 working days, and then complain to the Information Commissioner.",
        "",
        "Yours sincerely",
        "",
        "Freedom of Information Officer",
        reply.team,
        reply.authority,
        "",
    ]
    return "\n".join(_wrap(line) for line in out)


def write_replies(out_dir: Path, replies: list[Reply]) -> list[dict]:
    """Write each reply as UTF-8 text into `out_dir`; return their labels."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for reply in replies:
        (out_dir / reply.file).write_text(render(reply), encoding="utf-8")
    return [reply.label() for reply in replies]


# The request of 20 March 2024 (a Wednesday). Its 20th working day in England and Wales is
# Friday 19 April: Good Friday (29 March) and Easter Monday (1 April) are bank holidays, as
# are the weekends. In Scotland Easter Monday is a working day, so the 20th is Thursday 18 April.
REQUEST_DATE = date(2024, 3, 20)

HOSPITAL_CRIME = [
    Reply(
        file="wyp-2024-hospital-crime.txt",
        authority="West Yorkshire Police",
        team="Information Compliance Unit",
        address="PO Box 9, Laburnum Road, Wakefield WF1 3QP",
        reference="FOI-0512-24",
        request_date=REQUEST_DATE,
        date=date(2024, 4, 17),  # 18th working day
        style="question_answer",
        questions=[
            "How many crimes were recorded as occurring on hospital grounds in 2021, 2022 and 2023?",
            "How many of these crimes were violent offences?",
            "How many of the victims were NHS staff?",
            "How many arrests were made on hospital grounds in this period?",
        ],
        answers=[
            "2021: 1,204; 2022: 1,318; 2023: 1,402.",
            "2021: 611; 2022: 689; 2023: 742.",
            "2021: 288; 2022: 301; 2023: 337.",
            "2021: 402; 2022: 455; 2023: 470.",
        ],
        outcome="disclosed",
    ),
    Reply(
        file="merseyside-2024-hospital-crime.txt",
        authority="Merseyside Police",
        team="Corporate Information Unit",
        address="Canning Place, Liverpool L1 8JX",
        reference="2024/FOI/0871",
        request_date=REQUEST_DATE,
        date=date(2024, 4, 19),  # the 20th working day: on time
        style="q_a",
        questions=[
            "Please provide the number of offences recorded at hospital premises for each year from 2021 to 2023.",
            "Please break these figures down to show violence against the person offences.",
            "Please state how many of the victims were employed by the NHS.",
            "Please provide the number of people arrested at hospital premises over the same three years.",
        ],
        answers=[
            "2021 - 876, 2022 - 903, 2023 - 951.",
            "2021 - 402, 2022 - 433, 2023 - 459.",
            "This information is withheld under section 40(2) of the Act, as the numbers at some "
            "hospitals are small enough to identify the staff concerned.",
            "2021 - 215, 2022 - 240, 2023 - 262.",
        ],
        outcome="partial",
        exemptions=["s40(2)"],
        notes=["Section 40(2) is an absolute exemption: no public interest test is required."],
    ),
    Reply(
        file="police-scotland-2024-hospital-crime.txt",
        authority="Police Scotland",
        team="Information Management",
        address="Clyde Gateway, 2 French Street, Dalmarnock, Glasgow G40 4EH",
        reference="IM-FOI-2024-0733",
        request_date=REQUEST_DATE,
        date=date(2024, 4, 19),  # 20th working day in England, 21st in Scotland: late
        style="numbered",
        questions=[
            "The total number of crimes recorded within hospital grounds, by year, for 2021 to 2023.",
            "The number of those crimes that were crimes of violence.",
            "The number of crimes where the victim was a member of NHS staff.",
            "The number of arrests made within hospital grounds in those years.",
        ],
        answers=[
            "2021: 1,022. 2022: 1,090. 2023: 1,131.",
            "2021: 356. 2022: 371. 2023: 398.",
            "Not held. Police Scotland does not record the occupation of victims in a form that can be searched.",
            "2021: 310. 2022: 334. 2023: 349.",
        ],
        outcome="partial",
        law="the Freedom of Information (Scotland) Act 2002",
    ),
    Reply(
        file="tvp-2024-hospital-crime.txt",
        authority="Thames Valley Police",
        team="Information Access Team",
        address="Oxford Road, Kidlington OX5 2NX",
        reference="PD/FOI/2024/1173",
        request_date=REQUEST_DATE,
        date=date(2024, 5, 2),  # 29th working day: late
        style="request_response",
        questions=[
            "Crimes recorded on hospital sites in each of the years 2021, 2022 and 2023.",
            "How many of the crimes on hospital sites involved violence?",
            "How many offences had an NHS employee as the victim?",
            "Number of arrests on hospital sites in each year.",
        ],
        answers=[
            "2021 = 742, 2022 = 768, 2023 = 805.",
            "2021 = 301, 2022 = 322, 2023 = 340.",
            None,  # refused in a note below, not answered in turn: an empty cell
            "2021 = 188, 2022 = 197, 2023 = 214.",
        ],
        outcome="partial",
        exemptions=["s12"],
        notes=[
            "Part 3 of your request is refused: reading each crime report to find the victim's "
            "employer would exceed the cost limit under section 12 of the Act.",
            "We apologise for the delay in responding to your request.",
        ],
    ),
]

"""Generated corpora for relevance checks: FOI replies that all carry the standard passages
(complaint rights, copyright, exemption explanations) around what each one says.

Each corpus names its target: the document that should rank first for a query, and the
documents it must rank above. `python -m bench.relevance_corpus --foi PATH/foi` prints
the rank of each target on both engines (used to measure before and after a change).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

AUTHORITIES = [
    ("Leeds City Council", "Leeds"),
    ("Bristol City Council", "Bristol"),
    ("Kent Police", "Kent"),
    ("Cornwall Council", "Cornwall"),
    ("Nottingham City Council", "Nottingham"),
    ("Hampshire Constabulary", "Hampshire"),
    ("Norfolk County Council", "Norfolk"),
    ("Cardiff Council", "Cardiff"),
    ("Essex Police", "Essex"),
    ("Derby City Council", "Derby"),
    ("Brighton and Hove City Council", "Brighton"),
    ("York City Council", "York"),
]

# Standard passages as authorities write them (wording varies between authorities).
COMPLAINTS = [
    "If you are unhappy with the response you have received in relation to your request, you are entitled "
    "to have this reviewed. You can ask for an internal review by replying to this email. Internal review "
    "requests should be submitted within 40 working days from the date of this response.\n\n"
    "If you remain dissatisfied with the outcome of your internal review, you can contact the Information "
    "Commissioner's Office. Please see https://ico.org.uk/make-a-complaint/ for further details.",
    "If you are not satisfied with the handling of your request, you have the right to ask for an internal "
    "review. Internal review requests should be made in writing within 40 working days of the date of this "
    "letter to the Information Governance Team. If you are not content with the outcome of the internal "
    "review, you may apply directly to the Information Commissioner for a decision. The Information "
    "Commissioner can be contacted at: Information Commissioner's Office, Wycliffe House, Water Lane, "
    "Wilmslow, Cheshire, SK9 5AF.",
    "Your right to complain\n\nIf you are dissatisfied with the handling of your request you may ask for an "
    "internal review. Please contact the Freedom of Information Officer, quoting the reference above. "
    "If you remain dissatisfied after the internal review you may complain to the Information "
    "Commissioner, www.ico.org.uk.",
]
COPYRIGHT = [
    "The information provided in this response is available for re-use under the terms of the Open "
    "Government Licence v3.0. When re-using the information, the council requires you to include the "
    "following attribution statement: Contains public sector information licensed under the Open "
    "Government Licence v3.0.",
    "The information supplied to you continues to be protected by copyright. You are free to use it for "
    "your own purposes, including for private study and non-commercial research. Any other re-use, for "
    "example commercial publication, would require the permission of the copyright holder.",
]
SECTION_40 = (
    "Section 40(2) of the Freedom of Information Act 2000 provides that personal information about third "
    "parties is exempt information if disclosure would contravene any of the data protection principles. "
    "Section 40(2) is an absolute exemption and the public interest test does not apply. We consider that "
    "disclosing this personal information would not be lawful, fair and transparent."
)
ACT = (
    "Section 1 of the Freedom of Information Act 2000 places two duties on public authorities. Unless "
    "exemptions apply, the first duty is to confirm or deny whether the information requested is held. "
    "The second duty is to disclose information that has been confirmed as being held."
)
DATA_NOTICE = (
    "Your personal data will be processed in accordance with the Data Protection Act 2018 and the UK "
    "General Data Protection Regulation. Our privacy notice explains how we use personal information and "
    "is available on our website."
)

# What replies say: (slug, title, substance paragraphs). Some mention "review" or
# "internal" or "personal" in their substance, as real replies do.
SUBJECTS = [
    (
        "potholes",
        "Pothole repairs",
        [
            "We repaired 4,212 potholes in 2022 and 3,987 in 2023. The average time to repair a reported "
            "pothole was 9 days. Our highways team reviews the inspection regime every year.",
        ],
    ),
    (
        "street-lighting",
        "Street lighting",
        [
            "The council maintains 42,300 street lights. A review of street lighting energy use in 2021 led to "
            "part-night lighting on 6,100 residential roads.",
        ],
    ),
    (
        "audit",
        "Internal audit reports",
        [
            "Our internal audit team completed 31 audits in 2022/23. The audit plan is approved by the Audit "
            "Committee and the reports are attached.",
        ],
    ),
    (
        "parking",
        "Parking fines",
        [
            "We issued 61,204 penalty charge notices in 2023; 8,410 were cancelled after a formal challenge.",
        ],
    ),
    (
        "budgets",
        "Personal budgets in adult social care",
        [
            "In 2023, 3,120 adults received a personal budget for their social care. Of these, 1,480 took "
            "their personal budget as a direct payment. The average personal budget was 14,200 pounds a year.",
            "The names of the social workers who approved the budgets have been withheld; the exemption that "
            "applies is explained below.",
        ],
    ),
    (
        "carers",
        "Carers assessments",
        [
            "We completed 1,905 carers assessments in 2023. Carers received personal budgets of 400 pounds on "
            "average. A review of the carers strategy is due next year.",
        ],
    ),
    (
        "breaches",
        "Data breaches",
        [
            "We recorded 57 data breaches in 2023. Eleven involved personal information sent to the wrong "
            "recipient by email, nine involved letters sent to an old address and the rest involved lost "
            "papers or devices. Four were reported to the regulator as serious; none led to enforcement.",
            "Each breach is logged by the service that finds it and investigated by the data protection "
            "team, who decide whether the people affected must be told. Staff involved in a breach must "
            "complete refresher training within one month.",
            "The names of the staff involved are withheld under section 40 of the Act.",
        ],
    ),
    (
        "trees",
        "Street trees",
        [
            "We felled 311 street trees in 2022, 240 of them diseased. Replanting is reviewed by the tree "
            "officer each autumn.",
        ],
    ),
    (
        "agency",
        "Agency staff spend",
        [
            "Spend on agency staff was 12.4 million pounds in 2022/23. Internal recruitment filled 64% of vacancies.",
        ],
    ),
    (
        "schools",
        "School admissions appeals",
        [
            "There were 812 admissions appeals in 2023, of which 143 were upheld by the independent panel.",
        ],
    ),
    (
        "cctv",
        "CCTV cameras",
        [
            "The council operates 214 public space CCTV cameras. The camera network was reviewed in 2022.",
        ],
    ),
    (
        "fleet",
        "Electric vehicles in the fleet",
        [
            "There are 96 electric vehicles in the council fleet out of 640 vehicles.",
        ],
    ),
]
# The targets are long replies that name their subject once or twice, as real ones do: the
# standard passages of every other reply repeat the same words more densely.
CONTRACTS = (
    "The contracts concern consultancy support for the regeneration programme, the housing "
    "strategy and the transport plan. They were let through the regional framework after a "
    "mini-competition in which four suppliers took part, and each was signed by the director "
    "of resources. The contracts run for two years with an option to extend by one more year."
)
REVIEW_REPLY = (
    "review",
    "Consultancy contracts: outcome of your complaint",
    [
        "I have completed the internal review you asked for of our handling of your earlier request "
        "about consultancy contracts. I was not involved in the original response.",
        CONTRACTS,
        "I have considered whether the exemption under section 43 was correctly applied to the prices and "
        "whether the response was sent on time. It was sent 12 working days late, for which I apologise. "
        "I uphold the decision to withhold the contract prices under section 43(2), but I now release the "
        "names of the suppliers, which are attached.",
        CONTRACTS.replace("The contracts", "The attached schedule").replace("They were", "The work was"),
    ],
)
PERSONAL_INFO_REPLY = (
    "subject-access",
    "Subject access requests",
    [
        "We received 1,214 subject access requests in 2023 and answered 1,102 of them within one month. "
        "The requests that took longest were those to children's social care, where files are large and "
        "much of what they hold is about other family members.",
        "Requests for a third party's personal information are considered under section 40 of the Act; "
        "we received 88 such requests and refused 71.",
        "The team that answers these requests has six staff. It also handles requests under the "
        "Environmental Information Regulations, and its performance is reported to the information "
        "governance board every quarter together with the figures for complaints and appeals.",
    ],
)


@dataclass
class Target:
    query: str
    first: str  # the file that should rank first
    above: list[str] = field(default_factory=list)  # files it, and every substantive match, must beat


def _reply(
    rng: random.Random, authority: str, town: str, number: int, title: str, body: list[str], extra: list[str]
) -> str:
    parts = [
        f"{authority}\nFreedom of Information response\nOur ref: FOI-{number:04d}-23\nDate: {1 + number % 27} March 2023",
        f"Dear Requester,\n\nThank you for your request for information about {title.lower()}, received on "
        f"{1 + number % 20} February 2023.",
        *body,
        *extra,
        rng.choice(COPYRIGHT),
        rng.choice(COMPLAINTS),
        f"Yours sincerely,\n\nInformation Governance Team\n{authority}",
    ]
    return "\n\n".join(parts) + "\n"


def write_corpus(folder: Path, seed: int = 7) -> list[Target]:
    """The replies, one file each, and the targets that hold on them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for number, (slug, title, body) in enumerate(SUBJECTS + [REVIEW_REPLY, PERSONAL_INFO_REPLY], start=1):
        authority, town = AUTHORITIES[number % len(AUTHORITIES)]
        extra = [ACT] if number % 3 == 0 else []
        if slug in ("budgets", "carers", "breaches", "subject-access"):
            extra.append(SECTION_40)
        if number % 4 == 0:
            extra.append(DATA_NOTICE)
        name = f"{town.lower()}-{slug}.txt"
        (folder / name).write_text(_reply(rng, authority, town, number, title, body, extra), encoding="utf-8")
        names[slug] = name
    everything = sorted(names.values())
    return [
        Target("internal review", names["review"], [n for n in everything if n != names["review"]]),
        Target("section 40 personal information", names["breaches"], [names["budgets"], names["carers"]]),
        Target("section 40 personal information", names["subject-access"], [names["budgets"], names["carers"]]),
    ]


def ranks(foi: str, folder: Path, queries: list[str], engine: str) -> dict[str, list[str]]:
    """The files each query ranks, best first, as `foi search --json` gives them."""
    out: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FOI_ENGINE": engine}
        home = Path(foi).resolve().parents[2]  # the checkout of that foi: its workers import from there
        subprocess.run(
            [foi, "index", str(folder), "--index", tmp, "--json", "--engine", engine],
            check=True,
            capture_output=True,
            env=env,
            cwd=home,
        )
        for query in dict.fromkeys(queries):
            run = subprocess.run(
                [foi, "search", query, "--index", tmp, "--json", "--limit", "200"],
                capture_output=True,
                text=True,
                env=env,
                cwd=home,
            )
            out[query] = [Path(json.loads(line)["doc_id"]).name for line in run.stdout.splitlines() if line.strip()]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--foi", default=str(Path(sys.executable).with_name("foi")), help="the foi command to measure")
    parser.add_argument("--folder", type=Path, help="also rank these queries on this folder (e.g. corpus-real)")
    parser.add_argument("--query", action="append", default=[], help="a query to rank on --folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "replies"
        targets = write_corpus(folder)
        for engine in ("whoosh", "tantivy"):
            found = ranks(args.foi, folder, [t.query for t in targets], engine)
            for t in targets:
                hits = found[t.query]
                rank = hits.index(t.first) + 1 if t.first in hits else None
                beaten = [n for n in t.above if n in hits and (rank is None or hits.index(n) + 1 < rank)]
                print(
                    f"{engine:8} {t.query!r:36} {t.first:32} rank {rank} of {len(hits)}; ranked above it: {len(beaten)}"
                )
    if args.folder:
        for engine in ("whoosh", "tantivy"):
            found = ranks(args.foi, args.folder, args.query, engine)
            for query, hits in found.items():
                print(f"{engine:8} {query!r:36} {len(hits)} hits; top 5: {', '.join(hits[:5])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

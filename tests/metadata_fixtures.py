"""Labelled FOI responses for measuring metadata extraction, generated from templates.

Each fixture is a response text plus the expected value of every field. The templates
differ in layout (headed letter, email, Q1/A1, prose refusal, WhatDoTheyKnow thread,
inline numbered questions, tables), wording, date style, reference style and how the
authority is named (letterhead, signature, email domain, abbreviation only, pattern-only
bodies the gazetteer does not list). Distractors are deliberate: other bodies named in the
text, deadlines and quoted-email dates, "we are not relying on section 40", a "Your ref".

The real seed (corpus/syp-foi-20191213.txt) is added with its expected values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "corpus" / "syp-foi-20191213.txt"

FIELDS = ("title", "authority", "reference", "date", "request_date", "exemptions", "ncnd", "outcome", "qa")


@dataclass
class Fixture:
    name: str
    text: str
    expected: dict = field(default_factory=dict)


# --- authorities and how a letter names them ----------------------------------------------


@dataclass(frozen=True)
class Body:
    canonical: str
    letterhead: str | None  # first lines of the letter, or None
    signature: str  # signature block after the sign-off
    email: str | None  # sender address
    mention: str  # how the body text refers to itself
    hint: str  # "your force", "the Council"... used in questions
    other: str  # another body named in the text (a distractor)


BODIES = [
    Body(
        "South Yorkshire Police",
        "South Yorkshire Police\nCarbrook House, Sheffield S9 2EH",
        "Information Management Unit\nSouth Yorkshire Police",
        "foi@southyorks.pnn.police.uk",
        "SYP",
        "your force",
        "the Home Office",
    ),
    Body(
        "Metropolitan Police Service",
        None,
        "Public Access Office",
        "foi@met.police.uk",
        "the MPS",
        "your force",
        "the Home Office",
    ),
    Body(
        "Greater Manchester Police",
        None,
        "Information Compliance Team\nGMP",
        None,
        "GMP",
        "your force",
        "the College of Policing",
    ),
    Body(
        "West Yorkshire Police",
        "WEST YORKSHIRE POLICE\nPO Box 9, Wakefield WF1 3QP",
        "Disclosure Unit\nWest Yorkshire Police",
        None,
        "West Yorkshire Police",
        "your force",
        "the National Crime Agency",
    ),
    Body(
        "British Transport Police",
        None,
        "Freedom of Information Unit\nBritish Transport Police",
        "foi@btp.police.uk",
        "BTP",
        "your force",
        "Network Rail",
    ),
    Body(
        "Police Scotland",
        "Police Scotland\nInformation Management",
        "Information Management - Glasgow\nPolice Scotland",
        None,
        "Police Scotland",
        "your force",
        "the Scottish Government",
    ),
    Body(
        "Home Office",
        "Home Office\n2 Marsham Street, London SW1P 4DF",
        "Information Rights Team\nHome Office",
        "foirequests@homeoffice.gov.uk",
        "the Home Office",
        "the Department",
        "the Metropolitan Police Service",
    ),
    Body(
        "Ministry of Justice",
        None,
        "Data Access and Compliance Unit\nMinistry of Justice",
        "data.access@justice.gov.uk",
        "the MoJ",
        "the Department",
        "HM Courts & Tribunals Service",
    ),
    Body(
        "HM Revenue and Customs",
        "HM Revenue & Customs\nFOI Team",
        "HMRC Freedom of Information Team",
        None,
        "HMRC",
        "the Department",
        "HM Treasury",
    ),
    Body(
        "Department for Education",
        None,
        "Ministerial and Public Communications Division\nDepartment for Education",
        None,
        "the DfE",
        "the Department",
        "Ofsted",
    ),
    Body(
        "Sheffield City Council",
        None,
        "Information Management Team\nSheffield City Council\nPO Box 1283, Sheffield S1 1UJ",
        "foi@sheffield.gov.uk",
        "the Council",
        "your council",
        "South Yorkshire Police",
    ),
    Body(
        "Leeds City Council",
        "Leeds City Council\nCivic Hall, Leeds LS1 1UR",
        "Information Governance\nLeeds City Council",
        None,
        "Leeds City Council",
        "your council",
        "West Yorkshire Police",
    ),
    Body(
        "Barnsley Metropolitan Borough Council",
        "Barnsley Metropolitan Borough Council",
        "Information Governance Team",
        None,
        "the Council",
        "your council",
        "Sheffield City Council",
    ),
    Body(
        "Harrogate Borough Council",
        "Harrogate Borough Council\nCivic Centre, Harrogate",
        "Customer Services\nHarrogate Borough Council",
        None,
        "Harrogate Borough Council",
        "your council",
        "North Yorkshire Police",
    ),
    Body(
        "Leeds Teaching Hospitals NHS Trust",
        "Leeds Teaching Hospitals NHS Trust\nSt James's University Hospital",
        "Freedom of Information Office\nLeeds Teaching Hospitals NHS Trust",
        None,
        "the Trust",
        "your trust",
        "NHS England",
    ),
    Body(
        "Sheffield Teaching Hospitals NHS Foundation Trust",
        None,
        "Information Governance\nSheffield Teaching Hospitals NHS Foundation Trust",
        None,
        "the Trust",
        "your trust",
        "the Care Quality Commission",
    ),
    Body(
        "University of Sheffield",
        "University of Sheffield\nFirth Court, Western Bank",
        "Information Governance Team",
        None,
        "the University",
        "your university",
        "the Office for Students",
    ),
    Body(
        "Kent County Council",
        None,
        "Information Resilience and Transparency Team\nKent County Council",
        "foi@kent.gov.uk",
        "KCC",
        "your council",
        "Kent Police",
    ),
    Body(
        "Cabinet Office",
        "Cabinet Office\n70 Whitehall, London SW1A 2AS",
        "FOI Team\nCabinet Office",
        None,
        "the Cabinet Office",
        "the Department",
        "HM Treasury",
    ),
    Body(
        "Rotherham Metropolitan Borough Council",
        None,
        "Information Governance\nRotherham Metropolitan Borough Council",
        "foi@rotherham.gov.uk",
        "RMBC",
        "your council",
        "South Yorkshire Police",
    ),
]

# --- date and reference styles --------------------------------------------------------------


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


DATE_STYLES = [
    lambda d: f"{_ordinal(d.day)} {d:%B %Y}",  # 18th June 2019
    lambda d: f"{d:%d/%m/%Y}",  # 18/06/2019
    lambda d: d.isoformat(),  # 2019-06-18
    lambda d: f"{d:%B} {d.day}, {d.year}",  # June 18, 2019 (US style)
    lambda d: f"{d.day} {d:%b %Y}",  # 18 Jun 2019
    lambda d: f"{d:%A} {d.day} {d:%B %Y}",  # Tuesday 18 June 2019
    lambda d: f"{d:%d.%m.%Y}",  # 18.06.2019
    lambda d: f"{d.day} {d:%B %Y}",  # 18 June 2019
]


@dataclass(frozen=True)
class RefStyle:
    line: str | None  # how the reference is printed, {ref} placeholder
    value: str | None  # the reference as written
    headline: bool = False  # printed as the letter's heading instead of a label line


def ref_styles(i: int) -> RefStyle:
    n = 1000 + i * 137
    styles = [
        RefStyle("Reference No:{ref}", f"2019{n:04d}"),
        RefStyle("Our ref: {ref}", f"FOI-{n}-19"),
        RefStyle("FOI {ref}", f"2020/{n}", headline=True),
        RefStyle("Request ID {ref}", f"{n:06d}"),
        RefStyle("Our Reference: {ref}", f"FOI/2021/{n:04d}"),
        RefStyle("Case Number: {ref}", f"{n}"),
        RefStyle(None, None),
        RefStyle("Your ref: ABC/{n}\nOur ref: {ref}".replace("{n}", str(n)), f"{n}/22"),
        RefStyle("Our ref: {ref}", f"FOI2022/0{n}"),
        RefStyle("Your reference: JS/{n}".replace("{n}", str(n)), None),
    ]
    s = styles[i % len(styles)]
    if s.value and s.headline:
        return RefStyle(s.line, "FOI " + s.value, True)
    return s


# --- what the response says: scenarios --------------------------------------------------------


@dataclass
class Scenario:
    topic: str
    questions: list[str]
    answers: list[str]  # one per question
    notes: list[str]  # paragraphs after the answers
    exemptions: list[str]
    outcome: str
    ncnd: bool = False
    qa: bool = True  # the answers are answers (False: a prose letter, e.g. a refusal)


def scenarios(body: Body) -> list[Scenario]:
    me, hint, other = body.mention, body.hint, body.other
    me_cap = me[0].upper() + me[1:]
    return [
        Scenario(
            "Body-worn video cameras",
            [f"How many body-worn video cameras does {hint} own?", "How much was spent on them in 2018/19?"],
            ["1,240 cameras are currently in use.", "£312,000 was spent in the 2018/19 financial year."],
            [f"{me_cap} purchased the cameras through a national framework agreed with {other}."],
            [],
            "disclosed",
        ),
        Scenario(
            "Fleet vehicles",
            ["How many electric vehicles are in the fleet?", "How many charging points have been installed?"],
            ["There are 37 electric vehicles.", "54 charging points have been installed since 2017."],
            [
                "Please note that we are not relying on section 40 for this response and no information has been "
                "withheld."
            ],
            [],
            "disclosed",
        ),
        Scenario(
            "Staff vetting",
            ["How many staff failed vetting in 2019?", "Please provide the names of the staff concerned."],
            [
                "14 members of staff failed vetting in 2019.",
                "The names of the individuals are exempt from disclosure under Section 40(2) of the Freedom of "
                "Information Act 2000 as they are personal data of third parties.",
            ],
            [],
            ["s40(2)"],
            "partial",
        ),
        Scenario(
            "Drones",
            [f"Does {hint} use drones?", "What was the cost of the drone programme in 2018?"],
            ["Yes.", "We do not hold this information. Costs are not recorded separately."],
            [],
            [],
            "partial",
        ),
        Scenario(
            "Overtime payments",
            [
                "What was the total overtime bill in 2019?",
                "Please break this down by every individual employee and shift.",
            ],
            [
                "The total overtime bill for 2019 was £4.2 million.",
                "To provide a breakdown by individual and shift would exceed the appropriate limit under s.12 of "
                "the Act, as each of 4,000 payroll records would need to be reviewed by hand.",
            ],
            [],
            ["s12"],
            "partial",
        ),
        Scenario(
            "Emails mentioning a named journalist",
            ["Please provide all emails sent or received since 2015 that mention the journalist."],
            [""],
            [
                f"We estimate that locating, retrieving and extracting this information would exceed the cost "
                f"limit of £600 set out in the Fees Regulations. Section 12(1) of the Freedom of Information Act "
                f"2000 therefore applies and {me} is not obliged to comply with your request.",
                "You may wish to refine your request to a shorter period or a named mailbox.",
            ],
            ["s12(1)"],
            "refused",
            qa=False,
        ),
        Scenario(
            "Counter-terrorism deployments",
            ["Please provide the locations of armed patrols deployed in 2019."],
            [""],
            [
                "The information you have requested is exempt by virtue of sections 24(1) and 31(1)(a) of the "
                "Freedom of Information Act 2000. Disclosure would be likely to prejudice national security and "
                "the prevention or detection of crime.",
                "Both are qualified exemptions and the public interest test has been applied. Factors favouring "
                "disclosure include transparency. Factors favouring non-disclosure include the safety of the "
                "public. On balance the public interest in maintaining the exemptions outweighs that in "
                "disclosure, and the information is therefore withheld.",
            ],
            ["s24(1)", "s31(1)(a)"],
            "refused",
            qa=False,
        ),
        Scenario(
            "Repeated requests about one officer",
            ["Please provide every record that mentions the officer."],
            [""],
            [
                "This request is the ninth on the same subject in twelve months. We consider it vexatious and are "
                "refusing it under section 14(1) of the Act."
            ],
            ["s14(1)"],
            "refused",
            qa=False,
        ),
        Scenario(
            "Facial recognition trials",
            [f"Has {hint} trialled live facial recognition?", "If so, please provide the evaluation report."],
            ["", ""],
            [
                f"I can confirm that {me} does not hold any information relevant to your request. No such trial "
                "has taken place."
            ],
            [],
            "not_held",
            qa=False,
        ),
        Scenario(
            "Covert surveillance of a campaign group",
            ["Has the campaign group been subject to covert surveillance?"],
            [""],
            [
                f"{me_cap} can neither confirm nor deny that it holds the information you have requested, by "
                "virtue of section 23(5) and section 24(2) of the Freedom of Information Act 2000.",
                "This should not be taken as an indication that the information you requested does or does not exist.",
            ],
            ["s23(5)", "s24(2)"],
            "ncnd",
            ncnd=True,
            qa=False,
        ),
        Scenario(
            "Air quality monitoring",
            [
                "Please provide the nitrogen dioxide readings for 2019.",
                "Please provide every email about air quality since 2010.",
            ],
            [
                "The 2019 readings are attached as a spreadsheet.",
                "This part of your request is manifestly unreasonable and is refused under regulation 12(4)(b) of "
                "the Environmental Information Regulations 2004, as it would involve reviewing over 30,000 emails.",
            ],
            [],
            ["eir12(4)(b)"],
            "partial",
        ),
        Scenario(
            "Planning enforcement file",
            ["Please provide the enforcement file for the site."],
            ["Please find the file attached."],
            [
                "The names and contact details of members of the public have been redacted under Regulation 13 "
                "EIR, as they are personal data."
            ],
            ["eir13"],
            "disclosed",
        ),  # personal data taken out of a released file (outcome rule 6)
        Scenario(
            "Contract prices",
            ["Who is the supplier of the IT contract?", "What are the unit prices in the contract?"],
            [
                "The supplier is Civica UK Ltd.",
                "The unit prices are withheld under section 43(2) (commercial interests), as disclosure would be "
                "likely to prejudice the supplier's commercial interests.",
            ],
            [],
            ["s43(2)"],
            "partial",
        ),
        Scenario(
            "Speed camera revenue",
            ["How much revenue did speed cameras raise in 2018?"],
            [
                "This information is published on our website at www.example.gov.uk/speed and is therefore "
                "reasonably accessible to you by other means. Section 21 of the Act applies."
            ],
            [],
            ["s21"],
            "disclosed",
        ),
        Scenario(
            "Complaints against staff",
            ["Please provide the names of staff who received complaints in 2020."],
            [""],
            [
                "The names you have requested are personal data. They are exempt under section 40 (2) and "
                "section 40(3A)(a) of the FOIA and will not be disclosed."
            ],
            ["s40(2)", "s40(3A)(a)"],
            "refused",
            qa=False,
        ),
        Scenario(
            "Cyber security incidents",
            ["How many cyber attacks were recorded in 2021?", "What software is used to detect them?"],
            [
                "326 attempted attacks were recorded.",
                "We are withholding this under s31(1)(a) and s.24(1), as it would assist those seeking to attack "
                "our systems.",
            ],
            [],
            ["s31(1)(a)", "s24(1)"],
            "partial",
        ),
        Scenario(
            "Taser discharges",
            ["How many times was a Taser discharged in 2020?", "How many of those were on children?"],
            [
                "There were 212 discharges in 2020.",
                "This information is not held by us in a retrievable form, because age is not captured "
                "on the use of force form.",
            ],
            [],
            [],
            "partial",
        ),
        Scenario(
            "Informant payments",
            ["How much was paid to covert human intelligence sources in 2021?"],
            [""],
            [
                f"In accordance with s.23(5), s.30(3) and s.31(3) of the Act, {me} will neither confirm nor deny "
                "whether it holds information of the kind you have requested."
            ],
            ["s23(5)", "s30(3)", "s31(3)"],
            "ncnd",
            ncnd=True,
            qa=False,
        ),
        Scenario(
            "Library opening hours",
            ["Please provide the opening hours of each library.", "Please provide the staffing budget."],
            ["Please see the attached spreadsheet.", "The staffing budget for 2022/23 is £2.1m."],
            [
                "We have considered whether any exemptions apply and have decided that the information can be "
                "released in full."
            ],
            [],
            "disclosed",
        ),
    ]


HOLDING_LETTERS = [
    # (paragraphs, expected outcome): letters that are not yet a response
    (
        [
            "Your request has been logged and will be dealt with under the Freedom of Information Act 2000.",
            "We will respond within 20 working days.",
        ],
        "unknown",
    ),
    (
        [
            "Before we can process your request we need you to clarify which years you are interested in.",
            "Please reply to this letter with the clarification and we will then begin work on your request.",
        ],
        "unknown",
    ),
]

# --- layouts ----------------------------------------------------------------------------------


def _sign(body: Body) -> str:
    return f"Yours sincerely,\n\nJ. Smith\n{body.signature}" + (f"\nEmail: {body.email}" if body.email else "")


def _ref_line(ref: RefStyle) -> str:
    return ref.line.format(ref=ref.value) if ref.line else ""


def headed_letter(body, sc, ref, d, rd, ds):
    """Like the seed: date line, heading with reference, REQUEST / RESPONSE sections."""
    head = [ds(d), ""]
    if body.letterhead:
        head = [body.letterhead, "", *head]
    ref_txt = f" – {_ref_line(ref)}" if ref.line and "\n" not in ref.line else ""
    extra = f"{_ref_line(ref)}\n\n" if ref.line and "\n" in ref.line else ""
    lines = [
        *head,
        extra + f"**Freedom of Information Request{ref_txt}**",
        "",
        "**REQUEST**",
        "",
        f"*I am writing to ask about {sc.topic.lower()} held by {body.hint.replace('your ', 'your ')}.*",
        "",
    ]
    lines += [f"- {i}) {q}*" for i, q in enumerate(sc.questions, 1)]
    lines += ["", "**RESPONSE**", "", f"I approached {body.mention} departments for assistance with your request.", ""]
    if sc.qa:
        for i, (q, a) in enumerate(zip(sc.questions, sc.answers), 1):
            lines += [f"Question {i}: {q}", "", f"**Answer: {a}**", ""]
    lines += [*sc.notes, "", _sign(body)]
    title = f"I am writing to ask about {sc.topic.lower()} held by {body.hint}"
    return "\n".join(lines), title, rd is None


def email_letter(body, sc, ref, d, rd, ds):
    """An email with its own header, 'You asked:' numbered questions and 'Our response:'."""
    subject_ref = f"{ref.value} " if ref.value and not ref.line.startswith("Your") else ""
    lines = []
    if body.email:
        lines += [f"From: FOI <{body.email}>"]
    lines += [f"Sent: {ds(d)}", "To: A Requester", f"Subject: RE: FOI {subject_ref}- {sc.topic}", ""]
    if ref.line:
        lines += [_ref_line(ref), ""]
    lines += [
        "Dear Ms Jones,",
        "",
        f"Thank you for your email of {DATE_STYLES[1](rd)} requesting information about {sc.topic.lower()}.",
        "",
        "You asked:",
        "",
    ]
    lines += [f"{i}. {q}" for i, q in enumerate(sc.questions, 1)]
    lines += ["", "Our response:", ""]
    if sc.qa:
        lines += [f"{i}. {a}" for i, a in enumerate(sc.answers, 1)]
        lines += [""]
    lines += [*sc.notes, "", f"Kind regards,\n\nFreedom of Information Team\n{body.signature}"]
    return "\n".join(lines), sc.topic, False


def q_a_letter(body, sc, ref, d, rd, ds):
    """Letterhead, 'Our ref' and 'Date:' labels, 'Re:' line, Q1/A1 pairs."""
    lines = []
    if body.letterhead:
        lines += [body.letterhead, ""]
    if ref.line:
        lines += [_ref_line(ref)]
    lines += [
        f"Date: {ds(d)}",
        "",
        "Dear Mr Patel,",
        "",
        f"Re: Request for information – {sc.topic}",
        "",
        f"I write in response to your request received on {DATE_STYLES[7](rd)}. {body.mention[0].upper() + body.mention[1:]}"
        " has considered your request and the response is set out below.",
        "",
    ]
    if sc.qa:
        for i, (q, a) in enumerate(zip(sc.questions, sc.answers), 1):
            lines += [f"Q{i}. {q}", f"A{i}. {a}", ""]
    else:
        lines += [f"You asked: {' '.join(sc.questions)}", ""]
    lines += [
        *sc.notes,
        "",
        "If you are dissatisfied with this response you may ask for an internal review, and then complain "
        "to the Information Commissioner's Office (ICO).",
        "",
        _sign(body),
    ]
    return "\n".join(lines), sc.topic, False


def prose_letter(body, sc, ref, d, rd, ds):
    """A refusal-style letter: date, reference, heading, prose paragraphs."""
    lines = [ds(d), ""]
    if body.letterhead:
        lines = [body.letterhead, "", *lines]
    if ref.line:
        lines += [_ref_line(ref), ""]
    lines += [
        "Dear Ms Okafor,",
        "",
        f"FREEDOM OF INFORMATION ACT 2000 – {sc.topic.upper()}",
        "",
        f'I refer to your request dated {DATE_STYLES[0](rd)} in which you asked: "{" ".join(sc.questions)}"',
        "",
    ]
    if sc.qa:
        lines += [f"{a}" for a in sc.answers] + [""]
    lines += [
        *sc.notes,
        "",
        "Your right to complain: you may ask for an internal review within 40 working days.",
        "",
        _sign(body),
    ]
    return "\n".join(lines), sc.topic.title() if sc.topic.isupper() else sc.topic, False


def wdtk_thread(body, sc, ref, d, rd, ds):
    """A WhatDoTheyKnow-style final email: no date of its own, quoted acknowledgement and request."""
    name = body.canonical
    lines = [
        "Dear Ms Lee,",
        f"Thank you for your request for information relating to {sc.topic} which we received on",
        f"{rd:%d/%m/%Y}.",
        f"Please find {name}’s response to your request set out below:",
    ]
    if sc.qa:
        for i, (q, a) in enumerate(zip(sc.questions, sc.answers), 1):
            lines += [f"{i}. {q}", a]
    lines += [
        *sc.notes,
        "If you have any queries about this response, please do not hesitate to contact us.",
        "Kind Regards,",
        name,
        f"Email: [{name} request email]",
    ]
    ack = date.fromordinal(rd.toordinal() + 2)
    ref_txt = f" – Reference – {ref.value}" if ref.value else ""
    lines += [
        "From: FOI",
        f"Sent: {ack:%A, %B} {ack.day}, {ack.year} 10:20 AM",
        "To: Ms Lee <[FOI #777 email]>",
        f"Subject: Re – Freedom of Information Request{ref_txt}",
        "Dear Ms Lee,",
        f"Thank you for your request for information relating to {sc.topic} which we received on {rd:%d/%m/%Y}.",
        f"We must respond within 20 working days, by {date.fromordinal(rd.toordinal() + 28):%d/%m/%Y}.",
        "Yours sincerely,",
        name,
        "From: Ms Lee <[FOI #777 email]>",
        f"Sent: {rd:%A, %B} {rd.day}, {rd.year} 8:57 PM",
        f"To: FOI <[{name} request email]>",
        f"Subject: Freedom of Information request - {sc.topic}",
        f"Dear {name},",
    ]
    lines += [q for q in sc.questions]
    lines += [
        "Yours faithfully,",
        "Ms Lee",
        "-" * 60,
        "Please use this email address for all replies to this request:",
        "[FOI #777 email]",
    ]
    return "\n".join(lines), sc.topic, None


def inline_numbered(body, sc, ref, d, rd, ds):
    """Council style: reference and date in a header table, numbered question lines, answers under them."""
    lines = [f"{body.letterhead or body.canonical}", ""]
    hdr = []
    if ref.line and "\n" not in ref.line:
        hdr.append(_ref_line(ref))
    elif ref.line:
        lines += [_ref_line(ref)]
    hdr.append(f"Date: {ds(d)}")
    lines += [
        "    ".join(hdr),
        "",
        "Dear Requester",
        "",
        f"Your request for information about {sc.topic.lower()}, which we received on {DATE_STYLES[2](rd)}, "
        "has now been considered.",
        "",
    ]
    if sc.qa:
        for i, (q, a) in enumerate(zip(sc.questions, sc.answers), 1):
            q = q if q.endswith("?") else q.rstrip(".") + "?"
            lines += [f"{i}. {q}", f"   {a}", ""]
    lines += [*sc.notes, "", "Regards", "", body.signature]
    return "\n".join(lines), sc.topic.lower(), False


def table_letter(body, sc, ref, d, rd, ds):
    """Markdown-ish: a details table at the top, 'Question:'/'Response:' blocks, a footer."""
    lines = [f"# {body.canonical}", "", "| | |", "|---|---|"]
    if ref.value and "\n" not in (ref.line or ""):
        lines += [f"| Request reference | {ref.value} |"]
    lines += [f"| Date of response | {ds(d)} |", f"| Date request received | {rd:%d %B %Y} |", ""]
    if ref.line and "\n" in ref.line:
        lines += [_ref_line(ref), ""]
    lines += [f"## {sc.topic}", "", "Dear Sir or Madam,", ""]
    if sc.qa:
        for q, a in zip(sc.questions, sc.answers):
            lines += [f"Question: {q}", f"Response: {a}", ""]
    else:
        lines += [f"Your request: {' '.join(sc.questions)}", ""]
    lines += [
        *sc.notes,
        "",
        "Regards,",
        "",
        body.signature,
        "",
        "This response may be published in our disclosure log.",
    ]
    return "\n".join(lines), sc.topic, False


def nhs_style(body, sc, ref, d, rd, ds):
    """Salutation first, reference in the opening line, numbered questions then numbered answers
    under 'Our response', signed off with a job title only and the body's name in a footer."""
    ref_txt = f" (our reference {ref.value})" if ref.value else ""
    lines = [
        f"{ds(d)}",
        "",
        "Dear Dr Evans,",
        "",
        f"Thank you for your Freedom of Information request{ref_txt}, received by {body.mention} on "
        f"{rd.day} {rd:%B %Y}, about {sc.topic.lower()}.",
        "",
        "Information requested",
        "",
    ]
    lines += [f"{i}) {q}" for i, q in enumerate(sc.questions, 1)]
    lines += ["", "Our response", ""]
    if sc.qa:
        lines += [f"{i}) {a}" for i, a in enumerate(sc.answers, 1)] + [""]
    lines += [
        *sc.notes,
        "",
        "With kind regards",
        "",
        "Head of Information Governance",
        "",
        f"{body.canonical} | {body.email or 'Registered office'}",
    ]
    return "\n".join(lines), sc.topic.lower(), False


LAYOUTS = [headed_letter, email_letter, q_a_letter, prose_letter, wdtk_thread, inline_numbered, table_letter, nhs_style]


def _expected_qa(layout, sc: Scenario) -> int:
    if not sc.qa:
        return 0
    if layout is prose_letter:
        return 0
    return len(sc.questions)


def generated(count: int = 64) -> list[Fixture]:
    """The template fixtures, deterministic: strides coprime with each list's length spread
    bodies, scenarios, layouts, reference and date styles across the set."""
    out: list[Fixture] = []
    for j in range(count):
        body = BODIES[(j * 7) % len(BODIES)]
        scs = scenarios(body)
        sc = scs[(j * 5) % len(scs)]
        layout = LAYOUTS[j % len(LAYOUTS)]
        if not sc.qa and layout in (email_letter, wdtk_thread, inline_numbered, nhs_style):
            layout = prose_letter  # these layouts are built around answered questions
        ref = ref_styles(j)
        ds = DATE_STYLES[(j * 3) % len(DATE_STYLES)]
        d = date(2019 + (j % 5), 1 + (j * 5) % 12, 1 + (j * 7) % 28)
        rd = date.fromordinal(d.toordinal() - 15 - j % 10)
        text, title, _ = layout(body, sc, ref, d, rd, ds)
        out.append(
            Fixture(
                f"{j:02d}-{layout.__name__}-{body.canonical.split()[0].lower()}",
                text,
                {
                    "title": title,
                    "authority": body.canonical,
                    "reference": ref.value,
                    "date": None if layout is wdtk_thread else d.isoformat(),
                    "request_date": None if layout is headed_letter else rd.isoformat(),
                    "exemptions": sc.exemptions,
                    "ncnd": sc.ncnd,
                    "outcome": sc.outcome,
                    "qa": _expected_qa(layout, sc),
                },
            )
        )
    out.extend(_holding_letters())
    return out


def _holding_letters() -> list[Fixture]:
    out = []
    for i, (paras, outcome) in enumerate(HOLDING_LETTERS):
        body = BODIES[(i * 5 + 3) % len(BODIES)]
        d = date(2021, 3 + i, 9 + i)
        rd = date(2021, 2 + i, 20)
        ref = ref_styles(i + 1)
        text = "\n".join(
            [
                body.letterhead or body.canonical,
                "",
                _ref_line(ref),
                f"Date: {d:%d %B %Y}",
                "",
                "Dear Mr Brown,",
                "",
                f"Thank you for your request dated {rd:%d/%m/%Y} about parking fines.",
                "",
                *paras,
                "",
                _sign(body),
            ]
        )
        out.append(
            Fixture(
                f"holding-{i}",
                text,
                {
                    "title": "parking fines",
                    "authority": body.canonical,
                    "reference": ref.value,
                    "date": d.isoformat(),
                    "request_date": rd.isoformat(),
                    "exemptions": [],
                    "ncnd": False,
                    "outcome": outcome,
                    "qa": 0,
                },
            )
        )
    return out


def seed_fixture() -> Fixture:
    return Fixture(
        "seed-syp-20191213",
        SEED.read_text(encoding="utf-8"),
        {
            "title": "Does your force hold a prevent database?",
            "authority": "South Yorkshire Police",
            "reference": "20191213",
            "date": "2019-06-18",
            "request_date": None,
            "exemptions": [],
            "ncnd": False,
            "outcome": "disclosed",
            "qa": 6,
        },
    )


def all_fixtures() -> list[Fixture]:
    return [*generated(), seed_fixture()]

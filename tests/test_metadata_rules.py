"""One test per metadata rule, each on a short realistic snippet: which date is the response
date, the outcome rule set (indexer/metadata/outcome.py), and whose letter it is."""

from __future__ import annotations

import pytest

from indexer.metadata import canonical_authority, extract_metadata
from indexer.models import FoiMetadata
from indexer.sidecar import apply_sidecar

LETTER = """Leeds City Council
Information Governance

Our ref: FOI 2019/4412
Date: 5 September 2019

Dear Mr Jones,

{body}

Yours sincerely,

Information Governance Team
Leeds City Council
"""


def _outcome(body: str) -> str:
    return extract_metadata(LETTER.format(body=body)).outcome


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        "Our ref: FOI 2019/4412\n5 September 2019",  # the date under the reference
        "Our ref: FOI 2019/4412\n\n5th September 2019",
        "Our ref: FOI 2019/4412    5 September 2019",  # the date in the column beside it
        "Our ref: FOI 2019/4412\tDate: 05/09/2019",
        "Your ref: none\nOur ref: FOI 2019/4412\nDated: 5 September 2019",
        "Our ref: FOI 2019/4412\n5 September 2019\n",  # "You asked" on the very next line
    ],
)
def test_letter_head_date_is_the_response_date(head):
    text = f"{head}\nYou asked for the number of potholes repaired in 2018.\n\nWe repaired 1,204 potholes.\n"
    m = extract_metadata(text)
    assert (m.date, m.request_date, m.date_source) == ("2019-09-05", None, "response")


def test_request_wording_after_a_date_in_a_sentence_still_makes_a_request_date():
    m = extract_metadata(
        "Dear Mr Jones,\n\nOn 12 August 2019, you asked for the number of potholes repaired.\n"
        "We repaired 1,204 potholes.\n"
    )
    assert (m.date, m.request_date) == (None, "2019-08-12")


@pytest.mark.parametrize(
    "header",
    [
        "From: FOI Team <foi@kent.gov.uk>\nDate: Thu, 5 Sep 2019 10:22:01 +0100\nTo: a.person@example.com",
        "From: FOI Team <foi@kent.gov.uk>\nSent: Thursday, September 5, 2019 10:22 AM\nTo: A Person",
    ],
)
def test_an_emails_own_date_header_is_the_response_date(header):
    text = (
        f"{header}\nSubject: FOI 2019/4412 - potholes\n\nDear Mr Jones,\n\nThank you for your request received on "
        "12 August 2019. We repaired 1,204 potholes.\n\nYours sincerely\nKent County Council\n"
    )
    m = extract_metadata(text)
    assert (m.date, m.request_date) == ("2019-09-05", "2019-08-12")


def test_whatdotheyknow_markers():
    text = (
        "Potholes in Leeds\n\nRequest sent to Leeds City Council by A. Person on 1 May 2024.\n"
        "Response by Leeds City Council to A. Person on 3 May 2024.\n"
        "Response by Leeds City Council to A. Person on 29 May 2024.\n\n"
        "Dear A. Person,\n\nWe repaired 1,204 potholes.\n\nYours sincerely,\nLeeds City Council\n"
    )
    m = extract_metadata(text)
    assert (m.date, m.request_date) == ("2024-05-29", "2024-05-01")  # the last response is the latest


def test_a_wdtk_reply_without_markers_has_the_request_date_only():
    text = (
        "Dear Ms Lee,\nThank you for your request for information relating to potholes which we received on\n"
        "17/07/2023.\nPlease find Leeds City Council's response to your request set out below:\n1204\n"
        "Kind Regards,\nLeeds City Council\nFrom: FOI\nSent: Monday, July 17, 2023 5:24 PM\nTo: Ms Lee\n"
    )
    m = extract_metadata(text)
    assert (m.date, m.request_date, m.date_source) == (None, "2023-07-17", "request")


def test_date_source_follows_the_dates_including_a_sidecars():
    assert FoiMetadata().date_source is None
    assert FoiMetadata(request_date="2019-08-12").date_source == "request"
    assert FoiMetadata(date="2019-09-05", request_date="2019-08-12").date_source == "response"
    meta, _ = apply_sidecar(FoiMetadata(request_date="2019-08-12"), {"date": "2019-09-05"})
    assert (meta.date_source, meta.filter_date) == ("response", "2019-09-05")
    assert FoiMetadata(request_date="2019-08-12").filter_date == "2019-08-12"
    assert FoiMetadata(request_date="2019-08-12").to_dict()["date_source"] == "request"


# --- outcome rule 1: holding replies are unknown ----------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Thank you for your request for information about potholes, which we received on 2 September 2019. Your "
        "request has been logged and will be dealt with under the Freedom of Information Act 2000. We will respond "
        "to you within 20 working days, by 30 September 2019.",
        "Thank you for your request. This has been logged as a Freedom of Information Request. The Freedom of "
        "Information Act 2000 states that we must respond to you within 20 working days, by 26/06/2024.",
        "Thank you for your request, which has been logged. Our reference is FOI 123456. If you have any questions "
        "please call us on 0113 222 4444.",  # a reference and a telephone number are not figures
    ],
)
def test_an_acknowledgement_is_unknown(body):
    assert _outcome(body) == "unknown"


@pytest.mark.parametrize(
    "body",
    [
        "I am writing to let you know that we need further time to consider your request. The information you have "
        "asked for is held, and we consider that it may be exempt under section 43(2) (commercial interests) of the "
        "Act. Section 43 is a qualified exemption and we must consider the public interest test. We now aim to send "
        "you a full response by 3 October 2019.",
        "Unfortunately we have not been able to complete our response to your request within 20 working days. "
        "We expect to respond by 12 October 2019.",
    ],
)
def test_a_deadline_extension_is_unknown_even_naming_an_exemption(body):
    assert _outcome(body) == "unknown"


def test_a_clarification_request_is_unknown():
    assert (
        _outcome(
            "Before we can process your request, could you please clarify which financial years you are "
            "interested in? The 20 working days will start again once we receive your clarification."
        )
        == "unknown"
    )


def test_a_refusal_that_invites_a_narrower_request_is_still_refused():
    assert (
        _outcome(
            "To comply with your request would exceed the appropriate limit of £450 under section 12 of "
            "the Act, so we are refusing it. If you could clarify which year you are most interested in, "
            "we may be able to answer a narrower request."
        )
        == "refused"
    )


def test_a_late_final_answer_is_not_a_holding_reply():
    assert (
        _outcome(
            "We apologise for the delay in responding. The information you requested is exempt under "
            "section 31(1)(a) of the Act and is withheld."
        )
        == "refused"
    )


# --- rules 3 and 6: what a redaction or a withholding means ------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Please find attached the minutes of the meetings. The names of junior officers have been redacted under "
        "section 40(2) of the Act as they are personal data.",
        "Please find the report attached. Personal data has been removed from the report.",
        "Please see attached. The names of third parties have been redacted under Regulation 12(3) of the "
        "Environmental Information Regulations 2004.",
        # the ground given in the next sentence
        "Please find the inspection reports attached. Some text in the reports has been redacted. This is personal "
        "information and is exempt under section 40(2) of the Act.",
    ],
)
def test_personal_data_redacted_from_released_documents_is_disclosed(body):
    assert _outcome(body) == "disclosed"


def test_redacted_files_explained_as_personal_data_are_disclosed():
    files = "2 Attachments\nInspection report 2023 Redacted.pdf\nLetter to the owner Redacted.pdf\n\n"
    explained = "Please see attached. Names of officers and of the owner have been redacted as they are personal data."
    assert extract_metadata(files + LETTER.format(body=explained)).outcome == "disclosed"
    assert extract_metadata(files + LETTER.format(body="Please see attached.")).outcome == "partial"  # no ground


@pytest.mark.parametrize(
    "body",
    [
        "Please find the contract attached. The pricing schedule has been redacted under section 43(2) of the Act, as "
        "its disclosure would be likely to prejudice the contractor's commercial interests.",
        "Please find the report attached. Some information in the report has been redacted.",
        "Please find the contract attached. Names and unit prices have been redacted under sections 40(2) and 43(2).",
    ],
)
def test_a_redaction_under_another_exemption_or_no_ground_is_partial(body):
    assert _outcome(body) == "partial"


@pytest.mark.parametrize(
    "body",
    [
        "1. How many staff failed vetting in 2019?\n14\n\n2. Please provide their names.\nThe names you have "
        "requested are exempt from disclosure under section 40(2) of the Act as they are personal data.",
        "Please see the attached structure charts. The names of individuals have been withheld under section 40(2) of "
        "the Act.",
    ],
)
def test_personal_data_asked_for_and_withheld_is_partial(body):
    assert _outcome(body) == "partial"


def test_what_an_exemption_says_is_no_decision():
    body = (
        "The number of potholes repaired in 2018 was 1,204. Section 40(2) of the Act provides that personal "
        "data of third parties is exempt information if disclosure would breach the data protection principles."
    )
    assert _outcome(body) == "disclosed"
    decided = (
        "The number of potholes repaired in 2018 was 1,204. The names of the inspectors are exempt under "
        "section 40(2) of the Act, as disclosure would breach the data protection principles."
    )
    assert _outcome(decided) == "partial"


def test_complaint_rights_that_mention_withholding_are_no_decision():
    assert (
        _outcome(
            "The number of potholes repaired in 2018 was 1,204, at a cost of £88,000. You can ask for an "
            "internal review of any decision to withhold information, and if you remain dissatisfied you "
            "can complain to the Information Commissioner."
        )
        == "disclosed"
    )


# --- rule 5: not held only when nothing is held --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "The Council does not have any contracts with Serco.",
        "There have been no prosecutions under this legislation in the period you asked about.",
        "We do not hold the information you requested.",  # "you requested" does not make it an opening line
        "We do not hold this information. School admissions for academies are the responsibility of each academy "
        "trust, and you may wish to contact them directly.",
        "This information would be held by the school, not by the Council. Please contact the school directly.",
        "We do not hold any records of meetings with the school. Please see the following links for further "
        "information about our air quality strategy: www.leeds.gov.uk/air",  # a pointer beside "not held" is advice
    ],
)
def test_not_held(body):
    assert _outcome(body) == "not_held"


@pytest.mark.parametrize(
    "body",
    [
        "We do not hold any records of meetings with the school. Please see the following links for further "
        "information about air quality: www.leeds.gov.uk/air",
        "We do not hold this information. You may be interested in the national figures, which are published on "
        "the Department for Education's website.",
        "We do not hold this information. Statistics on school workforces are published by the Department for "
        "Education at www.gov.uk/workforce",
    ],
)
def test_advice_links_beside_not_held_stay_not_held(body):
    assert _outcome(body) == "not_held"


def test_a_link_that_answers_part_of_the_request_beside_not_held_is_partial():
    assert (
        _outcome(
            "We do not hold any records of meetings with the school. With regards to our policy on air "
            "quality, it is contained within our Air Quality Action Plan, available on the council website: "
            "www.leeds.gov.uk/aqap"
        )
        == "partial"
    )


def test_information_not_held_yet_beside_answers_is_partial():
    body = (
        "1. How many classes are run each week?\n20\n\n2. Please provide the new strategy.\nThe strategy is "
        "being drafted by the taskforce. It will be consulted on, and these will be published on our website "
        "in due course."
    )
    assert _outcome(body) == "partial"
    assert _outcome("The report you asked for has not yet been finalised.") == "not_held"


def test_an_answer_from_a_partial_search_is_partial():
    assert (
        _outcome(
            "We identified 14 officers who marked emails in this way. We have only looked at the emails "
            "held by the FOI team; we have not searched the council's other systems."
        )
        == "partial"
    )


def test_a_nil_answer_beside_other_answers_is_an_answer():
    assert (
        _outcome(
            "1. How many prosecutions were there in 2018?\n12\n\n2. How many in 2019?\n"
            "There were no prosecutions in 2019."
        )
        == "disclosed"
    )


def test_some_answers_and_one_not_held_is_partial():
    assert (
        _outcome(
            "1. How many cases are on the waiting list?\n1219\n\n2. Please break them down by type of "
            "assessment.\nWe do not break down the waiting list by these categories."
        )
        == "partial"
    )


def test_the_request_repeated_above_each_answer_is_not_content():
    body = (
        "1. How much was spent on agency staff at pupil referral units in 2022?\nPlease separate these "
        "figures by school year, by unit and by the agency that supplied the staff.\n"
        "We do not hold this information centrally.\n\n2. Do you have a policy on the wellbeing of staff at "
        "pupil referral units?\nIf the answer to this question is yes, please share the relevant documentation "
        "and any guidance that goes with it.\nWe do not hold a policy on this."
    )
    assert _outcome(body) == "not_held"


# --- rules 4 and 6: refusals and pointers to published information ------------------------------------


def test_published_and_future_publication_exemptions_alone_are_refused():
    assert (
        _outcome(
            "The information is exempt under section 21 as it is reasonably accessible to you by other "
            "means. The figures you asked for are also subject to section 22 as they are intended for "
            "future publication."
        )
        == "refused"
    )


def test_section_21_alone_is_disclosed():
    assert (
        _outcome(
            "This information is published on our website at www.leeds.gov.uk/potholes and is "
            "therefore reasonably accessible to you by other means. Section 21 of the Act applies."
        )
        == "disclosed"
    )


# --- authority -------------------------------------------------------------------------------------------


def test_name_of_authority_label_beats_a_body_named_in_the_text():
    text = (
        "Name of Authority Blaenau Gwent\nFreedom of Information Act 2000\nOur ref: FOI 2019/4412\n"
        "5 September 2019\n\nDear Mr Jones,\n\nThe population estimates you asked about are published by the "
        "Office for National Statistics (ONS). The Office for National Statistics publishes mid-year estimates "
        "each June.\n\nYours sincerely,\n\nInformation Governance Officer\n"
    )
    assert extract_metadata(text).authority == "Blaenau Gwent County Borough Council"


@pytest.mark.parametrize(
    "head",
    [
        "Knowledge and Information Access Team\n2 Marsham Street\nLondon SW1P 4DF",
        "Ministry of Housing, Communities & Local Government\n2 Marsham Street",
    ],
)
def test_a_body_named_in_the_quoted_request_is_not_the_writer(head):
    text = (
        f"{head}\n\nOur reference: 3456789\n12 March 2021\n\nDear Ms Smith,\n\nThank you for your request "
        'received on 10 February 2021. You asked:\n\n"Please provide all correspondence between the department '
        "and Sheffield City Council about the Sheffield City Council housing deal, and any notes of meetings with "
        'Sheffield City Council officers."\n\nSome of the information is exempt under section 35(1)(a). Please '
        "find the rest attached.\n\nYours sincerely,\n\nKnowledge and Information Access Team\n"
    )
    assert extract_metadata(text).authority == "Ministry of Housing, Communities and Local Government"


def test_bodies_named_in_the_request_section_do_not_outvote_the_signature():
    text = (
        'Dear Ms Smith,\n\nThank you for your request. You asked:\n\n"Sheffield City Council has told residents '
        "that the deal was agreed. Sheffield City Council has published a summary. Sheffield City Council has "
        'not released the minutes. Please provide the correspondence."\n\nPlease find the correspondence '
        "attached.\n\nYours sincerely,\n\nKnowledge and Information Access Team\n"
    )
    assert extract_metadata(text).authority == "Ministry of Housing, Communities and Local Government"


def test_the_regulator_named_in_the_complaints_paragraph_is_not_the_writer():
    text = (
        "My Ref:\tFOIA1266\nDate:\t12 September 2017\n\nDear Dave,\n\nRe: Request for Information\n\n"
        "1. Do you complete the annual library statistics?\n\nBarnsley Council no longer completes them.\n\n"
        "If you are unhappy with the way your request was handled, you may ask for an internal review. Please "
        "address it to:\n\nCustomer Services\nPO Box 634\n\nIf you are not content with the "
        "outcome of the internal review, you have the right to apply directly to the Information Commissioner "
        "for a decision. The Information Commissioner can be contacted at:-\n\nCustomer Services Team\n"
        "Information Commissioner's Office\nWycliffe House\n\nYours sincerely\n\nService Director\n"
    )
    assert extract_metadata(text).authority == "Barnsley Metropolitan Borough Council"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Barnsley MBC", "Barnsley Metropolitan Borough Council"),
        ("Caerphilly CBC", "Caerphilly County Borough Council"),
        ("MHCLG", "Ministry of Housing, Communities and Local Government"),
        ("DLUHC", "Ministry of Housing, Communities and Local Government"),
        ("DCLG", "Ministry of Housing, Communities and Local Government"),
        ("DWP", "Department for Work and Pensions"),
        ("HSE", "Health and Safety Executive"),
        ("FSA", "Food Standards Agency"),
        ("RCT", "Rhondda Cynon Taf County Borough Council"),
        ("Welsh Government", "Welsh Government"),
        ("foi@wrexham.gov.uk", "Wrexham County Borough Council"),
    ],
)
def test_gazetteer_acronyms_and_welsh_councils(name, expected):
    assert canonical_authority(name) == expected


def test_the_signature_outweighs_a_body_named_again_and_again():
    text = (
        "Dear Mr Jones,\n\nThank you for your request about the transfer of Bar Park from Sheffield City Council. "
        "Sheffield City Council owned the site until 2012, when Sheffield City Council sold it. Please see the "
        "attached correspondence with Sheffield City Council.\n\nKind regards,\n\nInformation Governance\n"
        "Rotherham Metropolitan Borough Council\n"
    )
    assert extract_metadata(text).authority == "Rotherham Metropolitan Borough Council"


def test_a_footer_with_the_senders_postal_address_names_the_writer():
    text = (
        "Dear Sir,\n\nThe Home Office figures you mention are not held by us. We repaired 1,204 potholes.\n\n"
        "Regards\nFOI Officer\n\nWirral Council, Wallasey Town Hall, Brighton Street, Wallasey CH44 8ED\n"
    )
    assert extract_metadata(text).authority == "Wirral Council"


def test_an_attachment_name_above_the_letter_is_not_its_letterhead():
    text = (
        "1 Attachment\nRotherham Metropolitan Borough Council transfer Redacted.pdf\n456K\nDear Mr Reiss,\n"
        "Thank you for your request for information relating to Bar Park which we received on 07/12/2023.\n"
        "Please find our response to your request set out below:\nThe green area on the plan represents the "
        "land owned by the Parks and Countryside Service, which is responsible for the site and its upkeep. "
        "Please see the attached email correspondence about the transfer of the park.\nIf you are unhappy with "
        "the response you can ask for an internal review, and then contact the Information Commissioner’s "
        "Office.\nKind Regards,\nSheffield City Council\n"
    )
    assert extract_metadata(text).authority == "Sheffield City Council"


def test_outcome_trace_names_the_deciding_sentences():
    from bench.metadata_real import outcome_trace

    trace = outcome_trace(
        LETTER.format(
            body="1. How many cases?\n1219\n\n2. Please break them down by type.\n"
            "We do not break down the waiting list by type."
        )
    )
    assert ("not_held", "We do not break down the waiting list by type.") in trace
    assert trace[-1][0] == "counts" and "'not_held': 1" in trace[-1][1]

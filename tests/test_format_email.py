"""Emails (.eml, Outlook .msg): headers as metadata, the body as text, every attachment a
child document (an attached email's attachments its grandchildren)."""

from __future__ import annotations

from email.message import EmailMessage
from types import SimpleNamespace

import pytest

from indexer.extract import ExtractionError, ExtractOptions, extract_bytes
from indexer.extract.container import flatten
from indexer.extract.mail import from_msg, looks_like_email
from tests.conftest import write_pdf
from tests.office_fixtures import LETTER, docx_bytes, xlsx_bytes, zip_bytes

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def message(
    body: str | None = "Dear requester, please find attached our reply.",
    html: str | None = None,
    date: str = "Thu, 14 Mar 2024 10:00:00 +0000",
) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "FOI Team <foi@southyorks.police.uk>"
    m["To"] = "requester@example.org"
    m["Subject"] = "Your FOI request 2024-0815"
    m["Date"] = date
    m["Message-ID"] = "<1@example.org>"
    if body is not None:
        m.set_content(body)
    if html is not None:
        if body is None:
            m.set_content(html, subtype="html")
        else:
            m.add_alternative(html, subtype="html")
    return m


@pytest.fixture(scope="module")
def bundle_eml(tmp_path_factory) -> bytes:
    """An .eml with a .docx and a .zip holding a .pdf and an .xlsx: five documents in all."""
    pdf = write_pdf(tmp_path_factory.mktemp("pdf") / "a.pdf", ["Annex about badger culls"]).read_bytes()
    m = message()
    m.add_attachment(docx_bytes(LETTER), *DOCX_TYPE, filename="reply.docx")
    m.add_attachment(
        zip_bytes({"annex/cull.pdf": pdf, "figures.xlsx": xlsx_bytes({"S": [["badgers", 12]]})}),
        "application",
        "zip",
        filename="bundle.zip",
    )
    return m.as_bytes()


def test_headers_body_and_attachments(bundle_eml):
    doc = extract_bytes(bundle_eml, "reply.eml")
    assert doc.kind == "email" and doc.title == "Your FOI request 2024-0815"
    assert doc.headers == {
        "from": "FOI Team <foi@southyorks.police.uk>",
        "to": "requester@example.org",
        "date": "2024-03-14",
        "subject": "Your FOI request 2024-0815",
    }
    assert doc.text.splitlines()[0] == "From: FOI Team <foi@southyorks.police.uk>"
    assert "please find attached our reply" in doc.text
    assert "badger" not in doc.text  # attachments are their own documents


def test_an_eml_with_a_docx_and_a_zip_is_five_documents_with_their_parents(bundle_eml):
    doc = extract_bytes(bundle_eml, "reply.eml")
    flat = [(f.doc_id, f.parent, f.child.document.kind) for f in flatten("corpus/reply.eml", doc)]
    assert flat == [
        ("corpus/reply.eml!/reply.docx", "corpus/reply.eml", "docx"),
        ("corpus/reply.eml!/bundle.zip", "corpus/reply.eml", "archive"),
        ("corpus/reply.eml!/bundle.zip!/annex/cull.pdf", "corpus/reply.eml!/bundle.zip", "pdf"),
        ("corpus/reply.eml!/bundle.zip!/figures.xlsx", "corpus/reply.eml!/bundle.zip", "sheet"),
    ]


def test_html_only_body_and_attached_email_with_its_own_attachment():
    inner = message(body="Forwarded original request about kestrels.")
    inner.add_attachment(b"an attached note about falcons", "text", "plain", filename="note.txt")
    outer = message(
        body=None, html="<html><body><p>See the <b>forwarded</b> message.</p><script>track()</script></body></html>"
    )
    outer.add_attachment(inner)
    doc = extract_bytes(outer.as_bytes(), "fwd.eml")
    assert "See the forwarded message." in doc.text and "track" not in doc.text
    flat = {f.doc_id: f.child.document for f in flatten("c/fwd.eml", doc)}
    assert list(flat) == ["c/fwd.eml!/attachment-1.eml", "c/fwd.eml!/attachment-1.eml!/note.txt"]
    assert "kestrels" in flat["c/fwd.eml!/attachment-1.eml"].text
    assert flat["c/fwd.eml!/attachment-1.eml!/note.txt"].text == "an attached note about falcons"


def test_inline_images_of_an_html_body_are_not_documents():
    m = message(body="Plain words", html='<p>Logo <img src="cid:logo"></p>')
    html_part = m.get_body(("html",))
    html_part.add_related(b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image", "png", cid="<logo>")
    m.add_attachment(b"real attachment words", "text", "plain", filename="answer.txt")
    doc = extract_bytes(m.as_bytes(), "logo.eml")
    assert [c.path for c in doc.children] == ["answer.txt"]


def test_a_letter_starting_with_from_is_text_but_an_eml_is_always_email():
    letter = b"From: Jane Smith\nTo: The Council\n\nDear Sir, I write about potholes.\n"
    assert not looks_like_email(letter)
    pasted = (
        b"From: FOI Team <foi@leeds.gov.uk>\nSent: Friday, June 29, 2018 12:25 PM\nTo: Callum Green\n"
        b"Subject: FOI Request Number: 2018-4174\n\nDear Callum,\n"
    )
    assert extract_bytes(pasted, "reply.txt").text.startswith("From: FOI Team <foi@leeds.gov.uk>\nSent: Friday")
    assert extract_bytes(letter, "letter.txt").kind == "text"
    assert extract_bytes(letter, "letter.eml").kind == "email"
    assert looks_like_email(message().as_bytes())


def test_attachments_share_the_unpacking_budget():
    m = message()
    for i in range(3):
        m.add_attachment((f"attachment {i} words " * 20000).encode(), "text", "plain", filename=f"a{i}.txt")
    doc = extract_bytes(m.as_bytes(), "big.eml", ExtractOptions(max_unpacked=900_000))
    assert [c.reason for c in doc.children] == [None, None, "too_large"]


def test_outlook_message_fields_map_to_the_document():
    from datetime import datetime, timezone

    fake = SimpleNamespace(
        sender="Records Office <records@leeds.gov.uk>",
        to="me@example.org",
        cc=None,
        date=datetime(2023, 5, 2, 9, 30, tzinfo=timezone.utc),
        subject="FOI 4471 response",
        body="Our answer follows.",
        htmlBody=None,
        attachments=[
            SimpleNamespace(longFilename="answer.csv", shortFilename="ANSWER~1.CSV", data=b"ward,trees\nx,3\n")
        ],
    )
    doc = from_msg(fake, ExtractOptions())
    assert doc.headers["date"] == "2023-05-02" and doc.title == "FOI 4471 response"
    assert "From: Records Office <records@leeds.gov.uk>" in doc.text and "Our answer follows." in doc.text
    assert [(c.path, c.document.kind) for c in doc.children] == [("answer.csv", "sheet")]


def test_a_damaged_outlook_file_is_corrupt():
    with pytest.raises(ExtractionError) as err:
        extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000, "mail.msg")
    assert err.value.reason == "corrupt"


def test_an_empty_email_is_empty():
    with pytest.raises(ExtractionError) as err:
        extract_bytes(b"\n\n", "blank.eml")
    assert err.value.reason == "empty"


# ---------------------------------------------------------------- in the index


def test_an_indexed_email_is_five_documents_and_deleting_it_removes_them(tmp_path, bundle_eml, engine):
    import json

    from indexer.search import SearchService
    from tests.conftest import build_index, invoke_foi

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "reply.eml").write_bytes(bundle_eml)
    (folder / "other.txt").write_text("An unrelated response about parking.", encoding="utf-8")
    (folder / "copy.docx").write_bytes(docx_bytes(LETTER))  # the attached letter, also saved on its own
    index = tmp_path / "index"
    summary = build_index(folder, index)
    assert (summary.added, summary.failures) == (7, [])
    service = SearchService(index)
    parents = {h.doc_id: h.parent for h in service.search("drones OR badger OR badgers OR attached", limit=20).hits}
    assert parents == {
        "corpus/reply.eml": None,
        "corpus/copy.docx": None,
        "corpus/reply.eml!/reply.docx": "corpus/reply.eml",
        "corpus/reply.eml!/bundle.zip!/annex/cull.pdf": "corpus/reply.eml!/bundle.zip",
        "corpus/reply.eml!/bundle.zip!/figures.xlsx": "corpus/reply.eml!/bundle.zip",
    }
    archive = service.document("corpus/reply.eml!/bundle.zip")
    assert archive.metadata["kind"] == "archive" and archive.metadata["parent"] == "corpus/reply.eml"
    assert archive.metadata["path"] == str(folder / "reply.eml")  # the file on disk: what `o` opens
    mail = service.document("corpus/reply.eml")
    assert mail.metadata["date"] == "2024-03-14" and mail.metadata["title"] == "Your FOI request 2024-0815"
    assert mail.metadata["extra"]["email"]["from"] == "FOI Team <foi@southyorks.police.uk>"
    letter = service.document("corpus/reply.eml!/reply.docx")
    assert letter.metadata["reference"] == "FOI-2024-0815" and letter.metadata["outcome"] == "disclosed"
    # The TUI's preview names the container of a member (and only of a member).
    from tui.widgets.preview import _build_lines

    hit = next(h for h in service.search("drones", limit=20).hits if h.doc_id == "corpus/reply.eml!/reply.docx")
    header = [line.text for line in _build_lines(hit, letter, [])[0][:5]]
    assert "in corpus/reply.eml" in header
    top = next(h for h in service.search("attached", limit=20).hits if h.doc_id == "corpus/reply.eml")
    assert not any(t.startswith("in ") for t in [line.text for line in _build_lines(top, mail, [])[0][:5]])
    service.close()

    shown = invoke_foi("show", "corpus/reply.eml!/bundle.zip!/figures.xlsx", "--json", "--index", index)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["parent"] == "corpus/reply.eml!/bundle.zip"
    similar = invoke_foi("similar", "corpus/reply.eml!/reply.docx", "--json", "--index", index)
    assert similar.returncode == 0, similar.stderr
    assert json.loads(similar.stdout.splitlines()[0])["doc_id"] == "corpus/copy.docx"
    status = json.loads(invoke_foi("status", "--json", "--index", index).stdout)
    assert status["kinds"] == {"archive": 1, "docx": 2, "email": 1, "pdf": 1, "sheet": 1, "text": 1}

    (folder / "reply.eml").unlink()
    summary = build_index(folder, index)
    assert (summary.removed, summary.added, summary.unchanged) == (5, 0, 2)
    left = [h.doc_id for h in SearchService(index).search("drones OR badger OR badgers OR attached", limit=20).hits]
    assert left == ["corpus/copy.docx"]


def test_the_date_header_is_the_response_date_only_when_the_body_has_none():
    from indexer.pipeline import _metadata

    undated = extract_bytes(message(body="Please find our reply attached.").as_bytes(), "a.eml")
    assert _metadata(undated).date == "2024-03-14"
    dated = extract_bytes(message(body="Date: 2 February 2024\n\nOur response to your request.").as_bytes(), "b.eml")
    assert _metadata(dated).date == "2024-02-02"

"""Emails (.eml through the standard library, Outlook .msg through extract-msg): the headers
From/To/Cc/Date/Subject (kept as metadata: the Date header is the response date when the
body names none), the body text, and every attachment as a child document in its own format
(an attached email is an email again, its attachments its children).
"""

from __future__ import annotations

import re

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.container import budget_for, extract_child, safe_path, unique
from indexer.models import ChildDocument, ExtractedDocument, Page

KIND = "email"
SUFFIXES = (".eml", ".msg")
TEXT_SUFFIXES = (".eml",)
PAGED = False
DESCRIPTION = "an email"

_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):[ \t]*\S?", re.MULTILINE)
# Headers a mail system writes and a person pasting an email into a letter does not.
_TRANSPORT_HEADERS = {"message-id", "mime-version", "received", "return-path", "dkim-signature", "x-mailer"}
_SHOWN = ("from", "to", "cc", "date", "subject")
# What a file's extension is when an attachment has no name, by its content type.
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/html": ".html",
    "message/rfc822": ".eml",
    "application/msword": ".doc",
    "application/zip": ".zip",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
    "text/csv": ".csv",
}


def match(probe) -> bool:
    if any(s.startswith("__substg1.0_") for s in probe.ole_streams):  # an Outlook item
        return True
    return looks_like_email(probe.head)


def looks_like_email(head: bytes) -> bool:
    """A block of RFC 5322 headers first, with From and a header only mail systems write.

    An email pasted into a text file ("From:", "Sent:", "To:", "Subject:", as Outlook
    copies it) stays text, all of it: it takes Message-ID, MIME-Version, Received... to
    be a saved email. A file named .eml is an email whatever it starts with."""
    text = head[:8192].decode("latin-1").replace("\r\n", "\n")
    block = text.split("\n\n", 1)[0]
    lines = block.split("\n")
    if not lines or not _HEADER.match(lines[0]):
        return False
    names = set()
    for line in lines:
        found = _HEADER.match(line)
        if found:
            names.add(found.group(1).lower())
        elif not line[:1].isspace():  # neither a header nor a folded continuation
            return False
    return "from" in names and bool(names & _TRANSPORT_HEADERS)


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _extract_msg(data, options)
    return _extract_eml(data, options)


# ---------------------------------------------------------------- .eml


def _extract_eml(data: bytes, options: ExtractOptions) -> ExtractedDocument:
    # The email package is imported here, not with the module: the registry imports every
    # format's module to read its declarations, and a search asks it which kinds have pages.
    import email
    import email.policy

    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        headers = {key: _header(message, key) for key in _SHOWN}
    except Exception as exc:  # the email package raises many types on hostile headers
        raise ExtractionError("corrupt", f"unreadable email ({type(exc).__name__}: {exc})") from None
    headers = {k: v for k, v in headers.items() if v}
    body_part = _body_part(message)
    body = _part_text(body_part, options) if body_part is not None else ""
    attachments = []
    for number, part in enumerate(_attachments(message, body_part), start=1):
        attachments.append((_attachment_name(part, number), _part_bytes(part)))
    return _document(headers, body, attachments, options)


def _header(message, key: str) -> str:
    try:
        value = message.get(key)
    except Exception:  # a header the policy cannot parse: its raw text
        value = message.get_all(key, [""])[0] if hasattr(message, "get_all") else ""
    return " ".join(str(value or "").split())


def _body_part(message):
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except Exception:
        return None


def _attachments(message, body_part):
    """Every part that is a file: attachments, and inline parts that are not the body or an
    image of an HTML body (logos and signatures, referenced by Content-ID)."""
    for part in _walk(message):
        if part is body_part or part.is_multipart() and part.get_content_type() != "message/rfc822":
            continue
        if part.get_content_type() == "message/rfc822":
            yield part
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or filename:
            if disposition == "inline" and part.get("Content-ID") and part.get_content_maintype() == "image":
                continue
            yield part
        elif part.get_content_maintype() not in ("text", "multipart") and not part.get("Content-ID"):
            yield part


def _walk(part):
    """Every part, but not into an attached email: its parts are its own attachments."""
    yield part
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        return
    for sub in part.iter_parts():
        yield from _walk(sub)


def _attachment_name(part, number: int) -> str:
    filename = part.get_filename()
    if filename:
        return filename
    return f"attachment-{number}{_EXTENSIONS.get(part.get_content_type(), '.bin')}"


def _part_bytes(part) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        import email.policy

        try:
            return inner.as_bytes(policy=email.policy.default) if hasattr(inner, "as_bytes") else b""
        except Exception:
            return str(inner).encode("utf-8", "replace")
    payload = part.get_payload(decode=True)
    return payload or b""


def _part_text(part, options: ExtractOptions) -> str:
    try:
        text = part.get_content()
    except Exception:  # an unknown charset: the bytes as UTF-8, damaged characters replaced
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if part.get_content_subtype() == "html":
        return _html_text(text.encode("utf-8"), options)
    return text


def _html_text(html: bytes, options: ExtractOptions) -> str:
    from indexer.extract import webpage

    try:
        return webpage.extract(html, options).text
    except ExtractionError:
        return ""


# ---------------------------------------------------------------- .msg


def _extract_msg(data: bytes, options: ExtractOptions) -> ExtractedDocument:
    import extract_msg

    try:
        message = extract_msg.openMsg(data, strict=False, delayAttachments=False)
    except Exception as exc:  # extract-msg and olefile raise many types on damaged files
        raise ExtractionError("corrupt", f"not a readable Outlook message ({type(exc).__name__}: {exc})") from None
    try:
        return from_msg(message, options)
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError("corrupt", f"not a readable Outlook message ({type(exc).__name__}: {exc})") from None
    finally:
        try:
            message.close()
        except Exception:
            pass


def from_msg(message, options: ExtractOptions) -> ExtractedDocument:
    """An opened extract-msg message to a document: headers, body, attachments."""
    import email.utils

    date = getattr(message, "date", None)
    headers = {
        "from": getattr(message, "sender", None),
        "to": getattr(message, "to", None),
        "cc": getattr(message, "cc", None),
        "date": email.utils.format_datetime(date)
        if hasattr(date, "tzinfo") and date.tzinfo
        else (str(date) if date else None),
        "subject": getattr(message, "subject", None),
    }
    headers = {k: " ".join(str(v).split()) for k, v in headers.items() if v}
    body = getattr(message, "body", None) or ""
    if not body.strip():
        html = getattr(message, "htmlBody", None)
        body = _html_text(html, options) if html else ""
    attachments = []
    for number, attachment in enumerate(getattr(message, "attachments", []) or [], start=1):
        name = getattr(attachment, "longFilename", None) or getattr(attachment, "shortFilename", None)
        content = getattr(attachment, "data", None)
        if content is not None and not isinstance(content, (bytes, bytearray)):  # an embedded Outlook item
            inner = getattr(content, "exportBytes", None)
            content = inner() if inner else b""
            name = name or f"attachment-{number}.msg"
        attachments.append((name or f"attachment-{number}.bin", bytes(content or b"")))
    return _document(headers, body, attachments, options)


# ---------------------------------------------------------------- both


def _document(
    headers: dict, body: str, attachments: list[tuple[str, bytes]], options: ExtractOptions
) -> ExtractedDocument:
    meta = dict(headers)
    iso = _iso_date(headers.get("date"))
    if iso:
        meta["date"] = iso
    shown = [f"{key.capitalize()}: {headers[key]}" for key in _SHOWN if headers.get(key)]
    text = "\n".join(shown) + ("\n\n" if shown else "") + body.strip()
    if not text.strip() and not attachments:
        raise ExtractionError("empty", "the email has no headers, body or attachments")
    children: list[ChildDocument] = []
    taken: set[str] = set()
    with budget_for(options) as budget:
        for number, (name, content) in enumerate(attachments, start=1):
            path = unique(safe_path(name, f"attachment-{number}"), taken)
            try:
                budget.take(len(content), "the attachment")
            except ExtractionError as exc:
                children.append(ChildDocument(path, len(content), "", reason=exc.reason, detail=exc.detail))
                continue
            children.append(extract_child(path, content, options))
    if not text.strip():
        text = "(an email with attachments only)"
    return ExtractedDocument(
        kind=KIND, pages=[Page(1, text)], title=headers.get("subject"), headers=meta, children=children
    )


def _iso_date(value: str | None) -> str | None:
    import email.utils

    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None

"""`NAME.meta.json` beside a document overrides any metadata field (DESIGN.md).

A sidecar is untrusted input like the document: it is read only when it is a regular file
(not a link, FIFO or device) of at most MAX_BYTES, nested at most MAX_DEPTH deep, so a
hostile one costs its document the overrides (`bad_sidecar`), never the run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import stat
from datetime import date
from pathlib import Path

from indexer.extract.base import ExtractionError
from indexer.models import OUTCOMES, FoiMetadata, QAPair

_FIELDS = {f.name for f in dataclasses.fields(FoiMetadata)}
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64  # arrays and objects inside each other; json.loads recurses once per level
MAX_EXEMPTIONS = 1000  # a response cites a handful; the index expands each into its parents
SIDECAR_SUFFIX = ".meta.json"


def sidecar_names(path: Path) -> tuple[str, str]:
    """The names a sidecar of `path` may have: `report.pdf.meta.json`, `report.meta.json`."""
    return path.name + SIDECAR_SUFFIX, path.stem + SIDECAR_SUFFIX


def sidecar_path(path: Path) -> Path | None:
    """`report.pdf.meta.json` or `report.meta.json`, whichever exists.

    A document whose name is near the file system's limit cannot have the longer form
    ("File name too long"): that is no sidecar, not a failure of the document."""
    for candidate in (path.with_name(name) for name in sidecar_names(path)):
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            continue
    return None


def read_sidecar(path: Path) -> tuple[dict, str]:
    """The sidecar's fields and a hash of its bytes; ExtractionError('bad_sidecar') if malformed."""
    raw = _read_bytes(path)
    depth = _nesting(raw)
    if depth > MAX_DEPTH:
        raise ExtractionError("bad_sidecar", f"{path.name}: nested {depth:,} deep (the limit is {MAX_DEPTH})")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ExtractionError("bad_sidecar", f"{path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise ExtractionError("bad_sidecar", f"{path.name}: expected a JSON object")
    try:  # "\\ud800" escapes decode to lone surrogates, which the index cannot store
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ExtractionError("bad_sidecar", f"{path.name}: invalid Unicode escape (a lone surrogate)") from None
    return data, hashlib.sha256(raw).hexdigest()


def _read_bytes(path: Path) -> bytes:
    """At most MAX_BYTES of a regular file, opened without following a link or blocking."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise ExtractionError("bad_sidecar", f"{path.name}: a symbolic link (sidecars must be files)") from None
        raise ExtractionError("bad_sidecar", f"{path.name}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ExtractionError("bad_sidecar", f"{path.name}: not a regular file")
        if st.st_size > MAX_BYTES:
            raise ExtractionError(
                "bad_sidecar", f"{path.name}: {st.st_size:,} bytes is over the {MAX_BYTES:,}-byte limit"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_BYTES + 1)  # a file still growing stops here
    except OSError as exc:
        raise ExtractionError("bad_sidecar", f"{path.name}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise ExtractionError("bad_sidecar", f"{path.name}: over the {MAX_BYTES:,}-byte limit")
    return raw


_STRUCTURE = re.compile(rb'["\[\]{}]')


def _nesting(raw: bytes) -> int:
    """How deep arrays and objects nest in `raw`, in one pass (brackets in strings do not count).

    Checked before parsing: the parser recurses per level and a deep enough file exhausts
    the stack. Sidecars with few brackets, nearly all of them, are not scanned."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    in_string = False
    for match in _STRUCTURE.finditer(raw):
        char = raw[match.start()]
        if char == 0x22:  # '"': ends a string unless escaped by an odd run of backslashes
            if in_string:
                before = match.start() - 1
                while before >= 0 and raw[before] == 0x5C:  # runs before two quotes never overlap
                    before -= 1
                in_string = (match.start() - 1 - before) % 2 == 1
            else:
                in_string = True
        elif in_string:
            continue
        elif char in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def apply_sidecar(meta: FoiMetadata, data: dict) -> tuple[FoiMetadata, dict]:
    """Metadata with the sidecar's values applied, and the sidecar keys that are not FOI fields."""
    values = {}
    extra = {}
    for key, value in data.items():
        if key not in _FIELDS:
            extra[key] = value
            continue
        values[key] = _check(key, value)
    return dataclasses.replace(meta, **values), extra


def _check(key: str, value):
    """Validate one overriding value; a wrong type is a bad sidecar, not a silent guess."""
    if key in ("date", "request_date") and value is not None:
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            raise ExtractionError("bad_sidecar", f"{key} must be YYYY-MM-DD, not {value!r}") from None
    if key == "outcome" and value not in OUTCOMES:
        raise ExtractionError("bad_sidecar", f"outcome must be one of {', '.join(OUTCOMES)}")
    if key == "exemptions":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ExtractionError("bad_sidecar", "exemptions must be a list of strings")
        if len(value) > MAX_EXEMPTIONS:
            raise ExtractionError("bad_sidecar", f"exemptions: {len(value):,} given, at most {MAX_EXEMPTIONS:,}")
        from indexer.metadata import dedupe_exemptions, normalise_exemption

        return dedupe_exemptions([normalise_exemption(v) or v for v in value])
    if key == "qa":
        try:
            return [QAPair(str(q["question"]), str(q["answer"])) for q in value]
        except (TypeError, KeyError):
            raise ExtractionError("bad_sidecar", "qa must be a list of {question, answer}") from None
    if key == "ncnd":
        return bool(value)
    if value is not None and not isinstance(value, str):
        raise ExtractionError("bad_sidecar", f"{key} must be a string")
    return value

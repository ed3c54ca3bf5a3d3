"""`NAME.meta.json` beside a document overrides any metadata field (DESIGN.md)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from pathlib import Path

from indexer.extract.base import ExtractionError
from indexer.models import OUTCOMES, FoiMetadata, QAPair

_FIELDS = {f.name for f in dataclasses.fields(FoiMetadata)}


def sidecar_path(path: Path) -> Path | None:
    """`report.pdf.meta.json` or `report.meta.json`, whichever exists."""
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_name(path.stem + ".meta.json")):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> tuple[dict, str]:
    """The sidecar's fields and a hash of its bytes; ExtractionError('bad_sidecar') if malformed."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ExtractionError("bad_sidecar", f"{path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise ExtractionError("bad_sidecar", f"{path.name}: expected a JSON object")
    try:  # "\\ud800" escapes decode to lone surrogates, which the index cannot store
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ExtractionError("bad_sidecar", f"{path.name}: invalid Unicode escape (a lone surrogate)") from None
    return data, hashlib.sha256(raw).hexdigest()


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

"""What archives and emails share: safe member paths, the unpacking budget that stops zip
bombs, extracting each member as a child document (a failing child costs only itself),
and turning the tree of children into doc_ids with their parents.

Members are read into memory and never written anywhere, so a member named
"../../etc/passwd" can neither read nor write outside: its name only becomes part of a
doc_id, after cleaning.
"""

from __future__ import annotations

import contextvars
import hashlib
import posixpath
import re
from dataclasses import dataclass, replace

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.models import ChildDocument, ExtractedDocument

SEPARATOR = "!/"  # "<container doc_id>!/<inner path>"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Budget:
    """Bytes unpacked so far from one file on disk, over every level of nesting."""

    limit: int
    used: int = 0

    def take(self, size: int, what: str) -> None:
        if self.used + size > self.limit:
            raise ExtractionError(
                "too_large", f"{what}: unpacking it would pass the {self.limit:,}-byte limit for one file (a zip bomb?)"
            )
        self.used += size


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("foi_unpack_budget", default=None)


class budget_for:
    """`with budget_for(options) as budget:` the budget of the file on disk being extracted;
    a nested container shares its outermost container's."""

    def __init__(self, options: ExtractOptions):
        self.options = options
        self.token = None

    def __enter__(self) -> Budget:
        current = _budget.get()
        if current is not None:
            return current
        current = Budget(self.options.max_unpacked)
        self.token = _budget.set(current)
        return current

    def __exit__(self, *exc) -> None:
        if self.token is not None:
            _budget.reset(self.token)


def safe_path(name: str, fallback: str) -> str:
    """A member name as a relative '/'-path: no drive, no root, no '..', no control characters."""
    name = _UNSAFE.sub("", name.replace("\\", "/"))
    parts = [p for p in posixpath.normpath("/" + name).split("/") if p not in ("", ".", "..")]
    parts = [p.replace("!", "_") if p.endswith("!") else p for p in parts]  # keep "!/" a separator
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":  # "C:" of a Windows path
        parts = parts[1:]
    return "/".join(parts) or fallback


def unique(path: str, taken: set[str]) -> str:
    """`path`, or `name-2.ext`, `name-3.ext`... when another member already has it."""
    if path not in taken:
        taken.add(path)
        return path
    stem, dot, ext = path.rpartition(".")
    if not stem or "/" in ext:
        stem, dot, ext = path, "", ""
    n = 2
    while f"{stem}-{n}{dot}{ext}" in taken:
        n += 1
    taken.add(f"{stem}-{n}{dot}{ext}")
    return f"{stem}-{n}{dot}{ext}"


def extract_child(path: str, data: bytes, options: ExtractOptions) -> ChildDocument:
    """One member or attachment as a child document. Never raises: a failure is its reason."""
    from indexer.extract.registry import extract_bytes

    child = ChildDocument(path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    if options.depth + 1 > options.max_depth:
        child.reason, child.detail = "too_deep", f"nested more than {options.max_depth} containers deep"
        return child
    try:
        child.document = extract_bytes(data, posixpath.basename(path), replace(options, depth=options.depth + 1))
    except ExtractionError as exc:
        child.reason, child.detail = exc.reason, exc.detail
    except MemoryError:
        child.reason, child.detail = "too_large", "ran out of memory while extracting"
    except RecursionError:
        child.reason, child.detail = "corrupt", "nested too deeply to read"
    except Exception as exc:  # a bug in a library costs this member, not its container
        child.reason, child.detail = "corrupt", f"{type(exc).__name__}: {exc}"
    return child


@dataclass
class FlatChild:
    """A child placed in the index: its doc_id, its container's, and what was extracted."""

    doc_id: str
    parent: str
    child: ChildDocument


def flatten(doc_id: str, document: ExtractedDocument) -> list[FlatChild]:
    """Every child, grandchild... of a document, depth first, with doc_ids and parents:
    "corpus/mail.eml!/bundle.zip" is the parent of "corpus/mail.eml!/bundle.zip!/a.pdf"."""
    out: list[FlatChild] = []
    for child in document.children:
        child_id = f"{doc_id}{SEPARATOR}{child.path}"
        out.append(FlatChild(child_id, doc_id, child))
        if child.document is not None:
            out += flatten(child_id, child.document)
    return out


def container_of(doc_id: str) -> str | None:
    """The doc_id of the container holding `doc_id`, or None for a file on disk."""
    head, sep, _ = doc_id.rpartition(SEPARATOR)
    return head if sep else None


def outermost(doc_id: str) -> str:
    """The doc_id of the file on disk that holds `doc_id` (itself for a file on disk)."""
    return doc_id.split(SEPARATOR, 1)[0]

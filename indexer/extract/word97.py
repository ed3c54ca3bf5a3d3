"""Word 97-2003 (.doc) responses, through antiword (a Debian package `make setup` installs).

No maintained Python library reads the binary Word format; antiword does, fast and without
running anything in the document. Its tables come out as "|cell |cell |" lines, which are
turned into tab-separated rows like every other format's tables.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.office import check_ole_not_encrypted
from indexer.models import ExtractedDocument, Page

KIND = "doc"
SUFFIXES = (".doc", ".dot")
PAGED = False
DESCRIPTION = "a Word 97-2003 document"

TOOL = "antiword"
MISSING_HINT = (
    "Word 97-2003 (.doc) files need antiword: install it (`make setup`, or "
    "`apt-get install antiword`) and index again with --retry-failed"
)
_PICTURE = re.compile(r"\[pic\]")


def match(probe) -> bool:
    return "WordDocument" in probe.ole_streams


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    tool = shutil.which(TOOL)
    if tool is None:
        raise ExtractionError("unsupported", MISSING_HINT)
    check_ole_not_encrypted(data, "the Word document")
    with tempfile.NamedTemporaryFile(prefix="foi-doc-", suffix=".doc") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            run = subprocess.run(
                [tool, "-w", "0", "-m", "UTF-8.txt", tmp.name],
                capture_output=True,
                timeout=options.timeout,
                env={**os.environ, "LC_ALL": "C.UTF-8"},
            )
        except subprocess.TimeoutExpired:
            raise ExtractionError("timeout", f"antiword took over {options.timeout:g} s") from None
    message = run.stderr.decode("utf-8", "replace").strip()
    if "encrypted" in message.lower():
        raise ExtractionError("encrypted", "the Word document needs a password to open")
    if run.returncode != 0:
        detail = message.splitlines()[-1] if message else f"antiword exit code {run.returncode}"
        raise ExtractionError("corrupt", detail.replace(tmp.name, "the file"))
    return ExtractedDocument(kind=KIND, pages=[Page(1, tidy(run.stdout.decode("utf-8", "replace")))])


def tidy(text: str) -> str:
    """antiword's table rows ("|a   |   |b |") as tab-separated cells; picture marks dropped."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
            cells = [cell.strip() for cell in stripped[1:-1].split("|")]
            line = "\t".join(cell for cell in cells if cell)
        lines.append(_PICTURE.sub("", line).rstrip())
    return "\n".join(lines)

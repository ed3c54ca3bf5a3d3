"""`o`: open a document's original file in the system viewer, else its text in $PAGER (app suspended)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from textual.app import App, SuspendNotSupported

from indexer.search import Hit
from indexer.textsafe import clean_display, one_line


def system_viewer() -> list[str] | None:
    """The desktop's "open with the default application" command, when there is a desktop."""
    if sys.platform == "darwin" and shutil.which("open"):
        return ["open"]
    if sys.platform.startswith("win"):
        return ["cmd", "/c", "start", ""]
    if (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and shutil.which("xdg-open"):
        return ["xdg-open"]
    return None


def pager() -> list[str]:
    command = os.environ.get("PAGER") or ("less -R" if shutil.which("less") else "more")
    return shlex.split(command) or ["more"]


def open_document(app: App, hit: Hit) -> None:
    path = Path(hit.path)
    if not path.is_file():
        app.notify(f"The file is no longer there: {one_line(hit.path)}", severity="error", markup=False)
        return
    viewer = system_viewer()
    if viewer is not None:
        subprocess.Popen(
            [*viewer, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        app.notify(f"Opened {one_line(path.name)}", markup=False)
        return
    # No desktop: page the extracted text (a PDF's, or a member of an archive or email, whose
    # path is its container's), cleaned: the file's own bytes could carry escape sequences,
    # which `less -R` would pass to the terminal.
    document = app.service.document(hit.doc_id)
    text = clean_display(document.content if document is not None else "")
    try:
        with app.suspend():
            subprocess.run(pager(), input=text.encode("utf-8", "replace"), check=False)
    except SuspendNotSupported:
        app.notify("Cannot hand the terminal to a pager here; press y to copy the path.", severity="warning")
    except OSError as exc:
        app.notify(f"Could not run the pager: {one_line(exc)}", severity="error", markup=False)

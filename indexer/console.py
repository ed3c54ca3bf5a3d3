"""The `foi` console script and `python -m indexer`: indexer.cli's command group, with the
cyclic garbage collector kept off the objects that live until exit.

Importing the CLI, and the engine after it, makes tens of thousands of objects (modules,
classes, functions) that live as long as the process; each collection while they are young
walks them all again, and so does the collection at shutdown. They are frozen (gc.freeze)
once imported and once the command is done, so collections only look at new objects
(together about a sixth of a one-shot search's CPU). Nothing is lost: standard streams are
flushed and exit handlers run all the same.
"""

from __future__ import annotations

import gc


def run() -> None:
    gc.disable()
    try:
        from indexer.cli import main
    finally:
        gc.freeze()
        gc.enable()
    try:
        main()
    finally:
        gc.freeze()

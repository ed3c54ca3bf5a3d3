"""Nothing from a document, a sidecar or a file name reaches a terminal as an escape code.

`foi search` and `foi show` run on a real pseudo-terminal (Rich then writes its own
colours, so the checks look for the injected sequences, not for ESC in general); the
`--queries` echo and `foi index --watch` lines are checked too. One cleaner serves all.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer.textsafe import clean_display, json_line, one_line
from tests.conftest import ROOT, run_foi, write_doc

# What a hostile sidecar or file name carries: a colour, a window title, a hyperlink,
# a screen clear, the 8-bit CSI, a bidi override and a bell.
COLOUR = "\x1b[38;5;196m"
TITLE = "\x1b]0;PWNED\x07"
LINK = "\x1b]8;;https://evil.example/\x1b\\"
CLEAR = "\x1b[2J"
CSI8 = "\x9b31m"
RLO = "\u202e"
INJECTED = (COLOUR, TITLE, LINK, CLEAR, CSI8, RLO, "\x07")


def test_clean_display_makes_every_control_visible_one_for_one():
    raw = f"a{COLOUR}b{TITLE}c{LINK}d{CSI8}e{RLO}f\ud800g\rh\ti\nj"
    shown = clean_display(raw)
    assert len(shown) == len(raw)  # highlight offsets stay valid
    assert shown.startswith("a␛[38;5;196mb␛]0;PWNED␇c␛]8;;https://evil.example/␛\\d")
    assert "\ufffd31me\ufffdf\ufffdg h i\nj" in shown
    assert one_line(raw).endswith("i j") and "\n" not in one_line(raw)
    assert not any(ch in shown for ch in "\x1b\x07\x9b\r\u202e\ud800")
    assert clean_display(None) == "" and clean_display(42) == "42"


def test_json_lines_escape_terminal_controls_but_keep_the_value():
    value = {"title": f"x{CSI8}{RLO}\u2028{TITLE}\ud800"}
    line = json_line(value)
    assert json.loads(line) == value
    assert not any(ch in line for ch in "\x1b\x07\x9b\u202e\u2028\ud800")
    assert json_line({"t": "café – ok"}) == '{"t": "café – ok"}'  # ordinary text stays readable


def on_pty(*args: str, timeout: float = 60.0) -> str:
    """Run `foi ARGS` with stdout and stderr on a pseudo-terminal; everything it wrote."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "400", "LINES": "50"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=ROOT,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    name = f"evil{COLOUR}{CLEAR}name.txt"
    write_doc(corpus, name, "Harrogate Borough Council\nA response about the town's floral clock.\n")
    (corpus / f"{name}.meta.json").write_text(
        json.dumps(
            {
                "title": f"Floral clock{TITLE}",
                "authority": f"Harrogate{RLO}Council{CSI8}",
                "exemptions": [f"s40(2){LINK}click{LINK}"],
                "reference": f"REF{COLOUR}1",
            }
        ),
        encoding="utf-8",
    )
    index = root / "index"
    proc = run_foi("index", str(corpus), "--index", str(index), "--json", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["failed"] == 0
    return index, f"corpus/{name}"


def assert_nothing_injected(output: str) -> None:
    for sequence in INJECTED:
        assert sequence not in output, repr(sequence)
    assert "\x1b]" not in output  # no OSC of any kind (titles, links): Rich writes none of its own


def test_search_on_a_terminal_shows_escapes_as_text(hostile_index):
    index, doc_id = hostile_index
    out = on_pty("search", "floral", "--index", str(index))
    assert "Floral clock␛]0;PWNED␇" in out
    assert "evil␛[38;5;196m␛[2Jname.txt" in out
    assert "s40(2)␛]8;;https://evil.example/␛\\click" in out
    assert "\x1b[" in out  # Rich did colour its own output: this was a terminal
    assert_nothing_injected(out)


def test_show_on_a_terminal_shows_escapes_as_text(hostile_index):
    index, doc_id = hostile_index
    out = on_pty("show", doc_id, "--index", str(index))
    assert "Floral clock␛]0;PWNED␇" in out and "REF␛[38;5;196m1" in out
    assert "Harrogate\ufffdCouncil\ufffd" in out
    assert "floral clock" in out
    assert_nothing_injected(out)


def test_json_output_on_a_terminal_carries_the_values_escaped(hostile_index):
    index, doc_id = hostile_index
    out = on_pty("show", doc_id, "--json", "--index", str(index))
    assert_nothing_injected(out)
    shown = json.loads(out.replace("\r\n", "\n"))
    assert shown["title"] == f"Floral clock{TITLE}"  # scripts still get the exact value


def test_queries_echo_and_errors_are_cleaned(hostile_index, tmp_path):
    index, _ = hostile_index
    queries = tmp_path / "queries.txt"
    queries.write_text(f'floral{TITLE}\nclock{RLO}\n"unbalanced{CLEAR}\ndate:[{COLOUR} TO x]\n', encoding="utf-8")
    out = on_pty("search", "--queries", str(queries), "--index", str(index))
    assert "## floral␛]0;PWNED␇" in out and "## clock\ufffd" in out
    assert "foi: line 3: " in out and "foi: line 4: " in out  # bad lines reported, cleaned
    assert_nothing_injected(out)
    counted = run_foi("search", "--queries", str(queries), "--count", "--index", str(index))
    assert TITLE not in counted.stdout and "floral␛]0;PWNED␇\t" in counted.stdout


def test_index_summary_cleans_file_names(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / f"empty{TITLE}.txt").write_bytes(b"")
    out = on_pty("index", str(corpus), "--index", str(tmp_path / "index"), "--jobs", "1")
    assert "failed: " in out and "empty␛]0;PWNED␇.txt" in out
    assert_nothing_injected(out)


def test_watch_prints_file_names_cleaned(tmp_path, capsys):
    from indexer.output import watch_line
    from indexer.pipeline import RunOptions
    from indexer.watch import watch_and_index

    corpus = tmp_path / "corpus"
    write_doc(corpus, f"first{TITLE}.txt", "A response about allotments.")
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_and_index,
        args=([corpus], tmp_path / "index", RunOptions(jobs=1)),
        kwargs={
            "debounce": 0.3,
            "stop": stop,  # printed as `foi index --watch` does
            "on_event": lambda *event: print(watch_line(*event)),
            "on_run": lambda summary: print("watching"),
        },
    )
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "watching" not in capsys.readouterr().out:
            time.sleep(0.2)
        write_doc(corpus, f"second{COLOUR}.txt", "A response about cemeteries.")
        seen = ""
        while time.monotonic() < deadline and "second" not in seen:
            time.sleep(0.2)
            seen += capsys.readouterr().out
    finally:
        stop.set()
        thread.join(timeout=30)
    assert "added    corpus/second␛[38;5;196m.txt" in seen
    assert COLOUR not in seen


def test_tui_and_cli_share_one_cleaner():
    import tui.text
    from tui.widgets import preview, results_list

    assert results_list.one_line is one_line and preview.clean_display is clean_display
    assert not hasattr(tui.text, "_TABLE")  # no second translation table
    assert Path(tui.text.__file__).read_text().count("translate(") == 0

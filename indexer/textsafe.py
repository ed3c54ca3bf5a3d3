"""The one cleaner for untrusted strings shown on a terminal (CLI, `foi show`, --watch, TUI).

Anything that came from a document, a sidecar or a file name goes through `clean_display`
before it is printed or drawn. Every control character, the 8-bit C1 controls (the
one-byte CSI and OSC among them), bidirectional overrides and lone surrogates are replaced
by a visible stand-in, so an escape sequence shows as `␛[31m` or `␛]0;title␇` instead of
recolouring the terminal, setting its title or drawing a link. Replacement is one
character for one character: highlight offsets computed on the raw text stay valid.
"""

from __future__ import annotations

import json
import re

_STANDINS: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}  # U+2400 pictures: ␛ ␇ ␀
_STANDINS[0x09] = " "  # tab: one cell, so widths computed per character hold
_STANDINS[0x0B] = " "  # vertical tab
_STANDINS[0x0C] = " "  # form feed (PDF page breaks)
_STANDINS[0x0D] = " "  # carriage return: it would let a line overwrite what was shown before it
_STANDINS[0x7F] = "\u2421"  # DEL
for _code in range(0x80, 0xA0):  # C1 controls, including the 8-bit CSI (0x9B) and OSC (0x9D)
    _STANDINS[_code] = "\ufffd"
# Bidirectional embeddings, overrides, isolates and marks reorder what the terminal shows.
BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
for _code in BIDI_CONTROLS:
    _STANDINS[_code] = "\ufffd"
for _code in range(0xD800, 0xE000):  # lone surrogates cannot be written to a UTF-8 terminal
    _STANDINS[_code] = "\ufffd"
_STANDINS_KEEP_NEWLINES = {**_STANDINS}
del _STANDINS_KEEP_NEWLINES[0x0A]
_STANDINS[0x0A] = " "


def clean_display(text: object, keep_newlines: bool = True) -> str:
    """`text` (any value; None is "") with every unsafe character made visible, same length.

    With keep_newlines=False the result is a single line: newlines become spaces."""
    if text is None:
        return ""
    return str(text).translate(_STANDINS_KEEP_NEWLINES if keep_newlines else _STANDINS)


def one_line(text: object) -> str:
    """A single display line: newlines become spaces, unsafe characters visible."""
    return clean_display(text, keep_newlines=False)


# json.dumps(ensure_ascii=False) escapes only U+0000-U+001F; these it would write raw.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(map(chr, BIDI_CONTROLS)) + "]")


def json_line(obj: object) -> str:
    """`obj` as one line of JSON that is safe on a terminal and parses to the same value.

    Characters a terminal could act on are written as \\uXXXX escapes, so scripts still
    read the exact stored text while a person piping to the screen sees no escape codes."""
    dumped = json.dumps(obj, ensure_ascii=False, default=str)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)

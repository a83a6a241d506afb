"""Make text from manifests, clusters and servers safe to show to a person.

Resource names, namespaces, file names, annotations and server messages are
chosen by whoever wrote the manifest or runs the API server.  Printed raw they can:

* drive the terminal: ``\\x1b]`` (OSC) sets the window title or writes to the
  clipboard, ``\\x1b[2J`` clears the screen, ``\\r`` overwrites a line, so a
  table row or a stderr line could hide a finding or fake a clean result;
* spoof what a reviewer reads: a right-to-left override (U+202E) shows
  ``cart‮lmay.`` as ``cart.yaml``, and zero-width characters make two different
  names look the same (Trojan Source, CVE-2021-42574).

``safe_text`` is the one helper every renderer uses: control characters (C0,
DEL, C1) become their escape as text (``\\x1b``), and invisible formatting
characters (bidirectional controls, zero-width characters, line and paragraph
separators) become ``<U+202E>``.  Everything printable passes unchanged, and
the common case (nothing to do) is a single ``str.isprintable`` call.
"""

from __future__ import annotations

import unicodedata

_VISIBLE_CATEGORIES = ("Cf", "Zl", "Zp")  # format (bidi, zero-width), line and paragraph separators


def _escape_char(ch: str) -> str:
    code = ord(ch)
    category = unicodedata.category(ch)
    if category == "Cc":
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    if category in _VISIBLE_CATEGORIES:
        return f"<U+{code:04X}>"
    return ch


def safe_text(value: object, keep_newlines: bool = False) -> str:
    """``value`` as text with control and invisible formatting characters shown, never emitted.

    ``keep_newlines`` keeps ``\\n`` and ``\\t`` (a multi-line report); otherwise they are
    escaped too, so a one-line message stays one line.
    """
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " " or (keep_newlines and ch in "\n\t"):
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def for_terminal(text: object) -> str:
    """A multi-line text for a terminal or a log: newlines kept, everything else shown safely.

    Line by line, so each clean line takes the one-call fast path: a whole
    report contains newlines and is never ``isprintable`` as one string, and
    walking its millions of characters one by one took seconds.
    """
    text = text if isinstance(text, str) else str(text)
    if text.isprintable():
        return text
    return "\n".join(safe_text(line, keep_newlines=True) for line in text.split("\n"))

"""The bundled YAML (framework mappings, checks' METADATA) shipped already parsed, keyed by each text's SHA-256.

Why: every scan reads the eight bundled mapping files and 84 METADATA blocks;
composing them with libyaml and converting the nodes in Python took about
0.03 s of a small scan's start-up (issue 16), where decoding the same values
from JSON takes a millisecond.

Why it gives the same answers: an entry is used only for the exact text it
was made from (SHA-256 of the text), and holds what ``load_user_yaml`` gives
for that text, checked to survive JSON unchanged (types included) when the
file is written; texts with anchors and aliases are left out (their values
may share objects).  Any other text, such as a user's mapping or an edited
check, is parsed live.  Each lookup decodes a fresh value, so a caller can
never change what the next one sees.  The file sits inside the installed
package; it is not a user-writable cache.

Regenerate after editing a bundled mapping or METADATA block
(tests/test_shipped_facts.py fails until then)::

    .venv/bin/python -m scanner.shipped
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from .sources.yaml_loader import DocumentError, load_user_yaml, may_have_aliases

YAML_FILE = Path(__file__).resolve().parent / "bundled_yaml.json"
REGENERATE = ".venv/bin/python -m scanner.shipped"
FORMAT = 1
_entries: dict[str, str] | None = None


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shipped() -> dict[str, str]:
    """Text key -> the value's JSON, decoded only when asked for; empty when the file is missing or foreign."""
    global _entries
    if _entries is None:
        _entries = {}
        try:
            lines = YAML_FILE.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        if lines and lines[0] == json.dumps({"format": FORMAT}):
            for line in lines[1:]:
                key, _, value = line.partition(" ")
                _entries[key] = value
    return _entries


def load_yaml(text: str) -> Any:
    """``load_user_yaml(text)``: the shipped value when this exact text was shipped, else parsed now."""
    value = _shipped().get(text_key(text))
    if value is not None:
        return json.loads(value)
    return load_user_yaml(text)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1, 1.0 and True are not the same YAML value)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def entry(text: str) -> str | None:
    """The shipped line for ``text``, or None when its value would not come back from JSON exactly as parsed."""
    if may_have_aliases(text):
        return None
    try:
        value = load_user_yaml(text)
    except DocumentError:
        return None  # parsed live, so the error is reported with its line
    try:
        encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return None
    if "\n" in encoded or not _same(json.loads(encoded), value):
        return None
    return f"{text_key(text)} {encoded}"


def render(texts: Iterable[str]) -> str:
    """The file's text: a format line, then one sorted ``<sha256> <json>`` line per shippable text."""
    lines = sorted({line for line in map(entry, texts) if line is not None})
    return "\n".join([json.dumps({"format": FORMAT}), *lines]) + "\n"

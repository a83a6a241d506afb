"""The result digest: a SHA-256 the JSON result carries over itself, so a changed result is noticed.

A digest cannot cover itself, so ``scan.result_digest`` is defined as the
SHA-256 of the canonical JSON of the whole result with ``scan.result_digest``
left out: keys sorted, no spaces (``","`` and ``":"`` separators), non-ASCII
characters as UTF-8 (not ``\\u`` escapes).  Anyone can re-perform it with a few
lines of any language; ``kubecomply report`` does before it renders.

Like the snapshot digests it detects accidental or careless change, not a
forger: whoever edits the file can recompute it.  Sign the file if the result
is audit evidence that must resist that.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .jsonbytes import compact

FIELD = "result_digest"


def canonical(value: Any, checked: bool = False) -> bytes:
    """The canonical JSON bytes of ``value`` (sorted keys, compact, UTF-8).

    Encoded by scanner.jsonbytes: orjson where it gives the stdlib's exact
    bytes, else the stdlib (``checked``: the caller has made sure of the floats).
    """
    return compact(value, checked)


def result_digest(document: dict[str, Any], checked: bool = False) -> str:
    """``sha256:<hex>`` of the result document without its own ``scan.result_digest``."""
    scan = document.get("scan")
    if isinstance(scan, dict) and FIELD in scan:
        document = {**document, "scan": {k: v for k, v in scan.items() if k != FIELD}}
    return "sha256:" + hashlib.sha256(canonical(document, checked)).hexdigest()


def sealed(document: dict[str, Any], checked: bool = False) -> dict[str, Any]:
    """A copy of the document (shallow, ``scan`` copied) carrying its ``scan.result_digest``."""
    scan = document.get("scan") if isinstance(document.get("scan"), dict) else {}
    digest = result_digest(document, checked)
    return {**document, "scan": {**scan, FIELD: digest}}


def verify(document: dict[str, Any]) -> str | None:
    """None when the document has no digest or matches it; otherwise why it does not verify (one line)."""
    scan = document.get("scan")
    if not isinstance(scan, dict) or FIELD not in scan:
        return None
    recorded = scan.get(FIELD)
    actual = result_digest(document)
    if recorded != actual:
        return f"the result does not match its scan.{FIELD} ({recorded} recorded, {actual} computed): it was changed after it was written"
    return None

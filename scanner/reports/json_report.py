"""The JSON result: the canonical, versioned ScanResult document (docs/result-schema.md).

Keys are sorted and findings are already in a stable order, so two runs over
the same inputs differ only in their timestamps and the run's user and host.
The document carries ``scan.result_digest`` over itself (scanner.integrity), so
``kubecomply report`` can tell a result that was changed after it was written.

The document is built once (``ScanResult.to_dict``), encoded once compact for
the digest and once indented for the file, both by ``scanner.jsonbytes``
(orjson, or the stdlib's identical bytes), and written as bytes: no second
copy as ``str``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..integrity import sealed
from ..jsonbytes import float_safe, pretty
from ..model import ScanResult


def floats_checked(document: dict[str, Any]) -> bool:
    """The result holds no float orjson would spell differently, looking only where floats can be.

    Findings and resources are typed by the model (strings and small ints),
    except a resource's ``uid``, which is whatever the object said; controls'
    ``findings`` and ``population`` and checks' ``population_ranges`` are
    lists of indexes.  Everything else (a
    small part of a big result) is walked whole.
    """
    rest = {k: v for k, v in document.items() if k not in ("findings", "resources", "frameworks", "checks")}
    if not float_safe(rest):
        return False
    for check in document.get("checks") or []:
        if not float_safe({k: v for k, v in check.items() if k != "population_ranges"}):
            return False
    for framework in document.get("frameworks") or []:
        if not float_safe({k: v for k, v in framework.items() if k != "controls"}):
            return False
        for control in framework.get("controls") or []:
            if not float_safe({k: v for k, v in control.items() if k not in ("findings", "population")}):
                return False
    uids = {id(ref): ref.get("uid") for ref in (f.get("resource") or {} for f in document.get("findings") or [])}
    uids.update((id(r), r.get("uid")) for r in document.get("resources") or [])
    return float_safe([uid for uid in uids.values() if uid is not None and type(uid) is not str])


def sealed_document(result: ScanResult) -> tuple[dict[str, Any], bool]:
    """The result's document carrying its ``scan.result_digest``, and whether its floats were checked."""
    document = result.to_dict()
    checked = floats_checked(document)
    return sealed(document, checked), checked


def render_json(result: ScanResult) -> bytes:
    """The bytes ``-f json`` writes (UTF-8, indented, keys sorted, a final newline)."""
    document, checked = sealed_document(result)
    return pretty(document, checked)


def render_sealed(result: ScanResult) -> tuple[bytes, str]:
    """The JSON bytes and their ``scan.result_digest``, for callers that show both."""
    document, checked = sealed_document(result)
    return pretty(document, checked), document["scan"]["result_digest"]


def json_digests(result: ScanResult) -> tuple[str, str]:
    """(SHA-256 hex of the bytes ``-f json`` writes, ``scan.result_digest``) without keeping the JSON.

    The HTML report shows both; the bytes are hashed and dropped at once.
    """
    text, canonical = render_sealed(result)
    return hashlib.sha256(text).hexdigest(), canonical

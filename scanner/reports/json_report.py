"""The JSON result: the canonical, versioned ScanResult document (docs/result-schema.md).

Keys are sorted and findings are already in a stable order, so two runs over
the same inputs differ only in their timestamps and the run's user and host.
The document carries ``scan.result_digest`` over itself (scanner.integrity), so
``kubecomply report`` can tell a result that was changed after it was written.

Written as a stream (``json_chunks``), never as one string: the document is
walked in key order by ``jsonbytes.stream``, which encodes each small part
(a batch of findings, of resources, of a control's indexes) both indented, for
the output, and compact, for the SHA-256 of the digest, and drops it.  The
findings and the resource inventory are made one at a time from the result
(``Lazy``), so they never exist as one list of dicts either; at 100,000
resources the document held whole was some 700 MB more than SARIF's peak.
``scan`` sorts after ``findings``, ``frameworks`` and ``resources``, so its
digest is known when it is written: the members from ``scan`` on (small) are
encoded compact first, hashed, then written with the digest.  The bytes are
exactly those of ``json.dumps(document, indent=2, sort_keys=True,
ensure_ascii=False) + "\\n"``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterator

from ..integrity import FIELD, sealed
from ..jsonbytes import Lazy, float_safe, members, pretty
from ..model import ScanResult

FINDINGS_PER_BATCH = 2000  # findings encoded per call: few calls, a few MB alive at a time
RESOURCES_PER_BATCH = 2000
CHUNK = 1 << 20  # bytes gathered before a chunk is handed to the writer


def floats_checked(document: dict[str, Any]) -> bool:
    """The result holds no float orjson would spell differently, looking only where floats can be.

    Findings and resources are typed by the model (strings and small ints),
    except a resource's ``uid``, which is whatever the object said; controls'
    ``findings`` and ``population`` and checks' ``population_ranges`` are
    lists of indexes.  Everything else (a small part of a big result) is
    walked whole.  Streamed findings and resources (``Lazy``) are checked
    batch by batch as they are written instead.
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
    findings, resources = document.get("findings"), document.get("resources")
    findings = findings if isinstance(findings, list) else []
    resources = resources if isinstance(resources, list) else []
    uids = {id(ref): ref.get("uid") for ref in (f.get("resource") or {} for f in findings)}
    uids.update((id(r), r.get("uid")) for r in resources)
    return float_safe([uid for uid in uids.values() if uid is not None and type(uid) is not str])


def sealed_document(result: ScanResult) -> tuple[dict[str, Any], bool]:
    """The result's whole document carrying its ``scan.result_digest``, and whether its floats were checked."""
    document = result.to_dict()
    checked = floats_checked(document)
    return sealed(document, checked), checked


def _uid_safe(uid: Any) -> bool:
    return uid is None or type(uid) is str or float_safe(uid)


def _findings_checked(batch: list[dict[str, Any]]) -> bool:
    return all(_uid_safe((finding.get("resource") or {}).get("uid")) for finding in batch)


def _resources_checked(batch: list[dict[str, Any]]) -> bool:
    return all(_uid_safe(resource.get("uid")) for resource in batch)


def json_chunks(result: ScanResult, seal: dict[str, str] | None = None) -> Iterator[bytes]:
    """The bytes ``-f json`` writes, as chunks; ``seal["result_digest"]`` is set once the last is given."""
    document = result.document(
        Lazy(result.finding_dicts(), FINDINGS_PER_BATCH, _findings_checked),
        Lazy(result.resource_dicts(), RESOURCES_PER_BATCH, _resources_checked),
    )
    scan = document["scan"]
    if not isinstance(scan, dict):  # not a result this tool wrote: the whole document at once
        whole, checked = sealed_document(result)
        if seal is not None:
            seal[FIELD] = whole["scan"][FIELD]
        yield pretty(whole, checked)
        return
    checked = floats_checked(document)
    # Members sorting before "scan" (findings, frameworks, resources: nearly all of it) are
    # written as they are encoded; those from "scan" on wait for the digest over everything.
    head = {k: v for k, v in document.items() if k < "scan"}
    tail = {**{k: v for k, v in document.items() if k > "scan"}, "scan": {k: v for k, v in scan.items() if k != FIELD}}
    digest = hashlib.sha256()
    out = bytearray()
    for text, canonical in members(head, checked, 0, True):
        digest.update(canonical)
        out += text
        if len(out) >= CHUNK:
            yield bytes(out)
            out.clear()
    for _text, canonical in members(tail, checked, 0, not head):
        digest.update(canonical)
    digest.update(b"}")
    value = "sha256:" + digest.hexdigest()
    if seal is not None:
        seal[FIELD] = value
    tail["scan"] = {**tail["scan"], FIELD: value}
    for text, _canonical in members(tail, checked, 0, not head):
        out += text
    out += b"\n}\n"
    yield bytes(out)


def render_json(result: ScanResult) -> bytes:
    """The bytes ``-f json`` writes (UTF-8, indented, keys sorted, a final newline)."""
    return b"".join(json_chunks(result))


def render_sealed(result: ScanResult) -> tuple[bytes, str]:
    """The JSON bytes and their ``scan.result_digest``, for callers that show both."""
    seal: dict[str, str] = {}
    text = b"".join(json_chunks(result, seal))
    return text, seal[FIELD]


def json_digests(result: ScanResult) -> tuple[str, str]:
    """(SHA-256 hex of the bytes ``-f json`` writes, ``scan.result_digest``), hashing the chunks as they come.

    The HTML report shows both; no copy of the JSON is kept.
    """
    seal: dict[str, str] = {}
    file_digest = hashlib.sha256()
    for chunk in json_chunks(result, seal):
        file_digest.update(chunk)
    return file_digest.hexdigest(), seal[FIELD]

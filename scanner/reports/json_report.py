"""The JSON result: the canonical, versioned ScanResult document (docs/result-schema.md).

Keys are sorted and findings are already in a stable order, so two runs over
the same inputs differ only in their timestamps and the run's user and host.
The document carries ``scan.result_digest`` over itself (scanner.integrity), so
``kubecomply report`` can tell a result that was changed after it was written.

Written as a stream (``json_chunks``): the document without its findings is
encoded once compact (for the digest) and once indented, around a placeholder
finding; then each finding's dict is built, encoded both ways (the compact
bytes go into the SHA-256, the indented ones, re-indented to their depth, to
the output) and dropped.  ``scan`` sorts after ``findings``, so its digest,
known only after the last finding, is written after them.  The findings, the
largest part, never exist as one list of dicts or one string; the bytes are
exactly those of ``json.dumps(document, indent=2, sort_keys=True,
ensure_ascii=False)``.  Where a splice cannot be done safely (no findings, a
placeholder that occurs twice) the whole document is encoded at once instead.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterator

from ..integrity import FIELD, sealed
from ..jsonbytes import compact, float_safe, pretty
from ..model import ScanResult

# Stands for the findings in the encoded skeleton, and for the digest until it is known.
_FINDINGS_MARK = "\x00kubecomply-findings\x00"
_DIGEST_MARK = "sha256:" + "0" * 64


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
    """The result's whole document carrying its ``scan.result_digest``, and whether its floats were checked."""
    document = result.to_dict()
    checked = floats_checked(document)
    return sealed(document, checked), checked


def _uid_checked(finding: dict[str, Any]) -> bool:
    uid = (finding.get("resource") or {}).get("uid")
    return uid is None or type(uid) is str or float_safe(uid)


def json_chunks(result: ScanResult, seal: dict[str, str] | None = None) -> Iterator[bytes]:
    """The bytes ``-f json`` writes, as chunks; ``seal["result_digest"]`` is set once the last is given."""
    skeleton = result.to_dict(with_findings=False)
    scan = {k: v for k, v in skeleton["scan"].items() if k != FIELD} if isinstance(skeleton.get("scan"), dict) else None
    spliced = _skeleton_parts(skeleton, scan) if result.findings and scan is not None else None
    if spliced is None:
        document, checked = sealed_document(result)
        if seal is not None:
            seal[FIELD] = document["scan"][FIELD]
        yield pretty(document, checked)
        return
    compact_head, compact_tail, head, tail, indent = spliced
    digest = hashlib.sha256(compact_head)
    yield head
    # A batch is encoded as a list: "[\n  {..},\n  {..}\n]\n" indented, "[{..},{..}]" compact;
    # its items are taken out of the brackets and indented from the list's depth to the findings'.
    extra = b"\n" + indent[2:]
    comma, separator = b"", b""
    for batch in _batches(result.finding_dicts(), FINDINGS_PER_BATCH):
        checked = all(_uid_checked(finding) for finding in batch)
        digest.update(comma + compact(batch, checked)[1:-1])
        yield separator + indent[2:] + pretty(batch, checked)[2:-3].replace(b"\n", extra)
        comma, separator = b",", b",\n"
    digest.update(compact_tail)
    value = "sha256:" + digest.hexdigest()
    if seal is not None:
        seal[FIELD] = value
    yield tail.replace(_DIGEST_MARK.encode(), value.encode(), 1)


FINDINGS_PER_BATCH = 2000  # findings encoded per call: few calls, a few MB alive at a time


def _batches(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _skeleton_parts(skeleton: dict[str, Any], scan: dict[str, Any]) -> tuple[bytes, bytes, bytes, bytes, bytes] | None:
    """The document without findings, encoded compact (unsealed) and indented (with a stand-in digest), split where the findings go."""
    checked = floats_checked(skeleton)  # findings empty: each is checked as it is written
    skeleton["findings"] = [_FINDINGS_MARK]
    compact_text = compact({**skeleton, "scan": scan}, checked)
    mark = compact(_FINDINGS_MARK)
    text = pretty({**skeleton, "scan": {**scan, FIELD: _DIGEST_MARK}}, checked)
    digest_field = f'"{FIELD}": "{_DIGEST_MARK}"'.encode()
    if compact_text.count(mark) != 1 or text.count(mark) != 1 or text.count(digest_field) != 1 or text.index(digest_field) < text.index(mark):
        return None  # a value holds the stand-ins themselves: encode the whole document instead
    at = compact_text.index(mark)
    compact_head, compact_tail = compact_text[:at], compact_text[at + len(mark):]
    at = text.index(mark)
    line_start = text.rindex(b"\n", 0, at) + 1
    return compact_head, compact_tail, text[:line_start], text[at + len(mark):], text[line_start:at]


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

"""The history store: results kept as immutable, content-addressed files with one small index record each.

Layout (plain files, so a store can live in git or object storage and be copied with ``cp -r``)::

    STORE/kubecomply-store.json                    marker: format and version
    STORE/results/sha256/<hex>.json                the result, byte for byte as given
    STORE/attestations/sha256/<hex>.dsse.json      its DSSE envelope, when one was given
    STORE/index/<hex>.json                         what ``history list`` and reports read first

Why one index file per result rather than SQLite or one growing list: the
records never change once written, so two CronJobs (or two git branches)
adding results at the same time never touch the same file, and a store merged
in git needs no conflict resolution.  A store of a few thousand results lists
in well under a second; nothing here needs a query engine.  Every file is
written to a temporary name and renamed, so a reader never sees half a file.

A result is loaded only after its bytes hash to its name: a store edited by
hand is caught, not reported from.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from . import attest
from .digest import DIGEST_PATTERN, content_digest
from .provenance import provenance
from .timeutil import iso, parse_time

MARKER = "kubecomply-store.json"
FORMAT = "kubecomply-history"
VERSION = 1


class StoreError(Exception):
    """An unusable store or result; ``str()`` names the file and the problem."""


@dataclass
class Added:
    record: dict[str, Any]
    new: bool  # False: the same bytes were already stored


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    summary = doc.get("summary") or {}
    findings = doc.get("findings") or []
    return {
        "findings_by_status": summary.get("findings_by_status") or {},
        "open_findings": sum(1 for f in findings if f.get("status") == "fail"),
        "resources": summary.get("resources"),
        "gaps": len(doc.get("gaps") or []),
        "scores": {fw.get("id"): fw.get("score") for fw in doc.get("frameworks") or []},
    }


def parse_result(data: bytes, name: str) -> dict[str, Any]:
    """The result document, or StoreError naming the file."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise StoreError(f"{name}: not a JSON result: {exc}") from None
    if not isinstance(doc, dict) or "schema_version" not in doc or not isinstance(doc.get("scan"), dict):
        raise StoreError(f"{name}: not a kubecomply JSON result (no schema_version/scan)")
    started = doc["scan"].get("started")
    if not started:
        raise StoreError(f"{name}: the result has no scan.started time; it cannot be placed in a history")
    try:
        parse_time(started)
    except ValueError as exc:
        raise StoreError(f"{name}: scan.started {exc}") from None
    return doc


class Store:
    """A history store rooted at a folder (created on the first ``add``)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _check(self, create: bool) -> None:
        marker = self.root / MARKER
        if marker.is_file():
            try:
                meta = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise StoreError(f"{marker}: unreadable store marker: {exc}") from None
            if meta.get("format") != FORMAT or meta.get("version") != VERSION:
                raise StoreError(f"{marker}: not a kubecomply history store this version reads (format {FORMAT} version {VERSION})")
            return
        if not create:
            raise StoreError(f"{self.root}: not a kubecomply history store (no {MARKER}); add results with 'kubecomply history add'")
        if self.root.exists() and any(self.root.iterdir()):
            raise StoreError(f"{self.root}: folder is not empty and not a history store; refusing to write into it")
        _write_atomic(marker, (json.dumps({"format": FORMAT, "version": VERSION}, indent=2) + "\n").encode())

    def _paths(self, digest: str) -> tuple[Path, Path, Path]:
        hexdigest = digest.split(":", 1)[1]
        return (
            self.root / "results" / "sha256" / f"{hexdigest}.json",
            self.root / "attestations" / "sha256" / f"{hexdigest}{attest.DEFAULT_SUFFIX}",
            self.root / "index" / f"{hexdigest}.json",
        )

    def add(self, result_path: str | Path, attestation: str | Path | None = None, public_key: Any = None, now: dt.datetime | None = None) -> Added:
        """Store one result (idempotent).  With an attestation it is verified first; a failure raises and stores nothing."""
        self._check(create=True)
        name = str(result_path)
        try:
            data = Path(result_path).read_bytes()
        except OSError as exc:
            raise StoreError(f"{name}: cannot read: {exc.strerror}") from None
        doc = parse_result(data, name)
        digest = content_digest(data)
        result_file, attestation_file, index_file = self._paths(digest)
        if index_file.is_file():
            return Added(json.loads(index_file.read_text(encoding="utf-8")), new=False)
        signing: dict[str, Any] = {"signed": False, "verified": None}
        envelope_bytes = None
        if attestation is not None:
            envelope = attest.read_envelope(attestation)
            envelope_bytes = Path(attestation).read_bytes()
            signing = {"signed": True, "verified": None, "verification": "not checked: no --key given"}
            if public_key is not None:
                try:
                    checked = attest.verify(data, envelope, public_key)
                except attest.AttestError as exc:
                    raise StoreError(f"{name}: attestation {attestation} does not verify: {exc}") from None
                signing = {"signed": True, "verified": True, "keyid": checked.keyid, "verification": "signature and digest verified"}
        _write_atomic(result_file, data)
        if envelope_bytes is not None:
            _write_atomic(attestation_file, envelope_bytes)
        record = {
            "digest": digest,
            "added": iso(now or dt.datetime.now(dt.timezone.utc)),
            "file": Path(name).name,
            "result": result_file.relative_to(self.root).as_posix(),
            **({"attestation": attestation_file.relative_to(self.root).as_posix()} if envelope_bytes is not None else {}),
            **signing,
            "provenance": provenance(doc["scan"]),
            "started": doc["scan"]["started"],
            "frameworks": [fw.get("id") for fw in doc.get("frameworks") or []],
            **_summary(doc),
        }
        _write_atomic(index_file, (json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
        return Added(record, new=True)

    def records(self, since: dt.datetime | None = None, until: dt.datetime | None = None, subject: str | None = None) -> list[dict[str, Any]]:
        """Index records with ``since <= started < until``, oldest first (ties by digest, so the order is stable)."""
        self._check(create=False)
        out = []
        for path in sorted((self.root / "index").glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                started = parse_time(record["started"])
            except (OSError, ValueError, KeyError) as exc:
                raise StoreError(f"{path}: unreadable index record: {exc}") from None
            if since and started < since or until and started >= until:
                continue
            if subject and record.get("provenance", {}).get("subject") != subject:
                continue
            out.append(record)
        return sorted(out, key=lambda r: (parse_time(r["started"]), r["digest"]))

    def load(self, digest: str) -> tuple[bytes, dict[str, Any]]:
        """A stored result's bytes and document, after checking the bytes still hash to the digest."""
        if not DIGEST_PATTERN.match(digest):
            raise StoreError(f"{digest!r} is not a sha256 digest")
        result_file = self._paths(digest)[0]
        try:
            data = result_file.read_bytes()
        except OSError as exc:
            raise StoreError(f"{result_file}: stored result missing: {exc.strerror}") from None
        actual = content_digest(data)
        if actual != digest:
            raise StoreError(f"{result_file}: stored result was changed: its bytes hash to {actual}, not {digest}")
        return data, parse_result(data, str(result_file))


def subjects(records: Iterable[dict[str, Any]]) -> list[str]:
    return sorted({r.get("provenance", {}).get("subject", "") for r in records})

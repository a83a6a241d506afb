"""Evidence snapshots: what a cluster scan collected, written down so it can be scanned again later.

``kubecomply export cluster -o evidence.json.gz`` writes one gzip-compressed JSON
document; ``kubecomply scan snapshot evidence.json.gz`` reads it back into the same
ClusterCollection a live scan builds, so the findings are the same.  The document:

* ``format`` (``kubecomply.io/snapshot``) and ``format_version``;
* ``scanner_version``, ``context``, ``server``, ``version`` (the API server's
  ``gitVersion``), ``collected_at``;
* ``namespaces`` / ``exclude_namespaces`` (the scope asked for);
* ``collected_kinds``, ``not_served``, ``skipped_owned``, ``gaps`` (kinds that could not
  be collected, with reasons);
* ``objects``: the collected objects, sorted, exactly as checks see them
  (``managedFields`` and the last-applied annotation stripped; Secrets are metadata
  and ``type`` only, because only metadata was ever fetched);
* ``digests``: ``objects`` is the SHA-256 of the canonical JSON of the object list
  (keys sorted, no spaces, UTF-8), ``document`` the SHA-256 of the canonical JSON of
  everything else in the document including that first digest.

Reading verifies both digests and refuses a snapshot that does not match: it was
changed after it was written.  The digests detect accidental or careless change;
they are not a signature (whoever edits the file can recompute them), so keep the
file where its integrity is protected, or sign it, if it is audit evidence.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.atomic import atomic_file
from scanner.model import CoverageGap
from scanner.sources.cluster import ClusterCollection

FORMAT = "kubecomply.io/snapshot"
FORMAT_VERSION = 1


class SnapshotError(Exception):
    """A snapshot that cannot be used; ``str()`` is one line naming the file."""


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _object_key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion", "")), str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def _metadata_only_secret(obj: dict[str, Any]) -> dict[str, Any]:
    """Belt and braces: a core Secret keeps only identity, metadata and type."""
    if obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1":
        return {k: obj[k] for k in ("apiVersion", "kind", "metadata", "type") if k in obj}
    return obj


def snapshot_document(collection: ClusterCollection, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    objects = sorted((_metadata_only_secret(o) for o in collection.objects), key=_object_key)
    body: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "scanner_version": __version__,
        "context": collection.context,
        "server": collection.server,
        "version": collection.version,
        "collected_at": collection.collected_at,
        "namespaces": list(collection.namespaces),
        "exclude_namespaces": list(collection.exclude_namespaces),
        "collected_kinds": sorted(collection.collected_kinds),
        "not_served": sorted(collection.not_served),
        "skipped_owned": dict(sorted(collection.skipped_owned.items())),
        "gaps": [g.to_dict() for g in collection.gaps],
        "objects": objects,
        **(extra or {}),  # e.g. "redacted": what was masked before writing (covered by the document digest)
    }
    digests = {"objects": _sha256(canonical(objects))}
    body["digests"] = digests
    digests["document"] = _sha256(canonical({k: v for k, v in body.items() if k != "digests"} | {"digests": {"objects": digests["objects"]}}))
    return body


def write_snapshot(collection: ClusterCollection, path: str | os.PathLike[str], extra: dict[str, Any] | None = None) -> str:
    """Write the snapshot (gzip JSON), whole or not at all; returns the objects digest."""
    document = snapshot_document(collection, extra)
    data = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    with atomic_file(path, binary=True) as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6) as fh:
        fh.write(data)
    return document["digests"]["objects"]


def read_snapshot(path: str | os.PathLike[str]) -> ClusterCollection:
    """Read and verify a snapshot; SnapshotError when it is not one, or was changed."""
    name = os.fspath(path)
    try:
        with gzip.open(name, "rb") as fh:
            document = json.loads(fh.read())
    except (OSError, EOFError, ValueError) as exc:
        raise SnapshotError(f"{name}: not a readable kubecomply snapshot (gzip JSON): {' '.join(str(exc).split())}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotError(f"{name}: not a kubecomply snapshot (format is not {FORMAT})")
    if document.get("format_version") != FORMAT_VERSION:
        raise SnapshotError(f"{name}: snapshot format version {document.get('format_version')!r} is not supported (this kubecomply reads {FORMAT_VERSION})")
    digests = document.get("digests") or {}
    objects = document.get("objects")
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        raise SnapshotError(f"{name}: snapshot has no object list")
    if _sha256(canonical(objects)) != digests.get("objects"):
        raise SnapshotError(f"{name}: snapshot objects do not match their SHA-256 digest; the file was changed after it was written")
    rest = {k: v for k, v in document.items() if k != "digests"} | {"digests": {"objects": digests.get("objects")}}
    if _sha256(canonical(rest)) != digests.get("document"):
        raise SnapshotError(f"{name}: snapshot does not match its document digest; the file was changed after it was written")
    try:
        collection = ClusterCollection(
            context=document.get("context"),
            server=str(document.get("server") or ""),
            version=document.get("version"),
            collected_at=str(document.get("collected_at") or ""),
            objects=objects,
            gaps=[CoverageGap.from_dict(g) for g in document.get("gaps", [])],
            collected_kinds=list(document.get("collected_kinds", [])),
            not_served=list(document.get("not_served", [])),
            skipped_owned=dict(document.get("skipped_owned", {})),
            namespaces=list(document.get("namespaces", [])),
            exclude_namespaces=list(document.get("exclude_namespaces", [])),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"{name}: malformed snapshot: {exc}") from None
    collection.evidence = {"snapshot": name, "objects_sha256": digests["objects"], "scanner_version": str(document.get("scanner_version"))}
    return collection

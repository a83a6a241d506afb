"""Signed evidence: an in-toto Statement over a result's digest, in a DSSE envelope, signed with ed25519.

Why these formats: DSSE (Dead Simple Signing Envelope) signs the exact payload
bytes with their type (no canonicalisation to get wrong), and an in-toto
Statement names its subject by digest, so tools such as ``cosign verify-blob-attestation``
and in-toto verifiers can read the envelope too.  The subject is the result
file's SHA-256 over its bytes (``digest.content_digest``); a result changed by
one byte no longer matches and verification fails with one line saying so.

Keys are ed25519 (``kubecomply attest keygen``): PKCS#8 PEM for the private key
(written 0600), SubjectPublicKeyInfo PEM for the public one.  ``keyid`` is the
SHA-256 of the raw public key, so a verifier can tell which key signed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .digest import content_digest

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://kubecomply.io/attestation/scan-result/v1"
DEFAULT_SUFFIX = ".dsse.json"


class AttestError(Exception):
    """Signing or verification could not be done, or failed; ``str()`` is the one-line reason."""


def _crypto():
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # pragma: no cover - depends on the install
        raise AttestError("attest and verify need the cryptography package: pip install cryptography") from None
    return InvalidSignature, serialization, ed25519


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what is actually signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def keygen(private_path: str | Path, public_path: str | Path) -> str:
    """Write a new ed25519 key pair; return its keyid.  Refuses to overwrite an existing key."""
    _, serialization, ed25519 = _crypto()
    for path in (private_path, public_path):
        if Path(path).exists():
            raise AttestError(f"{path}: already exists; not overwriting a key")
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(str(private_path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    Path(public_path).write_bytes(public)
    return keyid(key.public_key())


def keyid(public_key: Any) -> str:
    _, serialization, _ = _crypto()
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _load_private(path: str | Path):
    _, serialization, ed25519 = _crypto()
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise AttestError(f"{path}: cannot read key: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:
        raise AttestError(f"{path}: not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise AttestError(f"{path}: not an ed25519 private key (make one with 'kubecomply attest keygen')")
    return key


def load_public(path: str | Path):
    _, serialization, ed25519 = _crypto()
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except OSError as exc:
        raise AttestError(f"{path}: cannot read key: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:
        raise AttestError(f"{path}: not a PEM public key: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise AttestError(f"{path}: not an ed25519 public key")
    return key


# What the signer vouches the result is: who ran what over which inputs, and the result's own
# digest (so a verifier can tie the statement to the result's content as well as its bytes).
PREDICATE_KEYS = (
    "tool", "version", "engine", "engine_version", "started", "finished", "run", "source", "targets",
    "inputs", "policy_bundle", "frameworks", "frameworks_selected", "result_digest",
)


def statement(result_bytes: bytes, name: str) -> dict[str, Any]:
    """The in-toto Statement: subject = the result file by digest; predicate = what the result says it is."""
    try:
        scan = json.loads(result_bytes.decode("utf-8")).get("scan") or {}
    except (UnicodeDecodeError, ValueError, AttributeError):
        raise AttestError(f"{name}: not a kubecomply JSON result") from None
    predicate = {key: scan[key] for key in PREDICATE_KEYS if key in scan}
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": Path(name).name, "digest": {"sha256": content_digest(result_bytes).split(":", 1)[1]}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }


def sign(result_bytes: bytes, name: str, key_path: str | Path) -> dict[str, Any]:
    """The DSSE envelope over the result's Statement."""
    key = _load_private(key_path)
    payload = json.dumps(statement(result_bytes, name), sort_keys=True, separators=(",", ":")).encode("utf-8")
    signature = key.sign(pae(PAYLOAD_TYPE, payload))
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": [{"keyid": keyid(key.public_key()), "sig": base64.b64encode(signature).decode("ascii")}],
    }


@dataclass
class Verified:
    """What a successful verification established."""

    digest: str
    keyid: str
    statement: dict[str, Any]


def read_envelope(path: str | Path) -> dict[str, Any]:
    try:
        envelope = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AttestError(f"{path}: cannot read attestation: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise AttestError(f"{path}: not a JSON DSSE envelope: {exc}") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("signatures"), list) or not isinstance(envelope.get("payload"), str):
        raise AttestError(f"{path}: not a DSSE envelope (needs payloadType, payload and signatures)")
    return envelope


def verify(result_bytes: bytes, envelope: dict[str, Any], public_key: Any) -> Verified:
    """Check the signature, then that the signed subject is these bytes; raise AttestError with the reason otherwise."""
    InvalidSignature, _, _ = _crypto()
    if envelope.get("payloadType") != PAYLOAD_TYPE:
        raise AttestError(f"attestation payloadType is {envelope.get('payloadType')!r}, expected {PAYLOAD_TYPE}")
    try:
        payload = base64.b64decode(envelope["payload"], validate=True)
    except ValueError:
        raise AttestError("attestation payload is not base64") from None
    wanted = keyid(public_key)
    signed_by_key = False
    for entry in envelope["signatures"]:
        if not isinstance(entry, dict) or entry.get("keyid") not in (None, "", wanted):
            continue
        try:
            public_key.verify(base64.b64decode(str(entry.get("sig", "")), validate=True), pae(PAYLOAD_TYPE, payload))
            signed_by_key = True
            break
        except (InvalidSignature, ValueError):
            continue
    if not signed_by_key:
        raise AttestError(f"signature does not verify with key {wanted[:19]}… (wrong key, or the attestation was changed)")
    try:
        stmt = json.loads(payload.decode("utf-8"))
        subjects = [s["digest"]["sha256"] for s in stmt["subject"]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise AttestError("attestation payload is not an in-toto Statement with subject digests") from None
    if stmt.get("_type") != STATEMENT_TYPE:
        raise AttestError(f"attestation statement type is {stmt.get('_type')!r}, expected {STATEMENT_TYPE}")
    actual = content_digest(result_bytes)
    if actual.split(":", 1)[1] not in subjects:
        raise AttestError(f"result digest {actual} does not match the attested sha256:{subjects[0] if subjects else '?'} (the result was changed after signing)")
    return Verified(actual, wanted, stmt)

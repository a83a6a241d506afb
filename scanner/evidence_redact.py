"""Mask literal credentials in cluster objects before they are written to an evidence snapshot.

A snapshot holds the objects as the API served them (Secrets metadata-only).
A password in a container's env, a token in its args or an annotation is
still in there, in a file that is copied to auditors and kept for years.
Findings never show such values: the ``credentials-in-*`` checks name the
field and the kind of credential.  Here the same checks find the same fields,
and each value they point at is masked in place:

* the parts that carry the secret become ``X`` (letters and digits only;
  separators and length stay);
* the parts that tell what it is stay: a token's prefix (``AKIA``, ``ghp_``,
  ``eyJ``...), a PEM block's BEGIN/END lines, the ``--password=`` of a flag.

So a scan of the snapshot still finds exactly what the live scan found (same
checks, same fields, same kinds of credential), and the value is gone.  The
snapshot records every masked field under ``redacted`` (resource, field,
check), covered by its digest.  ``export cluster --keep-literal-credentials``
writes the values as served.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from .engine import create_engine
from .policies import PolicySet

CREDENTIAL_CHECKS = ("credentials-in-annotations", "credentials-in-args", "credentials-in-configmap", "credentials-in-env")
NOTE = (
    "Literal credential values found by the credentials-in-* checks were masked (letters and digits "
    "replaced by X, token prefixes and key names kept) so this file holds no credential; scanning it "
    "finds the same fields. Written without masking with --keep-literal-credentials."
)


class RedactionError(Exception):
    """The credential checks could not run, so the snapshot cannot be shown to be free of credentials."""


_PEM = re.compile(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)(.*?)(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)", re.DOTALL)
_TOKEN = re.compile(
    r"\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}\b|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[baprs]-[A-Za-z0-9-]{10,}"
    r"|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)"
)
_TOKEN_PREFIX = re.compile(r"^(AKIA|ASIA|gh[pousr]_|github_pat_|xox[baprs]-|AIza|eyJ)")
_CREDENTIAL_WORD = r"(?:passw(?:or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key)"
_PAIR = re.compile(rf"(?i)([A-Za-z0-9_.-]*{_CREDENTIAL_WORD}[A-Za-z0-9_.-]*[\"']?(?:[ \t]*[:=][ \t]*|\s+)[\"']?)([^\s\"',;]+)")
_ALNUM = re.compile(r"[A-Za-z0-9]")


def _x(text: str) -> str:
    return _ALNUM.sub("X", text)


def _mask_token(token: str) -> str:
    prefix = _TOKEN_PREFIX.match(token)
    keep = prefix.group(1) if prefix else ""
    rest = token[len(keep):]
    if keep == "eyJ":  # a JWT: every segment after a dot that starts with eyJ keeps it
        return keep + ".".join(("eyJ" + _x(part[3:])) if part.startswith("eyJ") else _x(part) for part in rest.split("."))
    return keep + _x(rest)


def mask_credential(value: str) -> str:
    """``value`` with the secret parts replaced by X; see the module docstring."""
    masked, count = _PEM.subn(lambda m: m.group(1) + _x(m.group(2)) + m.group(3), value)
    masked, tokens = _TOKEN.subn(lambda m: _mask_token(m.group(0)), masked)
    count += tokens
    masked, pairs = _PAIR.subn(lambda m: m.group(1) + ("X" * len(m.group(2)) if not m.group(2).startswith(("$", "{", "<")) else m.group(2)), masked)
    count += pairs
    return masked if count else _x(value)


def _parent(obj: Any, path: Sequence[Any]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _label(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    return {k: v for k, v in {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "namespace": meta.get("namespace"), "name": meta.get("name")}.items() if v}


def mask_literal_credentials(objects: list[dict[str, Any]], policy_set: PolicySet) -> list[dict[str, Any]]:
    """Mask, in place, every value the credential checks report; returns what was masked.

    Raises RedactionError when a credential check could not run: then it is not
    known where credentials are, and the snapshot must not be written as if clean.
    """
    present = set(policy_set.by_id())
    ids = [c for c in CREDENTIAL_CHECKS if c in present]
    if not ids or not objects:
        return []
    engine = create_engine("embedded", workers=1)
    try:
        engine.load(policy_set.select(ids))
        evaluation = engine.evaluate(objects, {})
    finally:
        engine.close()
    if evaluation.failed_checks:
        check, reason = sorted(evaluation.failed_checks.items())[0]
        raise RedactionError(f"cannot look for literal credentials: check {check} failed: {reason}")
    masked: list[dict[str, Any]] = []
    seen: set[tuple[int, tuple[Any, ...]]] = set()
    for v in sorted(evaluation.violations, key=lambda v: (v.resource_index, repr(v.path), v.policy_id)):
        path = tuple(v.path or ())
        if path and (v.resource_index, path) in seen:
            continue
        seen.add((v.resource_index, path))
        obj = objects[v.resource_index]
        try:
            parent = _parent(obj, v.path[:-1])
            value = parent[v.path[-1]]
        except (KeyError, IndexError, TypeError):
            value = None
        if not isinstance(value, str):
            where = ".".join(str(p) for p in v.path)
            raise RedactionError(f"cannot mask the credential {v.policy_id} found in {_label(obj)} at {where or 'no field'}")
        parent[v.path[-1]] = mask_credential(value)
        masked.append({"resource": _label(obj), "path": ".".join(str(p) for p in v.path), "check": v.policy_id})
    return masked

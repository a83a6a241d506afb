"""Exceptions as code: a waivers file and inline annotations.

Waived findings are never dropped: they stay in every report marked
``waived`` with the waiver that applied, because an auditor's first question
about an exception is who approved it and until when.  An expired waiver stops
applying on its expiry date and is listed as expired, so the finding it
covered fails again instead of staying quietly hidden.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from pathlib import Path
from typing import Any, Sequence

import yaml

from ..model import Finding, Resource, Waiver
from ..policies import SAFE_LOADER

ANNOTATION_PREFIX = "kubecomply.io/waive."
MATCH_KEYS = ("kind", "namespace", "name", "labels", "apiVersion")
REQUIRED_KEYS = ("check", "justification", "approved_by", "expires")


class WaiverError(Exception):
    """An unusable waivers file; ``str()`` names file and entry."""


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise WaiverError(f"{where}: expires {value!r} is not a date (YYYY-MM-DD)") from None


def read_entries(path: str | Path) -> list[Any]:
    """The raw ``waivers:`` list of a file; an unreadable file or a file without the list is an error."""
    name = str(path)
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as exc:
        raise WaiverError(f"{name}: cannot read waivers file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise WaiverError(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    entries = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise WaiverError(f"{name}: expected a top-level 'waivers:' list")
    return entries


def parse_waiver(entry: Any, number: int, name: str, known_checks: set[str], today: dt.date) -> Waiver:
    """One entry of a waivers file (1-based ``number``); raises WaiverError naming file and entry."""
    where = f"{name}: waiver #{number}"
    if not isinstance(entry, dict):
        raise WaiverError(f"{where} must be a mapping")
    missing = [k for k in REQUIRED_KEYS if entry.get(k) in (None, "")]
    if missing:
        raise WaiverError(f"{where} is missing {', '.join(missing)}")
    check = str(entry["check"])
    if check not in known_checks:
        raise WaiverError(f"{where} names unknown check {check!r}")
    match = entry.get("match")
    if not isinstance(match, dict) or not match:
        raise WaiverError(f"{where} needs a 'match' selector (kind, namespace, name, labels); a waiver for every resource is a disabled check")
    unknown = sorted(set(match) - set(MATCH_KEYS))
    if unknown:
        raise WaiverError(f"{where}: unknown match key(s) {', '.join(unknown)}; use {', '.join(MATCH_KEYS)}")
    if "labels" in match and not isinstance(match["labels"], dict):
        raise WaiverError(f"{where}: match.labels must be a mapping")
    expires = _as_date(entry["expires"], where)
    return Waiver(
        id=str(entry.get("id") or f"{Path(name).name}#{number}"),
        check=check,
        justification=" ".join(str(entry["justification"]).split()),
        source=f"{name}#{number}",
        approved_by=str(entry["approved_by"]),
        expires=expires.isoformat(),
        ticket=str(entry["ticket"]) if entry.get("ticket") else None,
        match={k: match[k] for k in MATCH_KEYS if k in match},
        status="expired" if expires < today else "unused",
    )


def load_waivers(path: str | Path, known_checks: set[str], today: dt.date | None = None) -> list[Waiver]:
    """Read and validate a waivers file; every problem is an error, not a waiver that silently matches nothing."""
    today = today or dt.date.today()
    return [parse_waiver(entry, number, str(path), known_checks, today) for number, entry in enumerate(read_entries(path), start=1)]


def _matches(selector: dict[str, Any], resource: Resource) -> bool:
    values = {
        "kind": resource.kind,
        "namespace": resource.namespace or "",
        "name": resource.name,
        "apiVersion": resource.api_version,
    }
    for key, pattern in selector.items():
        if key == "labels":
            labels = resource.metadata.get("labels") or {}
            if not isinstance(labels, dict):
                return False
            for label, wanted in pattern.items():
                if label not in labels or not fnmatch.fnmatchcase(str(labels[label]), str(wanted)):
                    return False
        elif not fnmatch.fnmatchcase(values[key], str(pattern)):
            return False
    return True


INLINE_POLICIES = ("allow", "deny")
INLINE_FIELDS = ("justification", "approved_by", "expires", "ticket")
INLINE_FORMAT = (
    'a mapping such as {"justification": "...", "approved_by": "security@example.com", '
    '"expires": "2027-06-30", "ticket": "SEC-1"} (ticket optional; see README, Waivers)'
)


def inline_setting(path: str | Path) -> str | None:
    """The waivers file's ``inline_waivers: allow|deny``, if it sets one; an org that reviews exceptions only there says deny."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, yaml.YAMLError):
        return None  # load_waivers reports the file itself
    value = data.get("inline_waivers") if isinstance(data, dict) else None
    if value is None:
        return None
    if value not in INLINE_POLICIES:
        raise WaiverError(f"{path}: inline_waivers must be one of {', '.join(INLINE_POLICIES)}, not {value!r}")
    return str(value)


def _inline_fields(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The annotation's value as waiver fields, or why it is not one."""
    try:
        data = yaml.load(str(value), Loader=SAFE_LOADER) if isinstance(value, str) else value
    except yaml.YAMLError:
        data = None
    if isinstance(data, str) or data is None:
        return None, f"only a justification was given; an inline waiver also needs approved_by and expires: {INLINE_FORMAT}"
    if not isinstance(data, dict):
        return None, f"the annotation's value must be {INLINE_FORMAT}"
    unknown = sorted(str(k) for k in data if k not in INLINE_FIELDS)
    if unknown:
        return None, f"unknown field(s) {', '.join(unknown)}; use {', '.join(INLINE_FIELDS)}"
    missing = [k for k in REQUIRED_KEYS if k != "check" and data.get(k) in (None, "")]
    if missing:
        return None, f"missing {', '.join(missing)}: an inline waiver needs the same fields as a waivers file entry"
    return data, None


def inline_waivers(resource: Resource, known_checks: set[str], today: dt.date | None = None, policy: str = "allow") -> dict[str, Waiver]:
    """Waivers a resource declares on itself: ``kubecomply.io/waive.<check-id>: {justification, approved_by, expires, ticket}``.

    An annotation without an approver and an expiry date is not a waiver
    anyone approved: it is listed as ``invalid`` and applies to nothing.  With
    ``policy`` deny (``--inline-waivers deny`` or the waivers file's
    ``inline_waivers: deny``) every inline waiver is ``refused``: exceptions
    then come only from the reviewed waivers file.
    """
    today = today or dt.date.today()
    annotations = resource.metadata.get("annotations") or {}
    out: dict[str, Waiver] = {}
    if not isinstance(annotations, dict):
        return out
    for key, value in annotations.items():
        if not isinstance(key, str) or not key.startswith(ANNOTATION_PREFIX):
            continue
        check = key[len(ANNOTATION_PREFIX) :]
        ident = resource.identity()
        waiver = Waiver(
            id=f"annotation:{ident.label()}:{check}",
            check=check,
            justification="(none given)",
            source=f"annotation on {ident.label()} ({resource.origin.label()})",
            match={"kind": ident.kind, "namespace": ident.namespace or "", "name": ident.name},
        )
        fields_, problem = _inline_fields(value)
        if fields_ is not None:
            waiver.justification = " ".join(str(fields_["justification"]).split())
            waiver.approved_by = str(fields_["approved_by"])
            waiver.ticket = str(fields_["ticket"]) if fields_.get("ticket") else None
            try:
                expires = _as_date(fields_["expires"], f"annotation {key} on {ident.label()}")
            except WaiverError as exc:
                problem = str(exc).split(": ", 1)[1]
            else:
                waiver.expires = expires.isoformat()
                waiver.status = "expired" if expires < today else "unused"
        if check not in known_checks:
            waiver.status, waiver.problem = "invalid", f"names unknown check {check!r}"
        elif problem:
            waiver.status, waiver.problem = "invalid", problem
        elif policy == "deny":
            waiver.status, waiver.problem = "refused", "inline waivers are not accepted here (--inline-waivers deny or the waivers file's inline_waivers: deny)"
        out[check] = waiver
    return out


def apply_waivers(
    findings: Sequence[Finding],
    finding_resources: Sequence[Resource],
    file_waivers: list[Waiver],
    all_resources: Sequence[Resource],
    known_checks: set[str],
    today: dt.date | None = None,
    inline_policy: str = "allow",
) -> list[Waiver]:
    """Mark waived findings in place; return the exception register (file and inline waivers).

    ``finding_resources[i]`` is the resource behind ``findings[i]``.  Only a
    waiver that is valid and in force applies: inline ones that are invalid,
    refused or expired are in the register and waive nothing.
    """
    register: list[Waiver] = list(file_waivers)
    inline_by_resource: dict[int, dict[str, Waiver]] = {}
    for resource in all_resources:
        declared = inline_waivers(resource, known_checks, today, inline_policy)
        if declared:
            inline_by_resource[id(resource)] = declared
            register.extend(declared.values())
    for finding, resource in zip(findings, finding_resources):
        waiver = inline_by_resource.get(id(resource), {}).get(finding.policy)
        if waiver is not None and waiver.status not in ("unused", "applied"):
            waiver = None  # an invalid, refused or expired inline waiver leaves the finding to the file's waivers
        if waiver is None:
            waiver = next(
                (w for w in file_waivers if w.status != "expired" and w.check == finding.policy and _matches(w.match or {}, resource)),
                None,
            )
        if waiver is not None:
            finding.status = "waived"
            finding.waiver = waiver.id
            waiver.status = "applied"
            waiver.findings += 1
    return sorted(register, key=lambda w: (w.status, w.check, w.id))


def fresh_copies(waivers: Sequence[Waiver]) -> list[Waiver]:
    """Waivers count what they covered; each part of a scan (a fleet's cluster) starts from fresh copies."""
    return [Waiver.from_dict(w.to_dict()) for w in waivers]


def merge_registers(registers: Sequence[list[Waiver]]) -> list[Waiver]:
    """One exception register over the parts of a scan: a waiver's findings add up, its best status wins.

    A single part's register is the register (a cluster's or a file set's).
    """
    if len(registers) == 1:
        return registers[0]
    merged: dict[str, Waiver] = {}
    rank = {"applied": 0, "expired": 1, "invalid": 1, "unused": 2}
    for register in registers:
        for w in register:
            have = merged.get(w.id)
            if have is None:
                merged[w.id] = fresh_copies([w])[0]
                continue
            have.findings += w.findings
            if rank.get(w.status, 3) < rank.get(have.status, 3):
                have.status = w.status
    return list(merged.values())

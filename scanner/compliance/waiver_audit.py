"""``waivers check``: an audit of a waivers file against the manifests it is meant for.

A scan stops at the first invalid waiver (an exception nobody can read must
not half-apply).  An audit is for cleaning the file up, so it reads every
entry, keeps the valid ones, scans the targets with them and lists each
problem at once: invalid entries (and inline annotations naming unknown
checks), expired waivers, waivers that match no finding, and waivers that
expire soon.

Exit codes (``audit_exit``): 2 when any waiver is invalid (the file is bad
input, as for a scan); otherwise 1 when any has expired or matches nothing
(the file needs a change); otherwise 0, also when some expire soon (a warning
to renew in time, not a failure yet).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..model import ScanResult, Waiver
from .waivers import WaiverError, parse_waiver, read_entries

DEFAULT_EXPIRING_WITHIN = 30


@dataclass
class Problem:
    """One line of the audit: what is wrong with which waiver."""

    kind: str  # invalid, expired, unused, expiring
    waiver: str  # id or "file#n"
    detail: str
    check: str | None = None
    expires: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Audit:
    """Everything ``waivers check`` found."""

    file: str
    waivers: int = 0  # entries in the file
    applied: int = 0
    problems: list[Problem] = field(default_factory=list)
    inline: list[Waiver] = field(default_factory=list)  # kubecomply.io/waive.* annotations found, whatever their state
    result: ScanResult | None = None

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        counts = {kind: self.count(kind) for kind in ("invalid", "expired", "unused", "expiring")}
        inline = [{"id": w.id, "check": w.check, "status": w.status, **({"problem": w.problem} if w.problem else {}), **({"expires": w.expires} if w.expires else {})} for w in self.inline]
        return {"file": self.file, "waivers": self.waivers, "applied": self.applied, "counts": counts, "problems": [p.to_dict() for p in self.problems], "inline": inline}


def _natural(text: str) -> list[Any]:
    """Sort key that puts ``waivers.yaml#2`` before ``waivers.yaml#10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _parse_all(path: str, known: set[str], today: dt.date) -> tuple[list[Waiver], list[Problem], int]:
    entries = read_entries(path)  # a file that cannot be read at all is a WaiverError for the caller
    valid, invalid = [], []
    for number, entry in enumerate(entries, start=1):
        try:
            valid.append(parse_waiver(entry, number, path, known, today))
        except WaiverError as exc:
            ident = str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else f"{Path(path).name}#{number}"
            check = str(entry.get("check")) if isinstance(entry, dict) and entry.get("check") else None
            invalid.append(Problem("invalid", ident, str(exc), check=check))
    return valid, invalid, len(entries)


def audit_waivers(
    waivers_file: str,
    known: set[str],
    scan: Callable[[list[Waiver]], ScanResult],
    today: dt.date | None = None,
    expiring_within: int = DEFAULT_EXPIRING_WITHIN,
) -> Audit:
    """Parse every entry, scan with the valid ones, and list what needs attention.

    ``scan`` runs the caller's scan with the given file waivers (the pipeline
    lives above this package, so it is handed in rather than imported);
    ``known`` are the check ids the scan will evaluate.
    """
    today = today or dt.date.today()
    valid, problems, total = _parse_all(waivers_file, known, today)
    result = scan(valid)
    audit = Audit(file=waivers_file, waivers=total, result=result)
    soon = today + dt.timedelta(days=expiring_within)
    for w in result.waivers:
        if w.status == "applied":
            audit.applied += 1
        if w.source.startswith("annotation"):
            audit.inline.append(w)
        if w.status in ("invalid", "refused"):
            problems.append(Problem("invalid", w.id, f"{w.source}: {w.status}: {w.problem or f'names unknown check {w.check!r}'}", check=w.check))
        elif w.status == "expired":
            problems.append(Problem("expired", w.id, f"expired on {w.expires}; its findings are open again", check=w.check, expires=w.expires))
        elif w.status == "unused":
            problems.append(Problem("unused", w.id, f"matches no finding in the targets ({w.source})", check=w.check, expires=w.expires))
        if w.status in ("applied", "unused") and w.expires and dt.date.fromisoformat(w.expires) <= soon:
            days = (dt.date.fromisoformat(w.expires) - today).days
            problems.append(Problem("expiring", w.id, f"expires on {w.expires}, in {days} day(s)", check=w.check, expires=w.expires))
    order = {"invalid": 0, "expired": 1, "unused": 2, "expiring": 3}
    audit.problems = sorted(problems, key=lambda p: (order[p.kind], _natural(p.waiver)))
    return audit


def audit_exit(audit: Audit) -> tuple[int, str]:
    """2 invalid waivers, 1 expired or unused ones, 0 otherwise (expiring soon is a warning); with the reason."""
    invalid, expired, unused, expiring = (audit.count(k) for k in ("invalid", "expired", "unused", "expiring"))
    if invalid:
        return 2, f"{invalid} invalid waiver(s)"
    if expired or unused:
        return 1, f"{expired} expired, {unused} unused waiver(s)"
    tail = f"; {expiring} expire soon" if expiring else ""
    return 0, f"{audit.waivers} waiver(s), {audit.applied} applied, none expired or unused{tail}"

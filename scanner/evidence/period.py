"""The period model: every control's status at every scan of one subject between two dates.

This is what a Type II style audit asks of continuous evidence: did the
control operate throughout, when did it first fail and how long until it was
fixed, were scans taken as scheduled, which exceptions were in force and for
how long.  Each scan is named by its digest, so every point can be traced to
the stored result it came from.

Figures are defined once, here, and every renderer (JSON, HTML, OSCAL) shows
these numbers rather than computing its own:

- ``pass_share``: scans in which the control passed (``pass`` or
  ``pass-with-exceptions``) / scans in which the control was reported;
- ``first_failure``: the first scan with a failing status; ``resolved``: the
  first later scan in which it passed; ``resolution_seconds`` the time between
  them (``open_at_end`` when no later scan passed);
- ``longest_gap``: the longest time between two consecutive scans;
- ``missing``: with a schedule, each window (``since`` + k days/weeks) with no scan;
- exceptions: per waiver id, the scans in which it applied and its lifetime
  from the first to the last of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from . import statuses
from .timeutil import human_duration, iso, parse_time

SCHEDULES = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
FORMAT = "kubecomply-period"


class PeriodError(Exception):
    """The period cannot be reported as asked; ``str()`` says why."""


@dataclass
class Scan:
    """One stored result in the period: its index record and its document."""

    record: dict[str, Any]
    doc: dict[str, Any]

    @property
    def started(self) -> dt.datetime:
        return parse_time(self.doc["scan"]["started"])


def _scan_row(index: int, scan: Scan) -> dict[str, Any]:
    rec = scan.record
    return {
        "index": index,
        "started": iso(scan.started),
        "digest": rec["digest"],
        "file": rec.get("file"),
        "source": rec.get("provenance", {}).get("source"),
        "tool_version": rec.get("provenance", {}).get("version"),
        "policy_bundle": rec.get("provenance", {}).get("policy_bundle"),
        "git_commits": rec.get("provenance", {}).get("git_commits", []),
        "signed": bool(rec.get("signed")),
        "verified": rec.get("verified"),
        "open_findings": rec.get("open_findings"),
        "findings_by_status": rec.get("findings_by_status", {}),
        "gaps": rec.get("gaps"),
        "scores": rec.get("scores", {}),
    }


def _point(row: dict[str, Any]) -> dict[str, Any]:
    return {"index": row["index"], "started": row["started"], "digest": row["digest"]}


def _control_figures(statuses_at: list[str | None], rows: list[dict[str, Any]]) -> dict[str, Any]:
    present = [i for i, s in enumerate(statuses_at) if s is not None]
    passed = [i for i in present if statuses.passed(statuses_at[i])]
    first_fail = next((i for i in present if statuses.failed(statuses_at[i])), None)
    resolved = None
    if first_fail is not None:
        resolved = next((i for i in present if i > first_fail and statuses.passed(statuses_at[i])), None)
    episodes, failing = 0, False
    for i in present:
        now_failing = statuses.failed(statuses_at[i])
        if now_failing and not failing:
            episodes += 1
        failing = now_failing
    out: dict[str, Any] = {
        "scans_reported": len(present),
        "scans_passed": len(passed),
        "pass_share": round(len(passed) / len(present), 4) if present else None,
        "first_failure": _point(rows[first_fail]) if first_fail is not None else None,
        "resolved": _point(rows[resolved]) if resolved is not None else None,
        "resolution_seconds": None,
        "resolution": None,
        "open_at_end": failing,
        "failure_episodes": episodes,
        "last_status": statuses_at[present[-1]] if present else None,
    }
    if first_fail is not None and resolved is not None:
        delta = parse_time(rows[resolved]["started"]) - parse_time(rows[first_fail]["started"])
        out["resolution_seconds"] = int(delta.total_seconds())
        out["resolution"] = human_duration(delta)
    return out


def _frameworks(scans: Sequence[Scan], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order: dict[str, dict[str, Any]] = {}
    for position, scan in enumerate(scans):
        for fw in scan.doc.get("frameworks") or []:
            entry = order.setdefault(fw["id"], {"id": fw["id"], "title": fw.get("title", ""), "version": fw.get("version", ""), "controls": {}})
            for control in fw.get("controls") or []:
                c = entry["controls"].setdefault(control["id"], {"id": control["id"], "title": control.get("title", ""), "automation": control.get("automation"), "statuses": [None] * len(scans)})
                c["statuses"][position] = control.get("status")
    frameworks = []
    for fw in order.values():
        controls = [{**c, **_control_figures(c["statuses"], rows)} for c in fw["controls"].values()]
        frameworks.append({**fw, "controls": controls})
    return frameworks


def _exceptions(scans: Sequence[Scan], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for position, scan in enumerate(scans):
        for waiver in scan.doc.get("waivers") or []:
            entry = seen.setdefault(waiver["id"], {"id": waiver["id"], "check": waiver.get("check"), "statuses": [None] * len(scans)})
            for key in ("justification", "approved_by", "expires", "ticket", "match", "source"):
                if waiver.get(key) is not None:
                    entry[key] = waiver[key]  # the latest scan's wording wins
            entry["statuses"][position] = waiver.get("status")
    out = []
    for entry in seen.values():
        present = [i for i, s in enumerate(entry["statuses"]) if s is not None]
        applied = [i for i in present if entry["statuses"][i] == "applied"]
        expired = [i for i in present if entry["statuses"][i] == "expired"]
        figures: dict[str, Any] = {
            "first_seen": _point(rows[present[0]]),
            "last_seen": _point(rows[present[-1]]),
            "scans_applied": len(applied),
            "first_applied": _point(rows[applied[0]]) if applied else None,
            "last_applied": _point(rows[applied[-1]]) if applied else None,
            "first_expired": _point(rows[expired[0]]) if expired else None,
            "status_at_end": entry["statuses"][present[-1]],
            "lifetime_days": None,
        }
        if applied:
            delta = parse_time(rows[applied[-1]]["started"]) - parse_time(rows[applied[0]]["started"])
            figures["lifetime_days"] = round(delta.total_seconds() / 86400, 2)
        out.append({**entry, **figures})
    return sorted(out, key=lambda e: e["id"])


def _longest_gap(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    best = None
    for before, after in zip(rows, rows[1:]):
        delta = parse_time(after["started"]) - parse_time(before["started"])
        if best is None or delta > best[0]:
            best = (delta, before, after)
    if best is None:
        return None
    return {"seconds": int(best[0].total_seconds()), "duration": human_duration(best[0]), "from": _point(best[1]), "to": _point(best[2])}


def _missing(rows: list[dict[str, Any]], since: dt.datetime, until: dt.datetime, schedule: str | None) -> list[dict[str, str]]:
    if not schedule:
        return []
    step = SCHEDULES[schedule]
    times = [parse_time(r["started"]) for r in rows]
    missing, start = [], since
    while start < until:
        end = min(start + step, until)
        if not any(start <= t < end for t in times):
            missing.append({"from": iso(start), "to": iso(end)})
        start = end
    return missing


def build_period(scans: Sequence[Scan], since: dt.datetime | None, until: dt.datetime | None, schedule: str | None = None) -> dict[str, Any]:
    """The period document for scans of one subject, oldest first."""
    if not scans:
        raise PeriodError("no stored results in this period")
    subjects = sorted({s.record.get("provenance", {}).get("subject", "") for s in scans})
    if len(subjects) > 1:
        raise PeriodError(f"the period holds results of {len(subjects)} subjects ({'; '.join(subjects)}); pick one with --subject")
    if schedule and schedule not in SCHEDULES:
        raise PeriodError(f"unknown schedule {schedule!r}: use {' or '.join(SCHEDULES)}")
    ordered = sorted(scans, key=lambda s: (s.started, s.record["digest"]))
    rows = [_scan_row(i, s) for i, s in enumerate(ordered)]
    start = since or ordered[0].started
    end = until or ordered[-1].started + dt.timedelta(seconds=1)
    if schedule and (since is None or until is None):
        raise PeriodError("--schedule needs --since and --until: missing scans are counted against those dates")
    return {
        "format": FORMAT,
        "version": 1,
        "subject": subjects[0],
        "since": iso(start),
        "until": iso(end),
        "schedule": schedule,
        "scans": rows,
        "longest_gap": _longest_gap(rows),
        "missing": _missing(rows, start, end, schedule),
        "frameworks": _frameworks(ordered, rows),
        "exceptions": _exceptions(ordered, rows),
    }

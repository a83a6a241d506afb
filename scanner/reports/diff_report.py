"""Renderers for ``kubecomply diff``: terminal text, JSON and Markdown (for a pull-request comment)."""

from __future__ import annotations

import json
from typing import Any

from ..evidence.diff import Diff

MAX_ROWS = 50


def _resource(row: dict[str, Any]) -> str:
    r = row["resource"]
    ns = f"{r['namespace']}/" if r.get("namespace") else ""
    return f"{r['kind']} {ns}{r['name']}"


def _finding_line(row: dict[str, Any]) -> str:
    where = f" {row['path']}" if row.get("path") else ""
    return f"{row['check']} [{row['severity']}, {row['status']}] {_resource(row)}{where}"


def render_diff_json(diff: Diff) -> str:
    return json.dumps(diff.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _sections(diff: Diff) -> list[tuple[str, list[str]]]:
    pop = diff.population
    res = pop.get("resources", {})
    return [
        ("New findings", [_finding_line(r) for r in diff.findings_new]),
        ("Resolved findings", [_finding_line(r) for r in diff.findings_resolved]),
        ("Findings whose status changed", [f"{_finding_line(r)}: {r['old_status']} -> {r['new_status']}" for r in diff.findings_status_changed]),
        ("Controls whose status changed", [f"{c['framework']} {c['control']}: {c['old'] or 'absent'} -> {c['new'] or 'absent'}{' (worse)' if c['worse'] else ''}" for c in diff.controls_changed]),
        ("Waivers added", [f"{w['id']} ({w['check']}, expires {w['expires']})" for w in diff.waivers_added]),
        ("Waivers expired", [f"{w['id']} ({w['check']}, expired {w['expires']})" for w in diff.waivers_expired]),
        ("Waivers removed", [f"{w['id']} ({w['check']})" for w in diff.waivers_removed]),
        ("Waivers changed", [f"{w['id']}: {w['old']['status']} -> {w['new']['status']}, findings {w['old']['findings']} -> {w['new']['findings']}" for w in diff.waivers_changed]),
        ("Population", [
            *([f"resources {res.get('old')} -> {res.get('new')}"] if res.get("old") != res.get("new") else []),
            *(f"+ {r}" for r in pop.get("resources_added", [])),
            *(f"- {r}" for r in pop.get("resources_removed", [])),
            *(f"check added: {c}" for c in pop.get("checks_added", [])),
            *(f"check removed: {c}" for c in pop.get("checks_removed", [])),
            *(f"new gap: {g}" for g in pop.get("gaps_new", [])),
        ]),
    ]


def _verdict(diff: Diff) -> str:
    if diff.worse:
        return "WORSE: " + "; ".join(diff.worse)
    return "not worse: no new open findings, no control got worse, no waiver expired, no new gap"


def render_diff_text(diff: Diff) -> str:
    lines = [
        f"old: {diff.old.get('subject')} at {diff.old.get('started')}",
        f"new: {diff.new.get('subject')} at {diff.new.get('started')}",
        f"findings: {len(diff.findings_new)} new, {len(diff.findings_resolved)} resolved, {diff.findings_unchanged} unchanged",
    ]
    for title, rows in _sections(diff):
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(f"  {row}" for row in rows[:MAX_ROWS])
            if len(rows) > MAX_ROWS:
                lines.append(f"  ... {len(rows) - MAX_ROWS} more (see -f json)")
    lines += ["", _verdict(diff)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape what Markdown would read as markup or HTML in values from manifests."""
    for ch in "\\`*_{}[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def render_diff_markdown(diff: Diff) -> str:
    lines = [
        "### kubecomply diff",
        "",
        f"**{'Worse' if diff.worse else 'Not worse'}**: {_md('; '.join(diff.worse) or 'no new open findings, no control got worse, no waiver expired, no new gap')}",
        "",
        f"| | |\n|---|---|\n| old | {_md(str(diff.old.get('subject')))} at {_md(str(diff.old.get('started')))} |\n| new | {_md(str(diff.new.get('subject')))} at {_md(str(diff.new.get('started')))} |",
        f"| findings | {len(diff.findings_new)} new, {len(diff.findings_resolved)} resolved, {diff.findings_unchanged} unchanged |",
    ]
    for title, rows in _sections(diff):
        if rows:
            lines += ["", f"<details><summary>{title} ({len(rows)})</summary>", ""]
            lines += [f"- {_md(row)}" for row in rows[:MAX_ROWS]]
            if len(rows) > MAX_ROWS:
                lines.append(f"- … {len(rows) - MAX_ROWS} more")
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


DIFF_RENDERERS = {"table": render_diff_text, "json": render_diff_json, "markdown": render_diff_markdown}

"""Markdown summary for pull request comments and ``$GITHUB_STEP_SUMMARY``.

Short on purpose: a reviewer reads it between two diffs.  Framework scores
beside coverage, the open (new, with a baseline) findings as a table capped at
MAX_ROWS, counts of gaps, waived and baselined findings, the gates, and a
last line pointing at the full report.  The whole text stays under
MAX_CHARS (GitHub takes 65,536 characters in a comment, 1 MiB in a step
summary), trimming table rows first, so the pointer line always survives.

Every value that comes from a manifest or a policy is escaped: inline
Markdown punctuation (backslash, backtick, ``*``, ``_``, brackets, ``|``,
``~``) gets a backslash, ``<``, ``>`` and ``&`` become entities, line breaks
become spaces and ``@`` is followed by a zero-width space, so a resource name
can neither add markup or HTML nor mention anyone.  Control characters and
invisible formatting characters (bidirectional overrides, zero-width
characters) are shown as text (``\x1b``, ``<U+202E>``; ``textsafe``), so a
name cannot pose as another.  Block markers (``#``,
``-``, ``1.``) need nothing: no value ever starts a line.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..model import ScanResult
from ..score_text import percent_text
from ..textsafe import safe_text
from .provenance import provenance_lines

MAX_ROWS = 50
MAX_CHARS = 60_000
MAX_CELL = 200
# Inline markup characters; block markers (#, -, +, 1.) cannot start a line here: every value sits inside a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_ZWSP = "\u200b"


def escape(value: object, limit: int = MAX_CELL) -> str:
    """Plain text safe inside Markdown and GitHub tables; see the module docstring."""
    text = safe_text(" ".join(str(value).split()))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "@" + _ZWSP)


def _percent(value: float | None) -> str:
    return percent_text(value)


def _link_line(report_url: str | None) -> str:
    """The last line: a link only for http(s) URLs, written so the URL cannot close the link early."""
    if report_url:
        parts = urlsplit(report_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            safe = report_url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
            return f"Full report: [{escape(parts.netloc)}]({safe})"
        return f"Full report: {escape(report_url)}"
    return "Full report: see the kubecomply report artifact of this run."


def _frameworks(result: ScanResult) -> list[str]:
    if not result.frameworks:
        return []
    lines = [
        "| Framework | Score | With exceptions | Coverage | Pass | Pass w/ exceptions | Fail | Not assessed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fw in result.frameworks:
        c = fw.counts
        total = fw.scope.get("controls_total", len(fw.controls))
        score, with_exc = ("counts only", "–") if fw.scoring == "counts" else (_percent(fw.score), _percent(fw.score_with_exceptions))
        lines.append(
            f"| {escape(fw.id)} | {score} | {with_exc} | {_percent(fw.coverage)} of {total} | {c.get('pass', 0)} | "
            f"{c.get('pass-with-exceptions', 0)} | {c.get('fail', 0)} | {c.get('not-assessed', 0)} |"
        )
    pending = sum(1 for fw in result.frameworks for ctl in fw.controls if ctl.manual_evidence_pending)
    if pending:
        lines += ["", f"{pending} passing control(s) are partly automated: the automated part passed, manual evidence pending."]
    return lines + [""]


def _finding_rows(result: ScanResult) -> list[str]:
    rows = []
    for f in result.findings:
        if f.status != "fail":
            continue
        where = f.origin.label()
        rows.append(f"| {escape(f.severity.upper())} | {escape(f.policy)} | {escape(f.resource.label())} | {escape(where)} |")
    return rows


def _counts(result: ScanResult) -> list[str]:
    status = result.summary.get("findings_by_status") or {}
    waived = status.get("waived", sum(1 for f in result.findings if f.status == "waived"))
    baselined = status.get("baselined", sum(1 for f in result.findings if f.status == "baselined"))
    parts = [f"**Gaps:** {len(result.gaps)}", f"**Waived:** {waived}"]
    if result.baseline is not None or baselined:
        parts.append(f"**Baselined:** {baselined}")
    if result.baseline is not None:
        parts.append(f"**Resolved baseline entries:** {sum(e.get('count', 1) for e in result.baseline.get('resolved', []))}")
    lines = [" · ".join(parts), ""]
    if result.gaps:
        lines += ["Some inputs or checks were not assessed; see the gaps in the full report.", ""]
    changed = result.scan.get("changed_since")
    if changed:
        lines += [
            f"Only findings in files changed since {escape(changed.get('ref', ''))} are listed "
            f"({changed.get('files_changed', 0)} file(s) changed; {changed.get('findings_outside', 0)} finding(s) elsewhere not shown).",
            "",
        ]
    return lines


def _gates(result: ScanResult) -> list[str]:
    if not result.gates:
        return []
    lines = ["**Gates:**", ""]
    for gate in result.gates:
        mark = "❌" if gate.get("tripped") else "✅"
        lines.append(f"- {mark} {escape(gate.get('gate', ''))}: {escape(gate.get('detail', ''), limit=300)}")
    return lines + [""]


def _provenance(result: ScanResult) -> list[str]:
    lines = provenance_lines(result.scan)
    if not lines:
        return []
    return ["<details><summary>Provenance</summary>", "", *(f"- {escape(line, limit=300)}" for line in lines), "", "</details>", ""]


def render_markdown(result: ScanResult, report_url: str | None = None) -> str:
    open_rows = _finding_rows(result)
    title_word = "new" if result.baseline is not None else "open"
    head = [f"## kubecomply: {len(open_rows)} {title_word} finding(s)", ""]
    head += _frameworks(result)
    tail = _counts(result) + _gates(result) + _provenance(result) + [_link_line(report_url), ""]
    if not open_rows:
        body = [f"No {title_word} findings.", ""]
    else:
        body = [f"### {title_word.capitalize()} findings", "", "| Severity | Check | Resource | Location |", "| --- | --- | --- | --- |"]
    budget = MAX_CHARS - sum(len(line) + 1 for line in head + body + tail) - 100  # room for the "... and N more" line
    shown = 0
    for row in open_rows[:MAX_ROWS]:
        if budget - (len(row) + 1) < 0:
            break
        body.append(row)
        budget -= len(row) + 1
        shown += 1
    if open_rows:
        if shown < len(open_rows):
            body.append(f"\n... and {len(open_rows) - shown} more")
        body.append("")
    text = "\n".join(head + body + tail)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 200] + "\n\n(truncated)\n\n" + _link_line(report_url) + "\n"

"""The auditor-ready HTML report: one self-contained file rendered from the ScanResult alone.

Jinja2 with autoescaping on renders ``templates/report.html.j2``; every value
that comes from a manifest or a cluster reaches the page escaped (the template
never marks such data safe).  The page has inline CSS and inline SVG only, no
JavaScript and no external references, and a Content-Security-Policy that would
block any fetch anyway.  This module only prepares plain values for the
template: counts, groupings and the integrity digest.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Any, Iterator, Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..model import SEVERITIES, Finding, ScanResult, severity_rank
from ..score_text import percent_text
from ..textsafe import safe_text
from .attestation import Attestation
from .row_cap import deal
from .control_view import RESOURCE_OUTCOMES, control_rows, inventory, long_check_lists, scope_statement
from .i18n import translator
from .json_report import json_digests
from .localized import jinja_globals
from .provenance import provenance_lines

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
SECTIONS = (
    "cover", "summary", "scope", "frameworks", "findings", "waivers", "gaps", "method", "signoff",
    "appendix-checks", "appendix-inventory", "appendix-scope", "integrity",
)
PAPERS = ("a4", "letter")
STATUSES = ("pass", "pass-with-exceptions", "fail", "not-assessed", "manual")
TOP_FAILING = 8
CHART_WIDTH = 240
# The findings and the inventory list at most this many rows by default (``--max-rows``; 0: all).
# An auditor files the report as evidence: every count in it is complete, and past this
# many rows a printed list stops being read (500 findings are about 25 PDF pages) while the
# full list is the JSON result the report's digest identifies.
DEFAULT_MAX_ROWS = 500
CHUNK_CHARS = 1 << 16


def _visible(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return safe_text(value, keep_newlines=True)
    return value


@lru_cache(maxsize=1)
def report_environment() -> Environment:
    """The one Jinja2 environment of every HTML page (scan and period reports): autoescape and visible control characters."""
    env = Environment(
        loader=PackageLoader("scanner.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Every value printed: control characters and bidi/zero-width characters shown as
        # text (\x1b, <U+202E>) before autoescaping, so no name can pose as another.
        finalize=_visible,
    )
    env.filters["percent"] = lambda v: percent_text(v, none="–")  # one rounding rule everywhere (score_text)
    env.filters["short"] = lambda d: (d or "").split(":", 1)[-1][:12]  # a digest, as people compare them
    env.globals.update(jinja_globals())  # check_text, control_text, reason_text: data in the report's language
    return env


def result_digest(result: ScanResult) -> str:
    """SHA-256 of the canonical JSON rendering: the bytes ``-f json`` writes for this result."""
    return json_digests(result)[0]


def _bar(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Segments of the stacked bar (status, x, width) for the inline SVG chart."""
    total = sum(counts.get(s, 0) for s in STATUSES)
    segments, x = [], 0.0
    if not total:
        return segments
    for status in STATUSES:
        n = counts.get(status, 0)
        if n:
            width = CHART_WIDTH * n / total
            segments.append({"status": status, "x": round(x, 2), "width": round(width, 2), "count": n})
            x += width
    return segments


def id_keeper(check_ids: list[str]):
    """``keep_ids(text)``: the text escaped, with every check id it quotes kept on one line.

    Rationales and not-assessed reasons name checks in running text; a browser may
    break a line after any hyphen, and "apiserver-" / "profiling" then reads as two ids.
    Ids are only ``[a-z0-9-]``, so wrapping them in the escaped text is safe.  The boundaries
    are ASCII: Korean attaches particles to the id ("apiserver-authorization-node는"), and
    a word-character class would count the Hangul as part of the id and leave it breakable.
    """
    ids = sorted({i for i in check_ids if "-" in i}, key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z0-9_-])(" + "|".join(re.escape(i) for i in ids) + r")(?![A-Za-z0-9_-])") if ids else None

    def keep_ids(text: Any) -> Markup:
        html = escape(_visible(text)) if not isinstance(text, Markup) else text
        if pattern is None:
            return Markup(html)
        return Markup(pattern.sub(r'<span class="nowrap">\1</span>', str(html)))

    return keep_ids


def default_paper(lang: str) -> str:
    """A4 where the report's readers use it (Korean), Letter otherwise; ``--paper`` overrides."""
    return "a4" if lang == "ko" else "letter"


def report_id(canonical_digest: str, file_digest: str) -> str:
    """A stable id for the report of one result: the same result always gives the same id."""
    source = (canonical_digest or "").split(":", 1)[-1] or file_digest
    return "KC-" + source[:10].upper()


_CSS_UNSAFE = re.compile(r"[\"'\\<>&\x00-\x1f\x7f-\x9f\u2028\u2029]")
_STAMP_UNSAFE = re.compile(r"[^0-9A-Za-z :.+\-]")


def css_string(text: str) -> str:
    """Text for a CSS ``content`` string inside <style>: without the characters that could end the string or the element."""
    return _CSS_UNSAFE.sub("", text)


def _scan_date(scan: dict[str, Any]) -> str:
    """The scan's finish time as people read it: ``2026-12-03 16:10 UTC``."""
    stamp = _STAMP_UNSAFE.sub("", str(scan.get("finished") or scan.get("started") or ""))[:40]
    if len(stamp) >= 16 and stamp[10] in "Tt":
        return f"{stamp[:10]} {stamp[11:16]} UTC" if stamp.endswith(("Z", "z", "+00:00")) else f"{stamp[:10]} {stamp[11:16]}"
    return stamp


def _location(origin) -> str:
    if origin.type == "cluster":
        return f"cluster {origin.context or origin.server or ''}".strip()
    if origin.type == "stdin":
        return f"stdin:{origin.line}" if origin.line else "stdin"
    return origin.label()


def _counted(labels: list[str]) -> list[tuple[str, int]]:
    """Labels in first-seen order with how often each occurs."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return list(counts.items())


def _row(f: Finding) -> dict[str, Any]:
    """What the findings table prints of one finding (built only for the findings shown)."""
    return {
        "status": f.status,
        "resource": f.resource.label(),
        "api_version": f.resource.apiVersion,
        "location": _location(f.origin),
        "path": f.path or "",
        "message": f.message,
        "waiver": f.waiver or "",
    }


def _finding_groups(result: ScanResult, max_rows: int) -> list[dict[str, Any]]:
    """The findings by check, counted in full, with the rows shown (at most ``max_rows`` in all; 0: every one)."""
    members: dict[str, list[Finding]] = {}
    for f in result.findings:
        members.setdefault(f.policy, []).append(f)
    catalogue = {c.id: c for c in result.checks}
    groups = []
    for check_id, items in members.items():
        first = items[0]
        info = catalogue.get(check_id)
        controls: dict[str, list[str]] = {}
        seen: set[int] = set()
        for f in items:
            if id(f.controls) in seen:  # findings of one check share their check's control map
                continue
            seen.add(id(f.controls))
            for fw, ids in f.controls.items():
                listed = controls.setdefault(fw, [])
                listed.extend(cid for cid in ids if cid not in listed)
        groups.append({
            "id": check_id,
            "title": (info.title if info else first.title) or check_id,
            "severity": info.severity if info else first.severity,
            "remediation": (info.remediation if info else None) or first.remediation or "",
            "controls": sorted(controls.items()),
            "members": items,
            "total": len(items),
            "open": sum(1 for f in items if f.status == "fail"),
            "waived": sum(1 for f in items if f.status == "waived"),
        })
    groups.sort(key=lambda g: (severity_rank(g["severity"]), -g["open"], g["id"]))
    for g, shown in zip(groups, deal([g["total"] for g in groups], max_rows)):
        items = g.pop("members")
        g["rows"] = [_row(f) for f in items[:shown]]
        g["hidden"] = len(items) - shown
    return groups


def _register_entry(waiver: Any, covered: list[tuple[str, int]], max_rows: int) -> dict[str, Any]:
    """An exception register row: the resources it covers, at most ``max_rows`` of them named (0: all), the rest counted."""
    shown = covered[:max_rows] if max_rows else covered
    return {"w": waiver, "covered": shown, "covered_more": len(covered) - len(shown)}


def _view(result: ScanResult, max_rows: int = 0) -> dict[str, Any]:
    """Every value the template prints, prepared from the result alone; ``max_rows`` caps the long lists (0: none)."""
    findings = result.findings
    file_digest, canonical_digest = json_digests(result)  # the JSON encoded once, hashed as it comes
    waived_by: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        if f.waiver:
            waived_by[f.waiver].append(f.resource.label())
    groups = _finding_groups(result, max_rows)
    hidden = [(g, g["hidden"]) for g in groups if g["hidden"]]

    top_failing = []
    for fw in result.frameworks:
        for c in fw.controls:
            if c.status == "fail":
                top_failing.append({"framework": fw.title or fw.id, "framework_id": fw.id, "id": c.id, "title": c.title, "failed": c.resources_failed, "evaluated": c.resources_evaluated, "findings": len(c.findings)})
    top_failing.sort(key=lambda c: (-c["failed"], -c["findings"], c["framework_id"], c["id"]))

    resources_total = len(result.resources)
    frameworks = [
        {
            "fw": fw,
            "bar": _bar(fw.counts),
            "counts": {s: fw.counts.get(s, 0) for s in STATUSES},
            "rows": control_rows(fw, resources_total),
            "scope": scope_statement(fw),
        }
        for fw in result.frameworks
    ]

    namespaces = sorted({r.resource.namespace for r in result.resources if r.resource.namespace})
    if not result.resources:
        namespaces = sorted({f.resource.namespace for f in findings if f.resource.namespace})
    cluster_scoped = any(not r.resource.namespace for r in result.resources)

    gaps = {t: [g for g in result.gaps if g.type == t] for t in ("file", "check", "kind")}
    # A fleet cluster that could not be read: nothing of any kind was collected there.
    gaps["kind"] = [g for g in result.gaps if g.type == "cluster"] + gaps["kind"] + [g for g in result.gaps if g.type == "resource"]
    gap_checks = {g.check for g in gaps["check"]}
    check_errors = [c for c in result.checks if c.error and c.id not in gap_checks]
    not_run = [c for c in result.checks if c.not_run]
    no_resources = [c for c in result.checks if not c.error and not c.not_run and c.resources_evaluated == 0] if result.resources else []
    skipped_docs = sorted((result.summary.get("documents_skipped") or {}).items())

    summary = result.summary
    severity_counts = summary.get("open_findings_by_severity") or {}
    if not severity_counts:
        severity_counts = {s: sum(1 for f in findings if f.status == "fail" and f.severity == s) for s in SEVERITIES}
    open_count = sum(g["open"] for g in groups)

    return {
        "scan": result.scan,
        "summary": summary,
        "source": result.scan.get("source", "manifests"),
        "targets": result.scan.get("targets") or [],
        "frameworks": frameworks,
        "severities": [(s, severity_counts.get(s, 0)) for s in SEVERITIES],
        "open_count": open_count,
        "waived_count": sum(g["waived"] for g in groups),  # not baselined ones: those are debt, not exceptions
        "top_failing": top_failing[:TOP_FAILING],
        "groups": groups,
        "findings_total": len(findings),
        "findings_hidden": sum(n for _, n in hidden),
        "findings_hidden_checks": len(hidden),
        "max_rows": max_rows,
        "waivers": [_register_entry(w, _counted(waived_by.get(w.id, [])), max_rows) for w in result.waivers],
        "gaps": gaps,
        "check_errors": check_errors,
        "no_resources": no_resources,
        "not_run": not_run,
        "skipped_docs": skipped_docs,
        "gap_total": len(result.gaps) + len(check_errors) + len(not_run) + sum(int(n) for _, n in skipped_docs),
        "namespaces": namespaces,
        "cluster_scoped": cluster_scoped,
        "checks": sorted(result.checks, key=lambda c: c.id),
        "check_ids": result.scan.get("checks") or [],
        "resources_by_kind": sorted((summary.get("resources_by_kind") or {}).items()),
        "inventory": inventory(result, max_rows),
        "resource_outcomes": RESOURCE_OUTCOMES,
        "long_checks": long_check_lists(result.frameworks),
        "resources_total": resources_total,
        "report_id": report_id(canonical_digest, file_digest),
        "scan_date": _scan_date(result.scan),
        "digest": file_digest,
        "provenance": provenance_lines(result.scan),
        "canonical_digest": canonical_digest,  # the JSON's scan.result_digest
    }


def _context(result: ScanResult, lang: str, attestation: Attestation | None, paper: str | None, max_rows: int) -> dict[str, Any]:
    """The template's variables: the view, the translator, the page settings and the footer."""
    t = translator(lang)
    paper = paper or default_paper(lang)
    if paper not in PAPERS:
        raise ValueError(f"unknown paper size {paper!r}; available: {', '.join(PAPERS)}")
    view = _view(result, max_rows)
    footer = t("footer", report=view["report_id"], date=view["scan_date"], digest=view["digest"][:12])
    return dict(
        t=t, lang=lang, csp=CSP, sections=SECTIONS, statuses=STATUSES, chart_width=CHART_WIDTH,
        attestation=attestation or Attestation(), paper=paper, keep_ids=id_keeper([c.id for c in result.checks] or list(result.scan.get("checks") or [])), footer_css=css_string(footer), footer_text=footer, **view,
    )


def html_chunks(result: ScanResult, lang: str = "en", attestation: Attestation | None = None, paper: str | None = None, max_rows: int = DEFAULT_MAX_ROWS) -> Iterator[bytes]:
    """The report page as UTF-8 chunks of about CHUNK_CHARS characters, rendered as they are written.

    Jinja2's ``generate`` yields the page piece by piece, so the writer
    (``scanner.atomic``, stdout) never holds the whole page: with ``--max-rows 0``
    at 100,000 resources that page is hundreds of megabytes.  The view is
    prepared here, before the first chunk, so a bad option fails before any
    output is written.
    """
    context = _context(result, lang, attestation, paper, max_rows)
    return _encoded(report_environment().get_template("report.html.j2").generate(**context))


def _encoded(pieces: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def render_html(result: ScanResult, lang: str = "en", attestation: Attestation | None = None, paper: str | None = None, max_rows: int = DEFAULT_MAX_ROWS) -> str:
    """The report page as one string; ``paper`` (a4, letter) sets the printed page size, by default from the language;
    ``max_rows`` caps the findings and the inventory (0: every row).  The CLI writes ``html_chunks`` instead."""
    return report_environment().get_template("report.html.j2").render(**_context(result, lang, attestation, paper, max_rows))


def render_html_ko(result: ScanResult) -> str:
    return render_html(result, "ko")

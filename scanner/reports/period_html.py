"""The period report as HTML (and, through Chromium, PDF): one self-contained page, no JavaScript.

It renders the period document built by ``evidence.period`` and computes no
figure of its own: the template shows the model's numbers, and this module only
adds geometry for the inline SVG timelines (x position of each scan, the
missing schedule windows).  The safety rules of the single-scan report hold:
Jinja2 autoescaping, the same Content-Security-Policy, no external reference.
Status strings are open (new statuses appear over time), so a status this
module does not know is drawn with the "other" colour and its own name.
"""

from __future__ import annotations

from typing import Any


from ..evidence import statuses
from ..evidence.timeutil import parse_time
from .html import CSP, report_environment

TIMELINE_WIDTH = 420
MARK_WIDTH = 7
KNOWN = ("pass", "pass-with-exceptions", "fail", "not-assessed", "manual")


def status_class(status: str | None) -> str:
    """CSS class for a status: known ones by name, anything else ``other`` (its name still shows in the tooltip)."""
    if status is None:
        return "absent"
    if status in KNOWN:
        return status
    return "fail" if statuses.failed(status) else "other"


def mark_width(scans: int) -> float:
    """Marks narrow as scans multiply (a year of daily scans still fits), but never below 1.5 px."""
    return round(max(1.5, min(MARK_WIDTH, TIMELINE_WIDTH / max(scans, 1) * 0.8)), 2)


def _x(moment: str, since: float, span: float, mark: float) -> float:
    return round((parse_time(moment).timestamp() - since) / span * (TIMELINE_WIDTH - mark), 2)


def period_view(period: dict[str, Any]) -> dict[str, Any]:
    since = parse_time(period["since"]).timestamp()
    span = max(parse_time(period["until"]).timestamp() - since, 1.0)
    mark = mark_width(len(period["scans"]))
    xs = [_x(s["started"], since, span, mark) for s in period["scans"]]
    missing = [{**m, "x": _x(m["from"], since, span, mark), "width": max(_x(m["to"], since, span, mark) - _x(m["from"], since, span, mark), 2.0)} for m in period["missing"]]
    frameworks = []
    for fw in period["frameworks"]:
        controls = []
        for c in fw["controls"]:
            marks = [
                {"x": xs[i], "status": s, "cls": status_class(s), "scan": period["scans"][i]}
                for i, s in enumerate(c["statuses"]) if s is not None
            ]
            controls.append({**c, "marks": marks})
        frameworks.append({**fw, "controls": controls})
    return {"frameworks": frameworks, "missing": missing, "xs": xs, "mark": mark}


def render_period_html(period: dict[str, Any]) -> str:
    template = report_environment().get_template("period.html.j2")
    return template.render(p=period, csp=CSP, width=TIMELINE_WIDTH, **period_view(period))

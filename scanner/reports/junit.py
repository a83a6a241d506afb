"""JUnit XML for CI servers (Jenkins, GitLab, Azure DevOps, GitHub test reporters).

One ``<testsuite>`` per check, named by its id.  With the result's ``checks``
catalogue and ``resources`` list (every current result has both), each
resource the check evaluated is one ``<testcase>``: it passes, fails (one
``<failure>`` listing every open finding of that check on that resource) or is
skipped (every finding of it is waived; the waiver's justification is the
message).  A check that evaluated nothing gets one skipped case saying so, so
an empty suite is never read as a pass.

Results written before the catalogue existed do not say which resources a
check evaluated; then each finding is a case and one summary case per check
says how many resources were evaluated without a finding, without naming them.

Gaps (files not parsed, checks that could not run, kinds not collected) are
``<error>`` cases in a ``kubecomply.gaps`` suite; a check that could not run
has no passing cases in its own suite.

The XML is written as text, in exactly the form ElementTree gives after
``ET.indent(root, space="  ")``: a case per check and resource is hundreds of
thousands of cases for a large scan, and building and serialising an
element tree for them took most of the time (about 4 s per 2,000
findings-heavy resources).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape as xml_escape

from ..compliance.population import expand_ranges
from ..model import CheckInfo, Finding, ScanResult
from .sarif import catalogue

GAPS_SUITE = "kubecomply.gaps"
# Characters XML 1.0 cannot carry even escaped; a manifest may hold them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(value: str) -> str:
    if value.isprintable():  # the common case: every printable character is allowed in XML
        return value
    return _NOT_XML.sub("\ufffd", value)


def _key(ref, origin) -> tuple:
    """One resource: identity plus the document it came from (two files may hold the same name)."""
    return (ref.sort_key(), origin.path or origin.context or "", origin.document or 0, origin.item or 0)


def _keys() -> Callable[[Any, Any], tuple]:
    """``_key`` memoised by object: every check's suite asks again for the same resources."""
    memo: dict[tuple[int, int], tuple] = {}

    def key(ref, origin) -> tuple:
        at = (id(ref), id(origin))
        found = memo.get(at)
        if found is None:
            found = memo[at] = _key(ref, origin)
        return found

    return key


# What ElementTree escapes beyond &, < and > in an attribute value (its exact spelling).
_ATTR_ENTITIES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}


def _attr(value: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    return xml_escape(value, _ATTR_ENTITIES)


def _text(value: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    return xml_escape(value)


def _attrs(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{_attr(value)}"' for name, value in pairs)


def _location(f: Finding) -> str:
    where = f.origin.label()
    return f"{where} {f.path}" if f.path else where


def _failure_text(findings: Iterable[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{_location(f)}: {f.message}")
    return "\n".join(lines)


class _Suite:
    """One ``<testsuite>``, its cases kept as indented text until the counts are known."""

    def __init__(self, name: str, timestamp: str | None) -> None:
        self.attributes = [("name", _x(name))] + ([("timestamp", timestamp)] if timestamp else [])
        self.cases: list[str] = []
        self.counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def case(self, name: str, classname: str, outcome: str = "pass", message: str = "", text: str = "", kind: str = "") -> None:
        head = f'    <testcase name="{_attr(_x(name))}" classname="{_attr(_x(classname))}"'
        self.counts["tests"] += 1
        if outcome == "pass":
            self.cases.append(head + " />")
            return
        tag = {"fail": "failure", "error": "error", "skip": "skipped"}[outcome]
        child = f'<{tag} message="{_attr(_x(message))}"' + (f' type="{_attr(kind)}"' if kind else "")
        child += f">{_text(_x(text))}</{tag}>" if text else " />"
        self.cases.append(f"{head}>\n      {child}\n    </testcase>")
        self.counts[{"fail": "failures", "error": "errors", "skip": "skipped"}[outcome]] += 1

    def finish(self, properties: dict[str, str] | None = None) -> str:
        """The suite's XML at its depth (two spaces), properties first."""
        head = "  <testsuite" + _attrs([*self.attributes, *((k, str(v)) for k, v in self.counts.items())])
        children = []
        if properties:
            rows = "\n".join(f"      <property{_attrs([('name', _x(key)), ('value', _x(value))])} />" for key, value in properties.items())
            children.append(f"    <properties>\n{rows}\n    </properties>")
        children.extend(self.cases)
        if not children:
            return head + " />"
        return head + ">\n" + "\n".join(children) + "\n  </testsuite>"


def _check_suite(result: ScanResult, check: CheckInfo, findings: list[Finding], justifications: dict[str, str], per_resource: bool,
                 _key: Callable[[Any, Any], tuple] = _key) -> _Suite:
    suite = _Suite(check.id, result.scan.get("finished"))
    classname = f"kubecomply.{check.id}"
    by_resource: dict[tuple, list[Finding]] = defaultdict(list)
    for f in findings:
        by_resource[_key(f.resource, f.origin)].append(f)

    def outcome_of(group: list[Finding]) -> tuple[str, str, str]:
        open_ = [f for f in group if f.status not in ("waived", "baselined")]
        if open_:
            first = open_[0].message if len(open_) == 1 else f"{len(open_)} findings: {open_[0].message}; ..."
            return "fail", first, _failure_text(group)
        # Skipped, not failed: a CI test report should fail on what fails the build, and
        # baselined findings (accepted debt) do not.
        reasons = sorted({justifications.get(f.waiver or "", "") or f"waived ({f.waiver})" for f in group if f.status == "waived"})
        parts = (["waived: " + "; ".join(reasons)] if reasons else []) + (["baselined (accepted in the baseline)"] if any(f.status == "baselined" for f in group) else [])
        return "skip", "; ".join(parts), _failure_text(group)

    if check.not_run:  # left out on purpose (its --data is missing): nothing passed it
        suite.case("(not run)", classname, "skip", check.not_run)
        return suite
    if per_resource:
        if check.population_ranges is not None:  # the check's own population (its applies rule), by index into the resources
            evaluated = [result.resources[i] for i in sorted(expand_ranges(runs for runs in check.population_ranges.values() for runs in runs)) if i < len(result.resources)]
        else:  # results before populations: every resource of its kinds
            evaluated = [r for r in result.resources if check.evaluates(r.resource.kind)]
        if check.error:  # it could not run: no resource passed it
            evaluated = [r for r in evaluated if _key(r.resource, r.origin) in by_resource]
        labels = [r.resource.label() for r in evaluated]
        label_counts = Counter(labels)
        seen = set()
        for scanned, label in zip(evaluated, labels):
            key = _key(scanned.resource, scanned.origin)
            if key in seen:
                continue
            seen.add(key)
            if label_counts[label] > 1:  # the same identity in two documents
                label = f"{label} ({scanned.origin.label()})"
            group = by_resource.get(key)
            if not group:
                suite.case(label, classname)
                continue
            outcome, message, text = outcome_of(group)
            suite.case(label, classname, outcome, message, text, group[0].severity)
        # Findings on resources the list does not hold (should not happen) still show.
        for key in sorted(set(by_resource) - seen):
            group = by_resource[key]
            outcome, message, text = outcome_of(group)
            suite.case(group[0].resource.label(), classname, outcome, message, text, group[0].severity)
        if not suite.counts["tests"] and not check.error:
            why = f"no resource in its population ({check.population})" if check.population else f"no resource of the kinds {', '.join(check.applies_to) or '-'} was scanned"
            suite.case("(no resources in scope)", classname, "skip", why)
    else:
        for key in sorted(by_resource):
            group = by_resource[key]
            outcome, message, text = outcome_of(group)
            suite.case(group[0].resource.label(), classname, outcome, message, text, group[0].severity)
        clean = max(check.resources_evaluated - len(by_resource), 0)
        if not check.error:
            suite.case(f"({clean} other resources evaluated without findings)", classname)
    return suite


def to_junit(result: ScanResult) -> str:
    """The ``<testsuites>`` element as indented XML text (no declaration)."""
    checks = catalogue(result)
    per_resource = bool(result.checks and result.resources)
    if result.checks and not result.resources:
        per_resource = not any(c.resources_evaluated for c in result.checks)  # nothing was in scope
    findings_by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        findings_by_check[f.policy].append(f)
    justifications = {w.id: w.justification for w in result.waivers}
    suites: list[str] = []
    resource_key = _keys()
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for check in checks:
        suite = _check_suite(result, check, findings_by_check.get(check.id, []), justifications, per_resource, resource_key)
        properties = {"severity": check.severity, "title": check.title}
        if check.remediation:
            properties["remediation"] = check.remediation
        suites.append(suite.finish(properties))
        for key in totals:
            totals[key] += suite.counts[key]
    if result.gaps:
        gaps = _Suite(GAPS_SUITE, result.scan.get("finished"))
        for gap in result.gaps:
            if gap.type == "file":
                name = f"{gap.path}:{gap.line}" if gap.line else (gap.path or "-")
            elif gap.type == "check":
                name = f"check {gap.check}"
            else:
                name = " ".join(p for p in (gap.cluster, gap.apiVersion, gap.kind) if p)
            gaps.case(name, f"{GAPS_SUITE}.{gap.type}", "error", gap.reason, gap.label(), f"not-scanned-{gap.type}")
        suites.append(gaps.finish())
        for key in totals:
            totals[key] += gaps.counts[key]
    head = "<testsuites" + _attrs([("name", "kubecomply"), *((k, str(v)) for k, v in totals.items())])
    if not suites:
        return head + " />"
    return head + ">\n" + "\n".join(suites) + "\n</testsuites>"


def render_junit(result: ScanResult) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + to_junit(result) + "\n"

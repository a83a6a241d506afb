"""Compliance frameworks: load ``mappings/*.yaml`` and roll findings up into control status.

A control's status follows docs (and design.md) exactly, and errs towards
"we do not know": a control passes only when every check behind it ran on at
least one resource in scope and none of them failed.  Anything less is
``not-assessed`` with the reason, never a pass.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence


from ..model import ASSESSED_STATUSES, VIOLATION_STATUSES, ControlResult, Finding, FrameworkResult
from ..policies import bundled_dir, display_path
from ..shipped_yaml import load_yaml
from ..sources.yaml_loader import DocumentError

if TYPE_CHECKING:
    from .population import Populations

BUNDLED_MAPPING_DIR = bundled_dir("mappings")
AUTOMATION_LEVELS = ("automated", "partial", "manual")
# How a framework's results are summarised: a pass rate, or (risk-based frameworks
# such as GDPR, where a percentage would claim more than a scan can show) status counts only.
SCORING_MODES = ("score", "counts")
# Whether control titles are the framework's own wording or our paraphrase
# (SOC 2 criteria have no titles; ISO, PCI and CIS wording is copyrighted).
TITLE_SOURCES = ("official", "paraphrase")
# Why a control of the framework is not evidenced by this tool.
NOT_EVIDENCED_REASONS = ("organisational", "physical", "out-of-cluster", "not-applicable")


class FrameworkError(Exception):
    """A mapping file that cannot be used; ``str()`` names the file."""


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    automation: str
    checks: tuple[str, ...]
    manual_evidence: str | None = None
    description: str | None = None
    title_en: str | None = None  # English label beside a title in another language (ISMS-P)
    title_source: str = "paraphrase"  # the file's title_source unless the control overrides it


@dataclass(frozen=True)
class NotEvidenced:
    """A control of the framework that no check evidences, with why: the rest of the
    framework, so coverage can be stated against all of it and not only what we map."""

    id: str
    title: str
    reason: str  # one of NOT_EVIDENCED_REASONS
    note: str | None = None
    title_en: str | None = None
    title_source: str = "paraphrase"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    version: str
    file: Path
    controls: tuple[Control, ...]
    description: str | None = None
    url: str | None = None
    scoring: str = "score"  # one of SCORING_MODES
    title_source: str = "paraphrase"  # one of TITLE_SOURCES, the file's default
    not_evidenced: tuple[NotEvidenced, ...] = ()

    def check_ids(self) -> set[str]:
        return {c for control in self.controls for c in control.checks}

    @property
    def total_controls(self) -> int:
        """Every control of the framework: the ones mapped here and the ones not evidenced."""
        return len(self.controls) + len(self.not_evidenced)


@dataclass
class CheckCoverage:
    """What the scan knows about one check, for the roll-up."""

    evaluated: int = 0  # resources in the check's population: of its kinds, where its ``applies`` holds
    failed_resources: set[int] = field(default_factory=set)  # id()s of resources with an open violation
    excepted_resources: set[int] = field(default_factory=set)  # id()s of resources with a waived violation
    not_applicable: set[int] = field(default_factory=set)  # id()s of resources of its kinds outside its population
    population: str | None = None  # the check's population in words, to explain an empty one
    error: str | None = None  # why the check could not run, if it did not
    not_run: str | None = None  # why the check was deliberately not run (its --data is missing)
    not_collected: str | None = None  # kinds it needs that a cluster scan could not collect, and why


def _require(data: dict[str, Any], key: str, file: str, where: str) -> Any:
    value = data.get(key)
    if value in (None, "", []):
        raise FrameworkError(f"{file}: {where} is missing '{key}'")
    return value


def load_framework(path: Path) -> Framework:
    name = display_path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{name}: cannot read mapping: {str(exc).splitlines()[0]}") from None
    except DocumentError as exc:
        raise FrameworkError(f"{name}:{exc.line}: cannot read mapping: {exc.reason}" if exc.line else f"{name}: cannot read mapping: {exc.reason}") from None
    if not isinstance(data, dict):
        raise FrameworkError(f"{name}: a mapping file must be a YAML mapping")
    fid = str(_require(data, "id", name, "the framework"))
    scoring = _choice(data, "scoring", SCORING_MODES, "score", name, "the framework")
    file_title_source = _choice(data, "title_source", TITLE_SOURCES, "paraphrase", name, "the framework")
    controls: list[Control] = []
    seen: set[str] = set()
    for index, raw in enumerate(_require_list(data, "controls", name), start=1):
        if not isinstance(raw, dict):
            raise FrameworkError(f"{name}: control #{index} must be a mapping")
        cid = _id(raw, name, f"control #{index}")
        if cid in seen:
            raise FrameworkError(f"{name}: control {cid} is listed twice")
        seen.add(cid)
        automation = str(raw.get("automation", "automated"))
        if automation not in AUTOMATION_LEVELS:
            raise FrameworkError(f"{name}: control {cid}: automation must be one of {', '.join(AUTOMATION_LEVELS)}")
        raw_checks = raw.get("checks") or ()
        if not isinstance(raw_checks, (list, tuple)) or not all(isinstance(c, str) and c for c in raw_checks):
            raise FrameworkError(f"{name}: control {cid}: 'checks' must be a list of check ids, such as [privileged-containers]")
        checks = tuple(raw_checks)
        if automation != "manual" and not checks:
            raise FrameworkError(f"{name}: control {cid} is '{automation}' but names no checks")
        if automation == "manual" and checks:
            raise FrameworkError(f"{name}: control {cid} is 'manual' but names checks; use 'partial'")
        evidence = _optional_text(raw, "manual_evidence", name, cid)
        if automation in ("partial", "manual") and not evidence:
            raise FrameworkError(f"{name}: control {cid} is '{automation}' and must say what manual_evidence the auditor needs")
        controls.append(
            Control(
                cid,
                _title(raw, name, f"control {cid}"),
                automation,
                checks,
                evidence,
                _optional_text(raw, "description", name, cid),
                _optional_text(raw, "title_en", name, cid),
                _choice(raw, "title_source", TITLE_SOURCES, file_title_source, name, f"control {cid}"),
            )
        )
    not_evidenced: list[NotEvidenced] = []
    raw_rest = data.get("not_evidenced", [])
    if raw_rest is None or not isinstance(raw_rest, list):
        raise FrameworkError(f"{name}: 'not_evidenced' must be a list of controls (use [] when every control is mapped)")
    for index, raw in enumerate(raw_rest, start=1):
        if not isinstance(raw, dict):
            raise FrameworkError(f"{name}: not_evidenced #{index} must be a mapping")
        cid = _id(raw, name, f"not_evidenced #{index}")
        if cid in seen:
            raise FrameworkError(f"{name}: control {cid} is listed twice (controls and not_evidenced together must name each control once)")
        seen.add(cid)
        for key in ("checks", "automation", "manual_evidence"):
            if key in raw:
                raise FrameworkError(f"{name}: not_evidenced {cid} has '{key}'; a control with checks or manual evidence belongs under controls")
        not_evidenced.append(
            NotEvidenced(
                cid,
                _title(raw, name, f"not_evidenced {cid}"),
                _choice(raw, "reason", NOT_EVIDENCED_REASONS, None, name, f"not_evidenced {cid}"),
                _optional_text(raw, "note", name, cid),
                _optional_text(raw, "title_en", name, cid),
                _choice(raw, "title_source", TITLE_SOURCES, file_title_source, name, f"not_evidenced {cid}"),
            )
        )
    return Framework(
        id=fid,
        title=str(_require(data, "title", name, "the framework")),
        version=str(_require(data, "version", name, "the framework")),
        file=path,
        controls=tuple(controls),
        description=data.get("description"),
        url=data.get("url"),
        scoring=scoring,
        title_source=file_title_source,
        not_evidenced=tuple(not_evidenced),
    )


def _require_list(data: dict[str, Any], key: str, name: str) -> list[Any]:
    value = _require(data, key, name, "the framework")
    if not isinstance(value, list):
        raise FrameworkError(f"{name}: '{key}' must be a list of controls, not {type(value).__name__}")
    return value


def _id(raw: dict[str, Any], name: str, where: str) -> str:
    value = _require(raw, "id", name, where)
    if isinstance(value, float):  # YAML reads an unquoted 2.10 as the number 2.1
        raise FrameworkError(f"{name}: {where}: 'id' {value!r} must be quoted, such as \"{value}\" (an unquoted 2.10 reads as 2.1)")
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise FrameworkError(f"{name}: {where}: 'id' must be a string such as \"CC6.1\"")
    return str(value)


def _title(raw: dict[str, Any], name: str, where: str) -> str:
    value = _require(raw, "title", name, where)
    if not isinstance(value, str):
        raise FrameworkError(f"{name}: {where}: 'title' must be a string")
    return value


def _choice(raw: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None, name: str, where: str) -> str:
    """A value from a fixed set; a typo fails loudly instead of silently meaning the default."""
    value = raw.get(key)
    if value is None:
        if default is None:
            raise FrameworkError(f"{name}: {where} is missing '{key}' (one of {', '.join(allowed)})")
        return default
    if not isinstance(value, str) or value not in allowed:
        raise FrameworkError(f"{name}: {where}: '{key}' must be one of {', '.join(allowed)}, not {value!r}")
    return value


def load_frameworks(extra_dirs: Sequence[str | Path] = ()) -> list[Framework]:
    """Bundled frameworks plus user mapping folders; framework ids must be unique."""
    files = sorted(BUNDLED_MAPPING_DIR.glob("*.yaml"))
    for d in extra_dirs:
        folder = Path(d)
        if not folder.is_dir():
            raise FrameworkError(f"{d}: mapping folder does not exist")
        files.extend(sorted(folder.glob("*.yaml")))
    frameworks: list[Framework] = []
    seen: dict[str, Path] = {}
    for path in files:
        fw = load_framework(path)
        if fw.id in seen:
            raise FrameworkError(f"{display_path(path)}: framework id {fw.id!r} is also defined in {display_path(seen[fw.id])}")
        seen[fw.id] = path
        frameworks.append(fw)
    return frameworks


def validate_references(frameworks: Iterable[Framework], check_ids: set[str]) -> None:
    """Every check a mapping names must exist; a typo would otherwise make a control pass on nothing."""
    for fw in frameworks:
        for control in fw.controls:
            unknown = sorted(set(control.checks) - check_ids)
            if unknown:
                raise FrameworkError(f"{display_path(fw.file)}: control {control.id} names unknown check(s): {', '.join(unknown)}")


def select_frameworks(frameworks: Sequence[Framework], wanted: Sequence[str]) -> list[Framework]:
    if not wanted:
        return list(frameworks)
    by_id = {fw.id: fw for fw in frameworks}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        raise FrameworkError(f"unknown framework(s): {', '.join(unknown)}; available: {', '.join(sorted(by_id))}")
    return [by_id[w] for w in dict.fromkeys(wanted)]


def _optional_text(raw: dict[str, Any], key: str, name: str, cid: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise FrameworkError(f"{name}: control {cid}: '{key}' must be a non-empty string")
    return value.strip()


def controls_by_check(frameworks: Iterable[Framework]) -> dict[str, dict[str, list[str]]]:
    """check id -> {framework id: [control ids]}, for the ``controls`` of each finding."""
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for fw in frameworks:
        for control in fw.controls:
            for check in control.checks:
                out[check].setdefault(fw.id, []).append(control.id)
    return dict(out)


def _check_status(check: str, coverage: dict[str, CheckCoverage], open_findings: dict[str, list[int]], waived: dict[str, set[str]]) -> tuple[str, str | None]:
    """One check's own status for a control, with the reason when it is not assessed."""
    cov = coverage.get(check)
    if open_findings.get(check):
        return "fail", None
    if cov is None:
        return "not-assessed", f"{check} was not part of this scan"
    if cov.error:
        return "not-assessed", f"{check} could not run: {cov.error}"
    if cov.not_run:
        return "not-assessed", f"{check} {cov.not_run}"
    if cov.not_collected:
        return "not-assessed", f"{check} not assessed: {cov.not_collected}"
    if cov.evaluated == 0:
        if cov.population:
            return "not-assessed", f"{check} found no resource in its population: {cov.population}"
        return "not-assessed", f"{check} found no resources of its kinds in scope"
    if waived.get(check):
        return "pass-with-exceptions", None
    return "pass", None


def _control_result(
    control: Control, framework: Framework, coverage: dict[str, CheckCoverage], open_findings: dict[str, list[int]],
    waived: dict[str, set[str]], populations: "Populations | None",
) -> ControlResult:
    result = ControlResult(
        control.id, control.title, control.automation, "manual", list(control.checks), manual_evidence=control.manual_evidence,
        title_en=control.title_en, description=control.description, title_source=control.title_source or framework.title_source,
    )
    if control.automation == "manual":
        result.reason = "no automated check; human evidence needed"
        return result
    statuses = {check: _check_status(check, coverage, open_findings, waived) for check in control.checks}
    result.check_status = {check: status for check, (status, _why) in statuses.items()}
    if populations is not None:
        population = populations.control(control.checks)
        result.resources_evaluated, result.resources_failed = population.resources, population.failed
        result.resources_excepted, result.resources_passed = population.excepted, population.passed
        result.population = population.lists
    else:  # a roll-up without resource numbering (one cluster of a fleet): counts from the coverage alone
        failed = set().union(*(coverage[c].failed_resources for c in control.checks if c in coverage))
        excepted = set().union(*(coverage[c].excepted_resources for c in control.checks if c in coverage)) - failed
        result.resources_evaluated = max((coverage[c].evaluated for c in control.checks if c in coverage), default=0)
        result.resources_failed, result.resources_excepted = len(failed), len(excepted)
        result.resources_passed = max(0, result.resources_evaluated - len(failed) - len(excepted))
    failing = sorted({i for check in control.checks for i in open_findings.get(check, ())})
    problems = [why for status, why in statuses.values() if status == "not-assessed" and why]
    exceptions = sorted({w for check in control.checks for w in waived.get(check, ())})
    if failing:
        result.status = "fail"
        result.findings = failing
    elif problems:
        result.status = "not-assessed"
        result.reason = "; ".join(problems)
    elif exceptions:
        result.status = "pass-with-exceptions"
        result.reason = f"every violation is covered by an approved exception ({len(exceptions)} in the exception register)"
    else:
        result.status = "pass"
    if exceptions:
        result.waivers = exceptions
    if control.automation == "partial" and result.passed:
        result.manual_evidence_pending = True
    return result


def roll_up(
    frameworks: Sequence[Framework],
    findings: Sequence[Finding],
    coverage: dict[str, CheckCoverage],
    populations: "Populations | None" = None,
) -> list[FrameworkResult]:
    """Control and framework status from the findings and what each check actually saw.

    A control passes only when every check behind it ran on a non-empty
    population and found nothing open; where the only violations are waived
    it is ``pass-with-exceptions`` and names the waivers.  ``populations``
    (resources numbered in result order) gives each control its population
    lists; without it the counts come from the coverage alone.
    """
    open_findings: dict[str, list[int]] = defaultdict(list)
    waived: dict[str, set[str]] = defaultdict(set)
    for index, finding in enumerate(findings):
        if finding.status in VIOLATION_STATUSES:  # a baselined finding is accepted debt, still a violation
            open_findings[finding.policy].append(index)
        elif finding.status == "waived" and finding.waiver:
            waived[finding.policy].add(finding.waiver)
    results = []
    for fw in frameworks:
        controls = [_control_result(c, fw, coverage, open_findings, waived, populations) for c in fw.controls]
        counts = {status: sum(1 for c in controls if c.status == status) for status in ("pass", "pass-with-exceptions", "fail", "not-assessed", "manual")}
        assessed = sum(counts[s] for s in ASSESSED_STATUSES)
        scored = fw.scoring == "score" and assessed > 0
        total = len(fw.controls) + len(fw.not_evidenced)
        by_automation = {level: [c for c in controls if c.automation == level] for level in AUTOMATION_LEVELS}
        results.append(
            FrameworkResult(
                id=fw.id,
                title=fw.title,
                version=fw.version,
                controls=controls,
                score=round(counts["pass"] / assessed, 4) if scored else None,
                score_with_exceptions=round((counts["pass"] + counts["pass-with-exceptions"]) / assessed, 4) if scored else None,
                coverage=round(assessed / total, 4) if total else 0.0,
                counts=counts,
                scoring=fw.scoring,
                scope={
                    "controls_total": total,
                    "in_scope": len(fw.controls),
                    "not_evidenced": len(fw.not_evidenced),
                    **{level: len(members) for level, members in by_automation.items()},
                    "assessed_automated": sum(1 for c in by_automation["automated"] if c.status in ASSESSED_STATUSES),
                    "assessed_partial": sum(1 for c in by_automation["partial"] if c.status in ASSESSED_STATUSES),
                },
                title_source=fw.title_source,
                not_evidenced=[n.to_dict() for n in fw.not_evidenced],
            )
        )
    return results

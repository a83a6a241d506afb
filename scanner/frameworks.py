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
from typing import Any, Iterable, Sequence

from .model import VIOLATION_STATUSES, ControlResult, Finding, FrameworkResult
from .policies import bundled_dir, display_path
from .sources.yaml_loader import DocumentError, load_user_yaml

BUNDLED_MAPPING_DIR = bundled_dir("mappings")
AUTOMATION_LEVELS = ("automated", "partial", "manual")


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


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    version: str
    file: Path
    controls: tuple[Control, ...]
    description: str | None = None
    url: str | None = None

    def check_ids(self) -> set[str]:
        return {c for control in self.controls for c in control.checks}


@dataclass
class CheckCoverage:
    """What the scan knows about one check, for the roll-up."""

    evaluated: int = 0  # resources of the check's kinds that were evaluated
    failed_resources: set[int] = field(default_factory=set)
    error: str | None = None  # why the check could not run, if it did not
    not_run: str | None = None  # why the check was deliberately not run (its --data is missing)
    not_collected: str | None = None  # kinds it needs that a cluster scan could not collect, and why


def _require(data: dict[str, Any], key: str, file: str, where: str) -> Any:
    value = data.get(key)
    if value in (None, "", []):
        raise FrameworkError(f"{file}: {where} is missing '{key}'")
    return value


def _scalar_text(value: Any, file: str, what: str) -> str:
    """An id or title written as text (or a number, e.g. a control "6.1" written 6.1 is kept as written)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FrameworkError(f"{file}: {what} must be text, not {type(value).__name__}")
    return str(value)


def load_framework(path: Path) -> Framework:
    name = display_path(path)
    try:
        data = load_user_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{name}: cannot read mapping: {str(exc).splitlines()[0]}") from None
    except DocumentError as exc:
        raise FrameworkError(f"{name}:{exc.line}: cannot read mapping: {exc.reason}" if exc.line else f"{name}: cannot read mapping: {exc.reason}") from None
    if not isinstance(data, dict):
        raise FrameworkError(f"{name}: a mapping file must be a YAML mapping")
    fid = _scalar_text(_require(data, "id", name, "the framework"), name, "the framework's id")
    controls: list[Control] = []
    seen: set[str] = set()
    raw_controls = _require(data, "controls", name, "the framework")
    if not isinstance(raw_controls, list):
        raise FrameworkError(f"{name}: 'controls' must be a list of controls, not {type(raw_controls).__name__}")
    for index, raw in enumerate(raw_controls, start=1):
        if not isinstance(raw, dict):
            raise FrameworkError(f"{name}: control #{index} must be a mapping")
        cid = _scalar_text(_require(raw, "id", name, f"control #{index}"), name, f"control #{index}: id")
        if cid in seen:
            raise FrameworkError(f"{name}: control {cid} is listed twice")
        seen.add(cid)
        automation = str(raw.get("automation", "automated"))
        if automation not in AUTOMATION_LEVELS:
            raise FrameworkError(f"{name}: control {cid}: automation must be one of {', '.join(AUTOMATION_LEVELS)}")
        raw_checks = raw.get("checks") or []
        if not isinstance(raw_checks, list) or not all(isinstance(c, str) and c for c in raw_checks):
            # A string here used to become one check id per character.
            raise FrameworkError(f"{name}: control {cid}: 'checks' must be a list of check ids, e.g. [privileged-containers], not {raw_checks!r}")
        checks = tuple(raw_checks)
        if automation != "manual" and not checks:
            raise FrameworkError(f"{name}: control {cid} is '{automation}' but names no checks")
        if automation == "manual" and checks:
            raise FrameworkError(f"{name}: control {cid} is 'manual' but names checks; use 'partial'")
        evidence = raw.get("manual_evidence")
        if automation in ("partial", "manual") and not evidence:
            raise FrameworkError(f"{name}: control {cid} is '{automation}' and must say what manual_evidence the auditor needs")
        controls.append(
            Control(cid, str(_require(raw, "title", name, f"control {cid}")), automation, checks, evidence, raw.get("description"), _optional_text(raw, "title_en", name, cid))
        )
    return Framework(
        id=fid,
        title=str(_require(data, "title", name, "the framework")),
        version=str(_require(data, "version", name, "the framework")),
        file=path,
        controls=tuple(controls),
        description=data.get("description"),
        url=data.get("url"),
    )


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


def _control_result(control: Control, coverage: dict[str, CheckCoverage], open_findings: dict[str, list[int]]) -> ControlResult:
    result = ControlResult(control.id, control.title, control.automation, "manual", list(control.checks), manual_evidence=control.manual_evidence, title_en=control.title_en)
    if control.automation == "manual":
        result.reason = "no automated check; human evidence needed"
        return result
    failing = sorted({i for check in control.checks for i in open_findings.get(check, ())})
    failed_resources = set().union(*(coverage[c].failed_resources for c in control.checks if c in coverage))
    result.resources_evaluated = sum(coverage[c].evaluated for c in control.checks if c in coverage)
    result.resources_failed = len(failed_resources)
    if failing:
        result.status = "fail"
        result.findings = failing
        return result
    problems = []
    for check in control.checks:
        cov = coverage.get(check)
        if cov is None:
            problems.append(f"{check} was not part of this scan")
        elif cov.error:
            problems.append(f"{check} could not run: {cov.error}")
        elif cov.not_run:
            problems.append(f"{check} {cov.not_run}")
        elif cov.not_collected:
            problems.append(f"{check} not assessed: {cov.not_collected}")
        elif cov.evaluated == 0:
            problems.append(f"{check} found no resources of its kinds in scope")
    if problems:
        result.status = "not-assessed"
        result.reason = "; ".join(problems)
    else:
        result.status = "pass"
    return result


def roll_up(
    frameworks: Sequence[Framework],
    findings: Sequence[Finding],
    coverage: dict[str, CheckCoverage],
) -> list[FrameworkResult]:
    """Control and framework status from the findings and what each check actually saw."""
    open_findings: dict[str, list[int]] = defaultdict(list)
    for index, finding in enumerate(findings):
        if finding.status in VIOLATION_STATUSES:  # a baselined finding is accepted debt, still a violation
            open_findings[finding.policy].append(index)
    results = []
    for fw in frameworks:
        controls = [_control_result(c, coverage, open_findings) for c in fw.controls]
        counts = {status: sum(1 for c in controls if c.status == status) for status in ("pass", "fail", "not-assessed", "manual")}
        assessed = counts["pass"] + counts["fail"]
        results.append(
            FrameworkResult(
                id=fw.id,
                title=fw.title,
                version=fw.version,
                controls=controls,
                score=round(counts["pass"] / assessed, 4) if assessed else None,
                coverage=round(assessed / len(controls), 4) if controls else 0.0,
                counts=counts,
            )
        )
    return results

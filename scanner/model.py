"""The values that flow between the stages of a scan.

Every stage (sources, engine, waivers, compliance, renderers) takes and returns
these plain dataclasses, so each can be tested alone and a saved ScanResult can
be rendered again without the inputs that produced it.  ``to_dict`` gives the
JSON form documented in docs/result-schema.md; optional fields that are unset
are left out so documents stay small and diff clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Iterator

SCHEMA_VERSION = "1.2"
# Results written by these schema majors can be read (report, diff); 1.1 added control
# populations, pass-with-exceptions and the whole-framework scope; 1.2 leaves out of each
# finding the title, remediation and controls its check has (docs/result-schema.md).
READABLE_SCHEMA_MAJORS = ("1",)
# Resource and origin dicts kept for sharing while findings are written (ScanResult.finding_dicts).
MEMO_LIMIT = 20_000
# Versions whose findings carry their check's title, remediation and controls each.
FULL_FINDINGS_VERSIONS = ("1.0", "1.1")

# Control statuses, from worst to best for an auditor.  ``pass-with-exceptions``: the
# only violations are covered by waivers; never shown as a plain pass.
CONTROL_STATUSES: tuple[str, ...] = ("fail", "not-assessed", "pass-with-exceptions", "pass", "manual")
ASSESSED_STATUSES: tuple[str, ...] = ("fail", "pass-with-exceptions", "pass")
PASSED_STATUSES: tuple[str, ...] = ("pass-with-exceptions", "pass")

# Ordered from most to least severe; the index is the sort key.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")

# Finding statuses that are still violations: they count against framework controls.
# Only "fail" trips --fail-on; "baselined" is accepted debt, "waived" an approved exception.
VIOLATION_STATUSES: tuple[str, ...] = ("fail", "baselined")


def severity_rank(severity: str) -> int:
    """Sort key: lower is more severe; unknown severities sort last."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        return len(SEVERITIES)


def shared_sort_key() -> Callable[[Any], tuple]:
    """``obj.sort_key()``, computed once per object (by identity) for as long as the returned function lives.

    Findings share their resource and origin objects (one identity per
    resource, one origin per line), so sorting or grouping tens of thousands
    of them computed the same keys over and over: half the sort at 40,000.
    The objects must outlive the function (ids are not reused meanwhile).
    """
    keys: dict[int, tuple] = {}

    def key(obj: Any) -> tuple:
        found = keys.get(id(obj))
        if found is None:
            found = keys[id(obj)] = obj.sort_key()
        return found

    return key


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass, looked up once per class (``fields()`` per object is slow)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _compact(obj: Any) -> dict[str, Any]:
    """Dataclass to dict without the optional fields that are unset."""
    out: dict[str, Any] = {}
    for name in _names(type(obj)):
        value = getattr(obj, name)
        if value is None:
            continue
        out[name] = value
    return out


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a resource came from.

    For manifests: ``path`` relative to the scan root, the 1-based ``document``
    index within the file, the 1-based ``line`` where the document starts and,
    for items of a ``kind: List``, the 0-based ``item`` index.  For clusters:
    ``context``, ``server`` and ``collected_at``.

    Rendered resources (Helm charts, Kustomize overlays) have type ``file``
    and ``rendered_from``, the chart or overlay they were rendered from;
    ``path`` is the source file they were mapped back to (the Helm template,
    the Kustomize resource file) or else the chart or overlay itself, and
    ``line`` is left unset wherever the rendered text has no line in that
    file (scanner/sources/render.py says what is mapped how).
    """

    type: str  # "file", "stdin" or "cluster"
    path: str | None = None
    document: int | None = None
    line: int | None = None
    item: int | None = None
    context: str | None = None
    server: str | None = None
    collected_at: str | None = None
    rendered_from: str | None = None  # chart or overlay path, for rendered resources

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: one origin per finding line, so this runs tens of thousands of times.
        out: dict[str, Any] = {"type": self.type}
        if self.path is not None:
            out["path"] = self.path
        if self.document is not None:
            out["document"] = self.document
        if self.line is not None:
            out["line"] = self.line
        if self.item is not None:
            out["item"] = self.item
        if self.context is not None:
            out["context"] = self.context
        if self.server is not None:
            out["server"] = self.server
        if self.collected_at is not None:
            out["collected_at"] = self.collected_at
        if self.rendered_from is not None:
            out["rendered_from"] = self.rendered_from
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Origin":
        get = data.get
        return cls(get("type"), get("path"), get("document"), get("line"), get("item"), get("context"), get("server"), get("collected_at"), get("rendered_from"))

    def sort_key(self) -> tuple:
        return (self.path or self.context or "", self.document or 0, self.item or 0, self.line or 0)

    def label(self) -> str:
        """Short human form: ``deploy/app.yaml:12`` or ``cluster prod-eu``."""
        if self.type == "cluster":
            return f"cluster {self.context or self.server or ''}".strip()
        where = self.path or "-"
        return f"{where}:{self.line}" if self.line else where


@dataclass(slots=True)
class Resource:
    """A Kubernetes object exactly as read (a plain dict) plus its origin."""

    obj: dict[str, Any]
    origin: Origin

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.obj.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def namespace(self) -> str | None:
        ns = self.metadata.get("namespace")
        return str(ns) if ns not in (None, "") else None

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or self.metadata.get("generateName") or "")

    def identity(self) -> "ResourceRef":
        return ResourceRef(self.api_version, self.kind, self.namespace, self.name, self.metadata.get("uid"))

    def keep_identity(self) -> None:
        """Let go of the object's content, keeping only what ``identity`` reads.

        After evaluation (findings, their lines, waivers and coverage made) a
        scan needs a resource only for its identity and kind; the parsed
        document is most of the scan's memory (about 4 KB a resource), and the
        roll-up and the reports come after.  The object is replaced, never
        changed: whoever else holds the dict keeps it whole.
        """
        obj = self.obj
        meta = obj.get("metadata")
        slim: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind") if k in obj}
        if isinstance(meta, dict):
            slim["metadata"] = {k: meta[k] for k in ("name", "generateName", "namespace", "uid") if k in meta}
        elif meta is not None:
            slim["metadata"] = meta
        self.obj = slim


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """The identity of a resource: apiVersion, kind, namespace, name (and uid from a cluster)."""

    apiVersion: str
    kind: str
    namespace: str | None
    name: str
    uid: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Spelled out (unset fields left out, as _compact does): one per finding and resource.
        out: dict[str, Any] = {}
        if self.apiVersion is not None:
            out["apiVersion"] = self.apiVersion
        if self.kind is not None:
            out["kind"] = self.kind
        if self.namespace is not None:
            out["namespace"] = self.namespace
        if self.name is not None:
            out["name"] = self.name
        if self.uid is not None:
            out["uid"] = self.uid
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ResourceRef":
        return cls(data.get("apiVersion", ""), data.get("kind", ""), data.get("namespace"), data.get("name", ""), data.get("uid"))

    def sort_key(self) -> tuple:
        return (self.kind, self.namespace or "", self.name, self.apiVersion)

    def label(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"


@dataclass(frozen=True)
class Policy:
    """One check: a Rego module with its package-scope METADATA."""

    id: str
    title: str
    description: str
    severity: str
    kinds: tuple[str, ...]  # explicit kinds, group names already expanded
    remediation: str
    package: str  # e.g. "kubecomply.pod_security.privileged"
    file: str  # path of the .rego file, for error messages
    references: dict[str, Any] = field(default_factory=dict)
    declared_kinds: tuple[str, ...] = ()  # as written, e.g. ("workloads",)
    bundled: bool = True
    requires_data: tuple[str, ...] = ()  # keys of data.kubecomply.config the check cannot run without
    cross_resource: bool = False  # reads data.inventory, so it sees only what the scan collected
    reads: tuple[str, ...] = ()  # kinds it looks up in data.inventory (custom.reads, plus reads_if_served)
    # Of those, the kinds many clusters do not serve at all (CRDs such as
    # CiliumNetworkPolicy): collected when served; their absence from API
    # discovery is a note, not a gap that would leave the check not assessed.
    reads_if_served: tuple[str, ...] = ()
    has_applies: bool = False  # defines ``applies``: only resources where it is true are in its population
    population: str | None = None  # the population in words (custom.population), for reports

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "severity": self.severity,
            "kinds": list(self.declared_kinds or self.kinds),
            "remediation": self.remediation,
            "references": self.references,
            "package": self.package,
            "file": self.file,
            "bundled": self.bundled,
            "requires_data": list(self.requires_data),
            "reads": list(self.reads),
            "reads_if_served": list(self.reads_if_served),
            "cross_resource": self.cross_resource,
        }


@dataclass(frozen=True, slots=True)
class Violation:
    """What the engine returns: one ``deny`` result of one check for one resource."""

    policy_id: str
    resource_index: int
    message: str
    path: tuple[Any, ...] | None = None  # field path as an array of keys and indexes
    details: dict[str, Any] | None = None  # any other keys the check returned


@dataclass
class Waiver:
    """An exception as code, from a waivers file or an inline annotation."""

    id: str
    check: str
    justification: str
    source: str  # "file:waivers.yaml#3" or "annotation"
    approved_by: str | None = None
    expires: str | None = None  # ISO date
    ticket: str | None = None
    match: dict[str, Any] | None = None
    status: str = "unused"  # applied, unused, expired, invalid (unusable inline annotation), refused (inline waivers denied)
    findings: int = 0
    problem: str | None = None  # why an invalid or refused waiver does not apply

    def to_dict(self) -> dict[str, Any]:
        return _compact(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Waiver":
        return cls(**{k: data[k] for k in (f.name for f in fields(cls)) if k in data})


@dataclass(slots=True)
class Finding:
    """One violation of one check by one resource, ready for every report."""

    policy: str
    severity: str
    title: str
    message: str
    resource: ResourceRef
    origin: Origin
    path: str | None = None  # dotted field path, e.g. spec.containers[0].image
    status: str = "fail"  # fail, waived, or baselined (accepted in a --baseline file; does not gate)
    controls: dict[str, list[str]] = field(default_factory=dict)
    waiver: str | None = None  # id of the waiver that applied
    remediation: str | None = None

    def sort_key(self, part: Callable[[Any], tuple] = lambda obj: obj.sort_key()) -> tuple:
        """Report order; ``part`` gives the resource's and origin's keys (scan.sorted_findings memoises them)."""
        return (severity_rank(self.severity), self.policy, part(self.resource), part(self.origin), self.path or "", self.message)

    def to_dict(self, check: "CheckInfo | None" = None, controls: dict[str, list[str]] | None = None, part: Callable[[Any], dict[str, Any]] | None = None) -> dict[str, Any]:
        """The finding's JSON; what it shares with its check is left out (schema 1.2).

        ``check`` is its check's catalogue entry and ``controls`` the controls
        the result's frameworks map its check to: a title, remediation or
        control map equal to those is not repeated in every finding (they were
        most of a findings-heavy result), and ``ScanResult.from_dict`` puts them
        back.  A finding whose own differ keeps them.  ``part`` turns the
        (shared) resource and origin into dicts, memoised by the caller.
        """
        to_dict = part or (lambda obj: obj.to_dict())
        out = {
            "policy": self.policy,
            "severity": self.severity,
            "message": self.message,
            "resource": to_dict(self.resource),
            "origin": to_dict(self.origin),
            "path": self.path,
            "status": self.status,
        }
        if check is None or self.title != check.title:
            out["title"] = self.title
        if controls is None or (self.controls is not controls and self.controls != controls):
            out["controls"] = self.controls
        if self.waiver is not None:
            out["waiver"] = self.waiver
        if self.remediation is not None and (check is None or self.remediation != check.remediation):
            out["remediation"] = self.remediation
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], check: "CheckInfo | None" = None, controls: dict[str, list[str]] | None = None) -> "Finding":
        """A finding from its JSON; title, remediation and controls it leaves out come from its check."""
        return cls(
            policy=data["policy"],
            severity=data["severity"],
            title=data["title"] if "title" in data else (check.title if check is not None else ""),
            message=data.get("message", ""),
            resource=ResourceRef.from_dict(data["resource"]),
            origin=Origin.from_dict(data["origin"]),
            path=data.get("path"),
            status=data.get("status", "fail"),
            controls=data["controls"] if "controls" in data else (controls if controls is not None else {}),
            waiver=data.get("waiver"),
            remediation=data["remediation"] if "remediation" in data else (check.remediation if check is not None else None),
        )


@dataclass
class CoverageGap:
    """Something the scan did not look at, and why.

    ``type`` is ``file`` (a file or document not parsed), ``kind`` (a resource
    kind not collected from ``cluster``), ``cluster`` (a cluster of a fleet that
    could not be read at all), ``resource`` (one collected object the engine
    could not take, e.g. holding NaN; ``cluster``, ``apiVersion``, ``kind``, and
    the object's name in ``reason``) or ``check`` (a check that could not run).
    """

    type: str
    reason: str
    path: str | None = None
    line: int | None = None
    document: int | None = None
    check: str | None = None
    cluster: str | None = None
    apiVersion: str | None = None
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _compact(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CoverageGap":
        return cls(**{k: data[k] for k in (f.name for f in fields(cls)) if k in data})

    def sort_key(self) -> tuple:
        return (self.type, self.cluster or "", self.path or "", self.line or 0, self.check or "", self.kind or "", self.reason)

    def label(self) -> str:
        if self.type == "file":
            where = f"{self.path}:{self.line}" if self.line else (self.path or "-")
            return f"{where}: {self.reason}"
        if self.type == "check":
            return f"check {self.check}: {self.reason}"
        if self.type == "cluster":
            return f"cluster {self.cluster}: {self.reason}"
        where = f"cluster {self.cluster}: " if self.cluster else ""
        return f"{where}{' '.join(p for p in (self.apiVersion, self.kind) if p)}: {self.reason}"


@dataclass
class ControlResult:
    """The status of one framework control after a scan."""

    id: str
    title: str
    automation: str  # automated, partial, manual
    status: str  # one of CONTROL_STATUSES
    checks: list[str] = field(default_factory=list)
    reason: str | None = None
    manual_evidence: str | None = None
    findings: list[int] = field(default_factory=list)  # indexes into ScanResult.findings
    # Population, in distinct resources (one unit everywhere): in the population of any of the
    # control's checks, and of those with an open violation, with waived violations only, and clean.
    resources_evaluated: int = 0
    resources_failed: int = 0
    resources_excepted: int = 0
    resources_passed: int = 0
    title_en: str | None = None  # English label when the title is in another language (ISMS-P)
    description: str | None = None  # the mapping's rationale: why these checks evidence this control
    title_source: str | None = None  # "paraphrase" when the title is not the framework's own wording
    manual_evidence_pending: bool | None = None  # partial control whose automated part passed
    waivers: list[str] = field(default_factory=list)  # exception register ids behind pass-with-exceptions
    check_status: dict[str, str] = field(default_factory=dict)  # check id -> its own status for this control
    # Indexes into ScanResult.resources by outcome ("fail", "excepted", "pass"): the population, re-performable.
    population: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = _compact(self)
        for empty in ("waivers", "check_status", "population"):
            if not out.get(empty):
                out.pop(empty, None)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ControlResult":
        return cls(**{k: data[k] for k in (f.name for f in fields(cls)) if k in data})

    @property
    def passed(self) -> bool:
        return self.status in PASSED_STATUSES

    def status_label(self) -> str:
        """The status as every format words it: a partial control's pass says manual evidence is pending."""
        return f"{self.status} (manual evidence pending)" if self.manual_evidence_pending else self.status


@dataclass
class FrameworkResult:
    """Per-framework roll-up: scores over assessed controls, coverage over the whole framework.

    ``score``: pass / assessed (assessed: pass, pass-with-exceptions, fail);
    ``score_with_exceptions``: (pass + pass-with-exceptions) / assessed; both None
    when nothing was assessed or the framework is risk-based (``scoring: counts``).
    ``coverage``: assessed / every control of the framework, including those this
    tool does not evidence; ``scope`` breaks that down.
    """

    id: str
    title: str
    version: str
    controls: list[ControlResult]
    score: float | None
    coverage: float
    counts: dict[str, int] = field(default_factory=dict)
    score_with_exceptions: float | None = None
    scoring: str = "score"  # "counts": risk-based, status counts only, never a percentage
    scope: dict[str, int] = field(default_factory=dict)  # controls_total, in_scope, not_evidenced, automated, partial, manual, assessed_automated, assessed_partial
    title_source: str | None = None  # "paraphrase": control titles are our own wording
    not_evidenced: list[dict[str, Any]] = field(default_factory=list)  # controls this tool does not evidence, with the reason

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "score": self.score,
            "score_with_exceptions": self.score_with_exceptions,
            "scoring": self.scoring,
            "coverage": self.coverage,
            "counts": self.counts,
            "controls": [c.to_dict() for c in self.controls],
        }
        if self.scope:
            out["scope"] = self.scope
        if self.title_source:
            out["title_source"] = self.title_source
        if self.not_evidenced:
            out["not_evidenced"] = self.not_evidenced
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FrameworkResult":
        return cls(
            id=data["id"],
            title=data.get("title", ""),
            version=data.get("version", ""),
            controls=[ControlResult.from_dict(c) for c in data.get("controls", [])],
            score=data.get("score"),
            coverage=data.get("coverage", 0.0),
            counts=data.get("counts", {}),
            score_with_exceptions=data.get("score_with_exceptions", data.get("score")),
            scoring=data.get("scoring", "score"),
            scope=data.get("scope", {}),
            title_source=data.get("title_source"),
            not_evidenced=data.get("not_evidenced", []),
        )


@dataclass
class CheckInfo:
    """One check as the reports describe it, so a saved result renders without the policies.

    ``applies_to`` is the explicit kinds the check evaluates (groups such as
    ``workloads`` expanded; ``["*"]`` for every kind): with ``resources`` it
    tells a report which resources each check evaluated.
    """

    id: str
    title: str
    severity: str
    description: str = ""
    remediation: str = ""
    references: dict[str, Any] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)  # as declared, e.g. ["workloads"]
    applies_to: list[str] = field(default_factory=list)
    package: str | None = None
    bundled: bool = True
    resources_evaluated: int = 0  # distinct resources in its population (its kinds, narrowed by its ``applies`` rule)
    resources_failed: int = 0
    resources_excepted: int = 0  # resources whose only violations of this check are waived
    resources_not_applicable: int = 0  # resources of its kinds outside its population
    population: str | None = None  # what the population is, in words (METADATA custom.population)
    # The population itself: outcome ("fail", "excepted", "pass") -> inclusive index ranges into ScanResult.resources.
    # Empty: an empty population; None: a result written before populations were recorded.
    population_ranges: dict[str, list[list[int]]] | None = None
    error: str | None = None  # why the check could not run
    not_run: str | None = None  # why the check was deliberately not run (e.g. its --data is missing)
    not_collected: str | None = None  # kinds it needs that a cluster scan could not collect, and why
    scope: str | None = None  # for cross-resource checks: what they could see ("files", "cluster")

    def to_dict(self) -> dict[str, Any]:
        return _compact(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CheckInfo":
        return cls(**{k: data[k] for k in (f.name for f in fields(cls)) if k in data})

    def evaluates(self, kind: str) -> bool:
        return "*" in self.applies_to or kind in self.applies_to


@dataclass(frozen=True, slots=True)
class ScannedResource:
    """A resource that was in scope: its identity and where it came from, never its content."""

    resource: ResourceRef
    origin: Origin
    outcomes: dict[str, int] | None = None  # checks by outcome on this resource: fail, excepted, pass, not-applicable

    def to_dict(self) -> dict[str, Any]:
        out = {**self.resource.to_dict(), "origin": self.origin.to_dict()}
        if self.outcomes is not None:
            out["outcomes"] = self.outcomes
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ScannedResource":
        return cls(ResourceRef.from_dict(data), Origin.from_dict(data.get("origin", {"type": "file"})), data.get("outcomes"))

    def sort_key(self) -> tuple:
        return (self.resource.sort_key(), self.origin.sort_key())


@dataclass
class ScanResult:
    """The one document every renderer reads."""

    scan: dict[str, Any]
    summary: dict[str, Any]
    findings: list[Finding]
    gaps: list[CoverageGap]
    frameworks: list[FrameworkResult]
    waivers: list[Waiver]
    schema_version: str = SCHEMA_VERSION
    checks: list[CheckInfo] = field(default_factory=list)  # the evaluated checks; absent in older results
    resources: list[ScannedResource] = field(default_factory=list)  # resources in scope; absent in older results
    baseline: dict[str, Any] | None = None  # with --baseline: file, digest, entries, matched, new, resolved
    gates: list[dict[str, Any]] = field(default_factory=list)  # the exit gates evaluated and whether each tripped
    fleet: dict[str, Any] | None = None  # several clusters in one scan: per-cluster summaries, control x cluster

    def finding_dicts(self) -> Iterator[dict[str, Any]]:
        """The findings' JSON, one at a time, without what their check already says (schema 1.2).

        Findings share their resource identity and origin objects (one per
        resource, one per line): each is turned into a dict once and the dict
        is shared, which the JSON encoders write like any other.
        """
        lean = self.schema_version not in FULL_FINDINGS_VERSIONS  # an older result read back is written as it was
        checks = {c.id: c for c in self.checks} if lean else {}
        controls = check_controls(self.frameworks) if lean else {}
        # By id (the objects stay alive in self.findings meanwhile); emptied now and then, so a
        # streamed writer's memory does not grow with the findings (origins are one per line).
        memo: dict[int, dict[str, Any]] = {}

        def part(obj: Any) -> dict[str, Any]:
            key = id(obj)
            found = memo.get(key)
            if found is None:
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                found = memo[key] = obj.to_dict()
            return found

        no_controls: dict[str, list[str]] = {}
        for f in self.findings:
            yield f.to_dict(checks.get(f.policy), controls.get(f.policy, no_controls) if lean else None, part)

    def resource_dicts(self) -> Iterator[dict[str, Any]]:
        """The scanned resources' JSON, one at a time (a streamed writer never holds them all as dicts)."""
        for r in self.resources:
            yield r.to_dict()

    def to_dict(self, with_findings: bool = True) -> dict[str, Any]:
        """The JSON document (docs/result-schema.md); ``with_findings=False``: ``findings`` empty."""
        return self.document(list(self.finding_dicts()) if with_findings else [], [r.to_dict() for r in self.resources])

    def document(self, findings: Any, resources: Any) -> dict[str, Any]:
        """The JSON document's top level with the given ``findings`` and ``resources`` values.

        ``to_dict`` passes lists; a streamed writer passes what makes them one
        at a time (``finding_dicts``, ``resource_dicts``), because those two
        are most of a large result; ``resources`` is left out when the result
        has none.  Every other part is the
        model's own objects, not copies: controls sharing a population share
        its lists here too.
        """
        return {
            "schema_version": self.schema_version,
            "scan": self.scan,
            "summary": self.summary,
            "findings": findings,
            "gaps": [g.to_dict() for g in self.gaps],
            "frameworks": [fw.to_dict() for fw in self.frameworks],
            "waivers": [w.to_dict() for w in self.waivers],
            **({"checks": [c.to_dict() for c in self.checks]} if self.checks else {}),
            **({"resources": resources} if self.resources else {}),
            **({"baseline": self.baseline} if self.baseline is not None else {}),
            **({"gates": self.gates} if self.gates else {}),
            **({"fleet": self.fleet} if self.fleet is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ScanResult":
        """A result from its JSON, any readable schema version.

        1.2 findings leave out the title, remediation and controls their check
        has (``checks``, and the frameworks' controls): they are put back here,
        so every renderer sees whole findings whichever version was read.
        """
        checks = [CheckInfo.from_dict(c) for c in data.get("checks", [])]
        frameworks = [FrameworkResult.from_dict(f) for f in data.get("frameworks", [])]
        by_id = {c.id: c for c in checks}
        controls = check_controls(frameworks)
        return cls(
            schema_version=data.get("schema_version", SCHEMA_VERSION),
            scan=data.get("scan", {}),
            summary=data.get("summary", {}),
            findings=[Finding.from_dict(f, by_id.get(f.get("policy")), controls.get(f.get("policy"), {})) for f in data.get("findings", [])],
            gaps=[CoverageGap.from_dict(g) for g in data.get("gaps", [])],
            frameworks=frameworks,
            waivers=[Waiver.from_dict(w) for w in data.get("waivers", [])],
            checks=checks,
            resources=[ScannedResource.from_dict(r) for r in data.get("resources", [])],
            baseline=data.get("baseline"),
            gates=data.get("gates", []),
            fleet=data.get("fleet"),
        )


def check_controls(frameworks: list[FrameworkResult]) -> dict[str, dict[str, list[str]]]:
    """check id -> {framework id: [control ids]}, in framework and control order.

    The same map the pipeline gives each finding (compliance.frameworks.
    controls_by_check over the mappings): the roll-up keeps every control and
    its checks in mapping order, so a saved result rebuilds it exactly.
    """
    out: dict[str, dict[str, list[str]]] = {}
    for fw in frameworks:
        for control in fw.controls:
            for check in control.checks:
                out.setdefault(check, {}).setdefault(fw.id, []).append(control.id)
    return out

"""OSCAL output: Assessment Results for a result or a period, and a Component Definition for the checks.

The documents are built from compliance-trestle's OSCAL models, not from
hand-written dicts, so every document is validated by the library as it is
made (a wrong field name or a malformed UUID is an error here, not in an
auditor's tool).  trestle 3.x is pinned because it writes OSCAL 1.1.3, the
version GRC tools read today; 4.x and later write 1.2.
trestle is heavy (it pulls paramiko, openpyxl, ...), so it is an optional
extra (``pip install 'kubecomply[oscal]'``) imported only here.

How kubecomply maps onto OSCAL:

- one ``result`` per scan, with the scan's provenance (subject, source, tool,
  engine, policy bundle, result digest, git commits, clusters) as ``props``;
- one ``observation`` per check and resource with findings (its field paths,
  finding status and waiver as props), plus one per check saying how many
  resources it evaluated, so passing evidence is there too;
- one ``finding`` per framework control, its ``target`` the control with an
  objective status: ``satisfied`` only for passed statuses (``pass``,
  ``pass-with-exceptions``), ``not-satisfied`` for everything else, with reason
  ``fail`` for failures and ``other`` for not assessed or manual; kubecomply's
  own status string is kept verbatim in the ``control-status`` prop, so a round
  trip keeps every status, including ones OSCAL has no word for.

Control ids such as ``Art. 32(1)(b)`` are not OSCAL tokens, so the target id
is a token derived from framework and control (``control_token``) and the id as
the framework writes it is in the ``control-id`` prop.  UUIDs are version 5,
derived from the result digest and the item, so rendering a result twice gives
the same document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections import defaultdict
from typing import Any, Sequence

from ..evidence import statuses
from ..evidence.provenance import provenance
from ..evidence.timeutil import parse_time

NS = "https://kubecomply.io/ns/oscal"
UUID_NS = uuid.UUID("5b0d8f8e-6a43-4c6e-9d55-1a0c2f7e9b31")
TOKEN_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


class OscalError(Exception):
    """OSCAL output cannot be written; ``str()`` is one line."""


def _trestle():
    try:
        from trestle.oscal import OSCAL_VERSION, assessment_results, common, component
    except ImportError:
        raise OscalError("-f oscal and --oscal-component need compliance-trestle: pip install 'kubecomply[oscal]'") from None
    return OSCAL_VERSION, assessment_results, common, component


def control_token(framework: str, control: str) -> str:
    """An OSCAL token for a framework's control: ``soc2_CC6.1``, ``gdpr_Art._32_1_b``."""
    slug = TOKEN_BAD.sub("_", control).strip("_") or "control"
    return f"{TOKEN_BAD.sub('_', framework)}_{slug}"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(UUID_NS, "\x1f".join(parts)))


def _props(common: Any, pairs: Sequence[tuple[str, Any]]) -> list[Any] | None:
    """Properties in kubecomply's namespace; empty values are left out (OSCAL forbids them)."""
    out = []
    for name, value in pairs:
        text = " ".join(str(value).split()) if value is not None else ""  # OSCAL values are one line
        if text:
            out.append(common.Property(name=name, value=text, ns=NS))
    return out or None


def _when(value: str | None, fallback: dt.datetime) -> dt.datetime:
    return parse_time(value) if value else fallback


def _result(doc: dict[str, Any], digest: str, extra: Sequence[tuple[str, Any]], ar: Any, common: Any) -> Any:
    scan = doc.get("scan") or {}
    prov = provenance(scan)
    started = _when(scan.get("started"), dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    finished = _when(scan.get("finished"), started)
    findings = doc.get("findings") or []

    observations, obs_for_finding = [], {}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, f in enumerate(findings):
        r = f.get("resource") or {}
        groups[(f.get("policy"), r.get("apiVersion"), r.get("kind"), r.get("namespace"), r.get("name"))].append(index)
    for key, indexes in groups.items():
        check, api_version, kind, namespace, name = key
        oid = _uuid(digest, "observation", *(str(k) for k in key))
        first = findings[indexes[0]]
        where = f"{kind} {namespace + '/' if namespace else ''}{name}"
        origin = first.get("origin") or {}
        observations.append(common.Observation(
            uuid=oid,
            title=f"{check}: {where}",
            description="; ".join(findings[i].get("message", "") for i in indexes) or f"{check} reported {where}",
            props=_props(common, [
                ("check", check), ("severity", first.get("severity")), ("resource-api-version", api_version), ("resource-kind", kind),
                ("resource-namespace", namespace), ("resource-name", name),
                ("finding-status", ",".join(sorted({findings[i].get("status", "fail") for i in indexes}))),
                ("waiver", ",".join(sorted({findings[i]["waiver"] for i in indexes if findings[i].get("waiver")}))),
                ("file", origin.get("path")), ("cluster", origin.get("context")),
                *(("field-path", findings[i].get("path")) for i in indexes),
            ]),
            methods=["TEST"],
            types=["finding"],
            collected=started,
        ))
        for i in indexes:
            obs_for_finding[i] = oid
    for check in doc.get("checks") or []:
        note = check.get("error") or check.get("not_run")
        observations.append(common.Observation(
            uuid=_uuid(digest, "check", check["id"]),
            title=f"{check['id']}: evaluated {check.get('resources_evaluated', 0)} resource(s)",
            description=note or f"{check.get('title') or check['id']} evaluated {check.get('resources_evaluated', 0)} resource(s)",
            props=_props(common, [("check", check["id"]), ("resources-evaluated", check.get("resources_evaluated", 0)), ("check-error", check.get("error")), ("check-not-run", check.get("not_run"))]),
            methods=["TEST"],
            collected=started,
        ))

    oscal_findings, selected = [], []
    for fw in doc.get("frameworks") or []:
        for control in fw.get("controls") or []:
            status = control.get("status") or "unknown"
            token = control_token(fw["id"], control["id"])
            selected.append(common.SelectControlById(control_id=token))
            state = "satisfied" if statuses.passed(status) else "not-satisfied"
            reason = "pass" if statuses.passed(status) else ("fail" if statuses.failed(status) else "other")
            related = sorted({obs_for_finding[i] for i in control.get("findings") or [] if i in obs_for_finding})
            oscal_findings.append(common.Finding(
                uuid=_uuid(digest, "finding", fw["id"], control["id"]),
                title=f"{fw.get('title') or fw['id']} {control['id']}: {status}",
                description=control.get("title") or control["id"],
                props=_props(common, [
                    ("framework", fw["id"]), ("framework-version", fw.get("version")), ("control-id", control["id"]), ("control-status", status),
                    ("automation", control.get("automation")), ("checks", ",".join(control.get("checks") or [])),
                    ("resources-evaluated", control.get("resources_evaluated")), ("resources-failed", control.get("resources_failed")),
                ]),
                target=common.FindingTarget(
                    type="objective-id", target_id=token, title=control.get("title") or None,
                    status=common.ObjectiveStatus(state=state, reason=reason, remarks=control.get("reason") or control.get("manual_evidence") or None),
                ),
                related_observations=[common.RelatedObservation(observation_uuid=o) for o in related] or None,
                remarks=control.get("reason") or None,
            ))
    if not selected:
        raise OscalError("the result rolls up into no framework; OSCAL findings are per control, so there is nothing to write")
    subject_props = [
        ("subject", prov["subject"]), ("source", prov.get("source")), ("tool", prov.get("tool")), ("tool-version", prov.get("version")),
        ("engine", prov.get("engine")), ("engine-version", prov.get("engine_version")), ("policy-bundle", prov.get("policy_bundle")),
        ("result-digest", digest), *(("git-commit", c) for c in prov.get("git_commits", [])),
        *(("cluster", f"{c.get('context', '')} {c.get('server', '')}".strip()) for c in prov.get("clusters", [])),
        ("open-findings", sum(1 for f in findings if f.get("status") == "fail")), ("gaps", len(doc.get("gaps") or [])),
        *extra,
    ]
    return ar.Result(
        uuid=_uuid(digest, "result"),
        title=f"kubecomply scan of {prov['subject']}",
        description=f"Automated policy checks ({len(doc.get('checks') or [])} checks) of {prov['subject']}, started {scan.get('started', '?')}; result {digest}.",
        start=started,
        end=finished,
        props=_props(common, subject_props),
        reviewed_controls=common.ReviewedControls(control_selections=[common.ControlSelection(include_controls=selected)]),
        observations=observations or None,
        findings=oscal_findings,
    )


def assessment_results(items: Sequence[tuple[dict[str, Any], str, Sequence[tuple[str, Any]]]], title: str) -> Any:
    """Assessment Results over (result document, digest, extra props) items, one OSCAL result each."""
    version, ar, common, _ = _trestle()
    if not items:
        raise OscalError("no results to write")
    results = [_result(doc, digest, extra, ar, common) for doc, digest, extra in items]
    last = max(r.end or r.start for r in results)
    tool_version = (items[-1][0].get("scan") or {}).get("version") or "unknown"
    return ar.AssessmentResults(
        uuid=_uuid(*(digest for _, digest, _ in items), "assessment-results"),
        metadata=common.Metadata(title=title, last_modified=last, version=tool_version, oscal_version=version),
        import_ap=ar.ImportAp(href="#kubecomply-implicit-assessment-plan", remarks="No separate assessment plan: the checks and framework mappings named by each result's policy-bundle digest are the plan."),
        results=results,
    )


def render_assessment_results(items: Sequence[tuple[dict[str, Any], str, Sequence[tuple[str, Any]]]], title: str) -> str:
    return assessment_results(items, title).oscal_serialize_json(pretty=True, wrapped=True) + "\n"


def render_component_definition(frameworks: Sequence[dict[str, Any]], checks: Sequence[dict[str, Any]], tool_version: str) -> str:
    """A Component Definition: the checks as one validation component, implementing each mapped control.

    ``bundle`` (a digest of the checks and mappings given) seeds the UUIDs, so the
    same checks and mappings give the same UUIDs and a changed mapping new ones.
    """
    version, _, common, component = _trestle()
    bundle = "sha256:" + hashlib.sha256(json.dumps([list(frameworks), list(checks)], sort_keys=True, default=str).encode()).hexdigest()
    implementations = []
    for fw in frameworks:
        requirements = []
        for control in fw["controls"]:
            if not control["checks"]:
                continue  # a manual control: no check implements it
            requirements.append(component.ImplementedRequirement(
                uuid=_uuid(bundle, "requirement", fw["id"], control["id"]),
                control_id=control_token(fw["id"], control["id"]),
                description=f"{control['title']}: evidenced by {', '.join(control['checks'])} ({control['automation']}).",
                props=_props(common, [("control-id", control["id"]), ("automation", control["automation"]), *(("check", c) for c in control["checks"])]),
            ))
        if requirements:
            implementations.append(component.ControlImplementation(
                uuid=_uuid(bundle, "implementation", fw["id"]),
                source=fw.get("url") or f"#{fw['id']}",
                description=f"{fw['title']} {fw.get('version', '')}".strip(),
                props=_props(common, [("framework", fw["id"]), ("framework-version", fw.get("version"))]),
                implemented_requirements=requirements,
            ))
    definition = component.ComponentDefinition(
        uuid=_uuid(bundle, "component-definition"),
        metadata=common.Metadata(title="kubecomply checks", last_modified=dt.datetime.now(dt.timezone.utc).replace(microsecond=0), version=tool_version, oscal_version=version,
                                 props=_props(common, [("mapping-digest", bundle)])),
        components=[component.DefinedComponent(
            uuid=_uuid(bundle, "component"),
            type="validation",
            title="kubecomply policy checks",
            description=f"{len(checks)} Rego checks evaluated against Kubernetes resources: " + ", ".join(c["id"] for c in checks),
            props=_props(common, [("check", c["id"]) for c in checks]),
            control_implementations=implementations or None,
        )],
    )
    return definition.oscal_serialize_json(pretty=True, wrapped=True) + "\n"

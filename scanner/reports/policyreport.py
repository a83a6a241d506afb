"""PolicyReport YAML (``wgpolicyk8s.io/v1alpha2``, the Kubernetes Policy Working Group's report API).

A multi-document YAML: one ``PolicyReport`` per namespace and one
``ClusterPolicyReport`` for cluster-scoped resources, ready for
``kubectl apply -f`` on a cluster that has the CRDs (Kyverno, Policy Reporter
and others install them) or for tools that read the format.

Fields follow the v1alpha2 ``PolicyReportResult`` type of
kubernetes-sigs/wg-policy-prototypes:

- ``source`` is ``kubecomply``; ``policy`` and ``rule`` are the check id (a
  Rego check has one ``deny`` rule, so the check is both);
- ``result``: ``fail`` for an open finding, ``skip`` for a waived one (the
  waiver in ``properties``), ``pass`` for a resource the check evaluated with
  no finding (when the result lists the resources in scope), ``error`` for a
  resource of a check that could not run;
- ``severity``: ours are exactly the API's enum (critical, high, medium, low, info);
- ``resources``: one ObjectReference, with ``fieldPath`` set to the offending field;
- ``properties`` (string to string): one key per framework id whose value is
  the control ids (``; `` separated), plus file, line and waiver details;
- ``timestamp``: the scan's finish time (from the result, so two renders diff clean);
- ``summary``: counts of pass, fail, warn, error and skip in that report.

A namespaced resource written without ``metadata.namespace`` goes into the
``default`` namespace's report (where ``kubectl apply`` would put it) with
``properties.namespaceDefaulted: "true"``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

from ..model import CheckInfo, Finding, ResourceRef, ScanResult, shared_sort_key
from .sarif import catalogue

API_VERSION = "wgpolicyk8s.io/v1alpha2"
REPORT_NAME = "kubecomply"
SEVERITY_ENUM = ("critical", "high", "medium", "low", "info")
RESULT_ORDER = {"fail": 0, "error": 1, "skip": 2, "warn": 3, "pass": 4}

# Built-in kinds that are not namespaced (kubectl api-resources --namespaced=false).
CLUSTER_SCOPED = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus",
    "CSIDriver", "CSINode", "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingWebhookConfiguration",
    "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration",
    "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration", "VolumeAttachment", "ClusterPolicyReport", "ClusterIssuer",
})


def _scope(ref: ResourceRef) -> tuple[str | None, bool]:
    """(namespace of the report or None for the cluster report, whether the namespace was defaulted)."""
    if ref.namespace:
        return ref.namespace, False
    if ref.kind in CLUSTER_SCOPED:
        return None, False
    return "default", True


def _timestamp(value: str | None) -> dict[str, int] | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return {"seconds": int(moment.timestamp()), "nanos": 0}


def _object_ref(ref: ResourceRef, field_path: str | None = None) -> dict[str, str]:
    out = {"apiVersion": ref.apiVersion, "kind": ref.kind, "name": ref.name}
    if ref.namespace:
        out["namespace"] = ref.namespace
    if ref.uid:
        out["uid"] = ref.uid
    if field_path:
        out["fieldPath"] = field_path
    return out


def _category(check: CheckInfo | None) -> str | None:
    """The check's area from its package (kubecomply.pod_security.x -> Pod Security)."""
    if not check or not check.package:
        return None
    parts = check.package.split(".")
    return parts[1].replace("_", " ").title() if len(parts) >= 3 else None


def _control_properties(controls: dict[str, list[str]]) -> dict[str, str]:
    return {fw: "; ".join(ids) for fw, ids in sorted(controls.items()) if ids}


def _base(check_id: str, check: CheckInfo | None, severity: str, stamp: dict[str, int] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"source": "kubecomply", "policy": check_id, "rule": check_id}
    category = _category(check)
    if category:
        out["category"] = category
    if severity in SEVERITY_ENUM:
        out["severity"] = severity
    out["scored"] = True
    if stamp:
        out["timestamp"] = stamp  # shared: the emitter below writes no anchors
    return out


def _finding_result(f: Finding, check: CheckInfo | None, stamp, justifications: dict[str, str], defaulted: bool) -> dict[str, Any]:
    out = _base(f.policy, check, f.severity, stamp)
    out["result"] = "skip" if f.status == "waived" else "fail"
    out["message"] = f.message
    out["resources"] = [_object_ref(f.resource, f.path)]
    props = _control_properties(f.controls)
    if f.origin.type in ("file", "stdin") and f.origin.path:
        props["file"] = f.origin.path
        if f.origin.line:
            props["line"] = str(f.origin.line)
    if f.waiver:
        props["waiver"] = f.waiver
        if justifications.get(f.waiver):
            props["waiverJustification"] = justifications[f.waiver]
    if defaulted:
        props["namespaceDefaulted"] = "true"
    if props:
        out["properties"] = props
    return out


def _control_map(result: ScanResult) -> dict[str, dict[str, list[str]]]:
    """check -> framework -> control ids, from the framework roll-up."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for fw in result.frameworks:
        for control in fw.controls:
            for check in control.checks:
                out[check][fw.id].append(control.id)
    return out


def to_policy_reports(result: ScanResult) -> list[dict[str, Any]]:
    """One report per namespace (and one for the cluster scope), results in a stable order.

    A pass result per check and resource makes these large (82 checks over
    10,000 resources is most of a million results), so what a result shares
    is built once and shared: a resource's scope, sort key and object
    reference, a check's fields and control properties, the timestamp.
    """
    checks = {c.id: c for c in catalogue(result)}
    stamp = _timestamp(result.scan.get("finished"))
    justifications = {w.id: w.justification for w in result.waivers}
    controls = _control_map(result)
    reports: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    failed_or_waived: set[tuple] = set()
    sort_key = shared_sort_key()  # findings of one resource share its ResourceRef

    for f in result.findings:
        namespace, defaulted = _scope(f.resource)
        reports[namespace].append(_finding_result(f, checks.get(f.policy), stamp, justifications, defaulted))
        failed_or_waived.add((f.policy, sort_key(f.resource)))

    # Resources each check evaluated without a finding pass it (or error, if the check could not run).
    if result.checks and result.resources:
        scanned = []  # (kind, sort key, namespace, defaulted, object reference), once per resource
        for item in result.resources:
            ref = item.resource
            namespace, defaulted = _scope(ref)
            scanned.append((ref.kind, sort_key(ref), namespace, defaulted, [_object_ref(ref)]))
        seen: set[tuple] = set()
        for check in result.checks:
            base = _base(check.id, check, check.severity, stamp)
            if check.error:
                base["result"] = "error"
                base["message"] = f"check could not run: {check.error}"
            else:
                base["result"] = "pass"
                base["message"] = f"{check.title}: no violation"
            props = _control_properties(controls.get(check.id, {}))
            props_defaulted = {**props, "namespaceDefaulted": "true"}
            for kind, ref_key, namespace, defaulted, resources in scanned:
                key = (check.id, ref_key)
                if not check.evaluates(kind) or key in failed_or_waived or key in seen:
                    continue
                seen.add(key)
                out = {**base, "resources": resources}
                if defaulted:
                    out["properties"] = props_defaulted
                elif props:
                    out["properties"] = props
                reports[namespace].append(out)

    resource_keys: dict[int, tuple] = {}

    def resource_key(ref: dict[str, str]) -> tuple:
        found = resource_keys.get(id(ref))
        if found is None:
            found = resource_keys[id(ref)] = tuple(sorted(ref.items()))
        return found

    documents = []
    for namespace in sorted(reports, key=lambda n: (n is None, n or "")):
        results = sorted(
            reports[namespace],
            key=lambda r: (
                RESULT_ORDER.get(r["result"], 9), r["policy"],
                resource_key(r["resources"][0]), r.get("message", ""),
            ),
        )
        summary = {k: 0 for k in ("pass", "fail", "warn", "error", "skip")}
        for r in results:
            summary[r["result"]] += 1
        metadata: dict[str, Any] = {"name": REPORT_NAME if namespace else f"{REPORT_NAME}-cluster"}
        if namespace:
            metadata["namespace"] = namespace
        metadata |= {
            "labels": {"app.kubernetes.io/managed-by": "kubecomply"},
            "annotations": {
                k: str(v)
                for k, v in (
                    ("kubecomply.io/policy-bundle", result.scan.get("policy_bundle")),
                    ("kubecomply.io/version", result.scan.get("version")),
                    ("kubecomply.io/scanned-at", result.scan.get("finished")),
                )
                if v
            },
        }
        documents.append({
            "apiVersion": API_VERSION,
            "kind": "PolicyReport" if namespace else "ClusterPolicyReport",
            "metadata": metadata,
            "summary": summary,
            "results": results,
        })
    return documents


# A string YAML reads back as the same string when written bare; anything else is double-quoted.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./@-]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null"}
# Characters a YAML double-quoted scalar must carry as escapes (JSON already escapes C0 controls).
_YAML_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


@lru_cache(maxsize=1 << 16, typed=True)  # typed: True and 1 are different scalars
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = "" if value is None else str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # JSON's escapes are valid YAML double-quoted escapes
    return _YAML_ESCAPE.sub(lambda m: "\\ufffd" if 0xD800 <= ord(m.group()) <= 0xDFFF else f"\\u{ord(m.group()):04x}", quoted)


def _emit(value: Any, indent: int, out: list[str], shared: dict[tuple[int, int], list[str]] | None = None, top: bool = True) -> None:
    """Block-style YAML for the plain dicts, lists and scalars of a report (PyYAML's emitter
    took 14-34 s for a 3,000-resource scan; this takes well under one).

    ``shared`` keeps the lines of each dict and list inside ``value`` already
    written, by object and indent: results share a check's properties, a
    resource's reference and the timestamp, whose lines are the same every time.
    """
    cache = shared is not None and not top
    if cache:
        key = (id(value), indent)
        lines = shared.get(key)
        if lines is not None:
            out.extend(lines)
            return
        start = len(out)
    pad = " " * indent
    if isinstance(value, dict):
        for key_, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{_scalar(key_)}:")
                _emit(item, indent if isinstance(item, list) else indent + 2, out, shared, False)
            else:
                out.append(f"{pad}{_scalar(key_)}: {_block_or_scalar(item)}")
    else:
        for item in value:
            if isinstance(item, (dict, list)) and item:
                first = len(out)
                _emit(item, indent + 2, out, shared, False)
                out[first] = f"{pad}- " + out[first][indent + 2:]
            else:
                out.append(f"{pad}- {_block_or_scalar(item)}")
    if cache:
        shared[key] = out[start:]


def _block_or_scalar(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def dump_documents(documents: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for i, doc in enumerate(documents):
        if i:
            out.append("---")
        shared: dict[tuple[int, int], list[str]] = {}
        for key, item in doc.items():  # the documents themselves are written once: only their parts are shared
            if key == "results" and isinstance(item, list) and item:
                out.append("results:")
                for result in item:
                    first = len(out)
                    _emit(result, 2, out, shared)
                    out[first] = "- " + out[first][2:]
            else:
                _emit({key: item}, 0, out)
    return "\n".join(out) + "\n"


def render_policyreport(result: ScanResult) -> str:
    documents = to_policy_reports(result)
    if not documents:
        return "# kubecomply: no results to report\n"
    return dump_documents(documents)

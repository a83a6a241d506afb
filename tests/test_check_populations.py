"""Populations: a check's ``deny`` fires only on resources its ``applies`` admits.

The convention (docs/policies.md, "Populations: applies") lets the roll-up
leave resources outside a check's population out of its counts; a control
whose checks had an empty population is then not assessed. That is only
honest if no check ever reports a violation on a resource it calls "not
applicable": the finding would be dropped from the population while still
failing the control. The Rego unit tests pin this per check on hand-written
cases; this test holds every bundled check with ``applies`` to it over the
real-world corpus, the PSS fixtures and the example application, plus
variants built to sit on either side of each population's border (Windows
pods, user-namespaced pods, mirror Pods, built-in roles, default bindings,
classified namespaces, LoadBalancer Services, kube-apiserver Pods).

It talks to regorus directly rather than through the scan pipeline, on
purpose: the engine does not evaluate ``applies`` yet, and this invariant is
about the Rego alone.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import regorus
import yaml

from scanner.policies import SAFE_LOADER, load_policies

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCES = [SHARED / "corpus", SHARED / "pss-fixtures", ROOT / "examples" / "manifests"]

APPLIES_RULE = re.compile(r"^applies\b", re.MULTILINE)

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
    **{kind: ("spec", "template", "spec") for kind in (
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "DeploymentConfig")},
}


def _documents() -> list[dict[str, Any]]:
    """Every Kubernetes object the sources hold; files PyYAML cannot read are left out."""
    out: list[dict[str, Any]] = []
    for source in SOURCES:
        if not source.is_dir():
            continue
        for path in sorted(p for p in source.rglob("*") if p.suffix in (".yaml", ".yml", ".json")):
            try:
                docs = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            for doc in docs:
                if isinstance(doc, dict) and isinstance(doc.get("kind"), str) and doc["kind"].endswith("List") and isinstance(doc.get("items"), list):
                    out.extend(item for item in doc["items"] if isinstance(item, dict) and isinstance(item.get("kind"), str))
                elif isinstance(doc, dict) and isinstance(doc.get("kind"), str):
                    out.append(doc)
    return out


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    node: Any = obj
    for key in POD_SPEC_PATHS.get(obj.get("kind", ""), ()):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) and obj.get("kind") in POD_SPEC_PATHS else None


def _stripped(obj: dict[str, Any]) -> dict[str, Any]:
    """The workload without any securityContext: most pod checks then fail on it."""
    out = copy.deepcopy(obj)
    spec = _pod_spec(out)
    if spec is not None:
        spec.pop("securityContext", None)
        for field in ("containers", "initContainers", "ephemeralContainers"):
            for container in spec.get(field) or []:
                if isinstance(container, dict):
                    container.pop("securityContext", None)
    return out


def _with_pod(obj: dict[str, Any], **fields: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    spec = _pod_spec(out)
    if spec is not None:
        spec.update(fields)
    return out


def _with_metadata(obj: dict[str, Any], labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None, name: str | None = None) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    meta = out.setdefault("metadata", {})
    if not isinstance(meta, dict):
        meta = out["metadata"] = {}
    if labels:
        meta["labels"] = {**(meta.get("labels") or {}), **labels}
    if annotations:
        meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}
    if name:
        meta["name"] = name
    return out


def _variants(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The object, and variants on either side of the populations' borders."""
    yield obj
    kind = obj.get("kind")
    if _pod_spec(obj) is not None:
        bare = _stripped(obj)
        yield bare
        for fields in ({"os": {"name": "windows"}}, {"hostUsers": False}, {"restartPolicy": "Never"}):
            yield _with_pod(bare, **fields)
        yield _with_pod(bare, os={"name": "windows"}, hostUsers=False)
    if kind == "Pod":
        yield _with_metadata(_stripped(obj), annotations={"kubernetes.io/config.mirror": "0123abcd"})
    if kind in ("Role", "ClusterRole"):
        everything = {**copy.deepcopy(obj), "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
        yield everything
        yield _with_metadata(everything, name="system:probe")
        yield _with_metadata(everything, labels={"kubernetes.io/bootstrapping": "rbac-defaults"})
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        loud = {**copy.deepcopy(obj), "subjects": [
            {"kind": "Group", "name": "system:masters"}, {"kind": "Group", "name": "system:unauthenticated"},
            {"kind": "User", "name": "mallory"}]}
        for role in ("cluster-admin", "system:public-info-viewer", "view"):
            bound = {**loud, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}}
            yield bound
            yield _with_metadata(bound, labels={"kubernetes.io/bootstrapping": "rbac-defaults"})
    if kind == "Namespace":
        for value in ("cardholder", "public", "none", "false"):
            yield _with_metadata(obj, labels={"data-classification": value})
    if kind == "Service":
        for service_type in ("LoadBalancer", "ClusterIP", "NodePort"):
            yield {**copy.deepcopy(obj), "spec": {**(obj.get("spec") or {}), "type": service_type, "loadBalancerSourceRanges": ["0.0.0.0/0"]}}


def _synthetic() -> list[dict[str, Any]]:
    """Objects the sources lack: kube-apiserver Pods and look-alikes, Istio policies, replica sets of workloads."""
    def pod(name: str, command: list[str]) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "kube-system"},
                "spec": {"containers": [{"name": name, "image": "registry.k8s.io/kube-apiserver:v1.31.0", "command": command}]}}
    weak = ["--anonymous-auth=true", "--profiling=true", "--insecure-port=8080", "--authorization-mode=AlwaysAllow", "--audit-log-maxage=1"]
    out = [
        pod("kube-apiserver", ["kube-apiserver", *weak]),
        pod("kube-apiserver-stdout", ["kube-apiserver", "--audit-log-path=-", *weak]),
        pod("wrapper", ["sh", "-c", "kube-apiserver " + " ".join(weak)]),
        pod("lookalike", ["/bin/fake-apiserver", *weak]),
    ]
    for api_version in ("security.istio.io/v1", "security.example.com/v1"):
        out.append({"apiVersion": api_version, "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "istio-system"},
                    "spec": {"mtls": {"mode": "DISABLE"}}})
    for replicas in (None, 0, 1, 2, 5):
        out.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"web-{replicas}", "namespace": "shop"},
                    "spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "web"}},
                                                                "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    return out


def _inventory(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """data.inventory in the Gatekeeper layout the engine uses."""
    inventory: dict[str, Any] = {"namespace": {}, "cluster": {}}
    for obj in objects:
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        name, namespace = meta.get("name"), meta.get("namespace")
        if not isinstance(name, str) or not isinstance(obj.get("apiVersion"), str):
            continue
        bucket = inventory["namespace"].setdefault(namespace, {}) if isinstance(namespace, str) and namespace else inventory["cluster"]
        bucket.setdefault(obj["apiVersion"], {}).setdefault(obj["kind"], {})[name] = obj
    return inventory


def _probe_module(checks: list[Any]) -> str:
    """One rule per check: [index, violations, applies] for each object of its kinds."""
    lines = ["package kubecomply_population_probe", "", "import rego.v1", ""]
    for n, check in enumerate(checks):
        lines += [
            f"r{n} := [[i, count(d), count(a)] |",
            f"\tsome i, r in input.b{n}",
            f"\td := data.{check.package}.deny with input as r",
            f"\ta := [1 | data.{check.package}.applies with input as r]",
            "]",
            "",
        ]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def evaluation() -> dict[str, dict[str, int]]:
    """check id -> {"applicable": n, "not_applicable": n, "deny_outside": n, "examples": [...]}."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"corpus not found at {SHARED / 'corpus'} (it lives beside the repository, in shared/corpus)")
    policy_set = load_policies()
    checks = [p for p in policy_set.policies if APPLIES_RULE.search((ROOT / p.file if not Path(p.file).is_absolute() else Path(p.file)).read_text())]
    base = _documents() + _synthetic()
    objects = [variant for obj in base for variant in _variants(obj)]
    engine = regorus.Engine()
    for module in policy_set.modules:
        engine.add_policy(module.path, module.text)
    engine.add_policy("probe.rego", _probe_module(checks))
    engine.add_data_json(json.dumps({"inventory": _inventory(base)}))
    batches = {f"b{n}": [obj for obj in objects if obj.get("kind") in check.kinds or "*" in check.kinds] for n, check in enumerate(checks)}
    engine.set_input_json(json.dumps(batches))
    result: dict[str, dict[str, Any]] = {}
    for n, check in enumerate(checks):
        rows = engine.eval_rule(f"data.kubecomply_population_probe.r{n}")
        batch = batches[f"b{n}"]
        outside = [batch[i] for i, violations, applies in rows if violations and not applies]
        result[check.id] = {
            "applicable": sum(1 for _, _, applies in rows if applies),
            "not_applicable": sum(1 for _, _, applies in rows if not applies),
            "violations_applicable": sum(1 for _, violations, applies in rows if violations and applies),
            "deny_outside": len(outside),
            "examples": [f"{o.get('kind')} {json.dumps((o.get('metadata') or {}).get('name'))}" for o in outside[:3]],
        }
    return result


def test_deny_never_fires_outside_the_population(evaluation):
    leaks = {check: row["examples"] for check, row in evaluation.items() if row["deny_outside"]}
    assert leaks == {}


def test_every_population_border_is_exercised(evaluation):
    """Each check met resources on both sides of its border, and failed some inside it.

    Without this the test above could pass on data that never reaches a
    population, or never leaves it.
    """
    thin = {check: row for check, row in evaluation.items()
            if not (row["applicable"] and row["not_applicable"] and row["violations_applicable"])}
    assert thin == {}

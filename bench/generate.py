"""Generate N synthetic Kubernetes resources of mixed kinds as multi-document YAML files.

Deterministic (seeded) so that two benchmark runs read the same bytes. About a
third of the workloads carry a Pod Security violation, so the benchmark also
pays for building findings and resolving their lines, as a real scan does.
The other two thirds are hardened the way the bundled library asks (group and
user ids, a service account without an automounted token, images pinned by
digest, requests, limits and probes), so they pass the workload checks as a
hardened repository would.

``--unhardened 0.4`` writes the findings-heavy corpus of the whole-process
benchmark (bench/bench_e2e.py): 40% of the workloads unhardened give about
five findings per resource over the bundled checks (all of them: about 12),
so a scan pays for building, ordering and writing many findings.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

DOCS_PER_FILE = 50


def pod_spec(rng: random.Random, name: str, long_running: bool = True, unhardened: float = 0.33) -> dict:
    hardened = rng.random() > unhardened
    image = f"registry.example.com/team/{name}:1.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
    container = {
        "name": name,
        "image": image,
        "ports": [{"containerPort": 8080}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
    }
    if hardened:
        container["image"] = f"{image}@sha256:{rng.getrandbits(256):064x}"
        container["resources"]["limits"]["cpu"] = "500m"
        container["securityContext"] = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
        if long_running:
            container["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080}}
            container["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
    else:
        container["securityContext"] = {"privileged": rng.random() < 0.2, "capabilities": {"add": ["NET_ADMIN"]}}
    spec = {"containers": [container], "volumes": [{"name": "tmp", "emptyDir": {}}]}
    if hardened:
        spec["serviceAccountName"] = name
        spec["automountServiceAccountToken"] = False
        spec["securityContext"] = {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    elif rng.random() < 0.3:
        spec["hostNetwork"] = True
    return spec


def resource(rng: random.Random, i: int, unhardened: float = 0.33) -> dict:
    ns = f"team-{i % 50}"
    name = f"app-{i}"
    meta = {"name": name, "namespace": ns, "labels": {"app": name, "team": ns}}
    choice = i % 10
    template = {"metadata": {"labels": {"app": name}}, "spec": pod_spec(rng, name, long_running=choice != 5, unhardened=unhardened)}
    if choice in (0, 1, 2):
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}}, "template": template}}
    if choice == 3:
        return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta, "spec": {"serviceName": name, "replicas": 2, "selector": {"matchLabels": {"app": name}}, "template": template}}
    if choice == 4:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]}
    if choice == 5:
        return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta, "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template}}}}
    if choice == 6:
        return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}
    if choice == 7:
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"config.yaml": "feature: on\nlevel: 3\n", "MODE": "prod"}}
    if choice == 8:
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta, "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta, "spec": {"selector": {"matchLabels": {"app": name}}, "template": template}}


def generate(count: int, out: Path, seed: int = 7, unhardened: float = 0.33) -> list[Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    files = []
    for start in range(0, count, DOCS_PER_FILE):
        docs = [resource(rng, i, unhardened) for i in range(start, min(start + DOCS_PER_FILE, count))]
        path = out / f"resources-{start // DOCS_PER_FILE:05d}.yaml"
        path.write_text(yaml.dump_all(docs, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
        files.append(path)
    return files


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--unhardened", type=float, default=0.33, help="share of workloads left unhardened (0.4: about five findings per resource)")
    args = parser.parse_args()
    print(f"wrote {len(generate(args.count, args.out, unhardened=args.unhardened))} files to {args.out}")

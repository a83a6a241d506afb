"""Memory per resource and per finding stays bounded (issue 15 item 9, issue 16).

A scan of 100,000 resources must stay under 1.5 GB, so what a scan holds per
resource matters more than its speed.  These tests measure the Python heap
(tracemalloc) of a generated scan, never time, and fail when a change holds the
documents again after evaluation, keeps findings several times over, or reads
files into buffers sized by the limit rather than the file.

Measured when the bounds were set (1,000 workloads, about 20 findings each,
20 files): peak 25.4 KB a resource (1.24 KB a finding) during the scan, 9.8 KB
a resource held by the result; before the memory work the same test measured
57 KB (2.8 KB a finding) and 11.7 KB.  The bounds leave room for Python
versions and platforms (about 1.5x), not for going back.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import yaml

from scanner.model import Resource
from scanner.pipeline import ScanOptions, load_bundle, manifest_source, scan

RESOURCES = 1000
PER_FILE = 50


def workload(i: int) -> dict:
    """A Deployment or Pod that violates several bundled checks (privileged, no limits, mutable image)."""
    name = f"app-{i}"
    container = {
        "name": name,
        "image": f"registry.example.com/team/{name}:1.{i % 10}",
        "securityContext": {"privileged": i % 3 == 0, "capabilities": {"add": ["NET_ADMIN"]}},
        "env": [{"name": "LOG_LEVEL", "value": "info"}],
    }
    spec = {"containers": [container], "hostNetwork": i % 4 == 0}
    meta = {"name": name, "namespace": f"team-{i % 20}", "labels": {"app": name}}
    if i % 2:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
    template = {"metadata": {"labels": {"app": name}}, "spec": spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}}, "template": template}}


def corpus(folder: Path) -> Path:
    folder.mkdir()
    for start in range(0, RESOURCES, PER_FILE):
        docs = [workload(i) for i in range(start, start + PER_FILE)]
        (folder / f"part-{start // PER_FILE:03d}.yaml").write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return folder


def test_scan_memory_per_resource_and_per_finding_is_bounded(tmp_path):
    folder = corpus(tmp_path / "corpus")
    options = ScanOptions(workers=1)
    bundle = load_bundle(options)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = scan(manifest_source([str(folder)], options), options, bundle)
        gc.collect()
        held, peak = (n - before for n in tracemalloc.get_traced_memory())
    finally:
        tracemalloc.stop()
    resources, findings = len(result.resources), len(result.findings)
    assert resources == RESOURCES
    assert findings >= 4 * RESOURCES, "the corpus must be findings-heavy for the bound to mean anything"
    # Peak during the scan: documents, violations, findings and the roll-up at their worst moment.
    assert peak / resources < 38_000, f"{peak / resources:,.0f} bytes a resource at the peak"
    assert peak / findings < 1_900, f"{peak / findings:,.0f} bytes a finding at the peak"
    # What the result holds after the scan: identities, origins, findings, populations; no documents.
    assert held / resources < 13_000, f"{held / resources:,.0f} bytes a resource held by the result"


def test_documents_are_released_after_evaluation(tmp_path):
    """The result keeps each resource's identity, not the parsed document (most of a scan's memory)."""
    folder = corpus(tmp_path / "corpus")
    load = manifest_source([str(folder)], ScanOptions(workers=1)).read(load_bundle(ScanOptions()).policy_set)
    resources: list[Resource] = load.parts[0].resources
    whole = resources[0].obj
    assert "spec" in whole
    resources[0].keep_identity()
    slim = resources[0].obj
    assert "spec" not in slim and "labels" not in slim["metadata"]
    assert resources[0].identity().to_dict() == Resource(whole, resources[0].origin).identity().to_dict()
    assert "spec" in whole, "the original object is replaced, never changed"

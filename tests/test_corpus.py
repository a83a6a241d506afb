"""The manifest loader over the real-world corpus in ../shared/corpus.

counts.csv was made with PyYAML 6.0.3 ``safe_load_all`` (one row per file).
Our loader reads the same objects (checked here file by file, kind by kind);
the differences from the CSV, all deliberate, are:

* two rows describe files that are not in the corpus folder
  (``rook/deploy/examples/external/{cluster,common}-external.yaml``: the README
  says the symlinked files under ``external/`` were left out, the CSV still has
  them), so only rows whose file exists are compared;
* ``microservices-demo/kubernetes-manifests/kustomization.yaml`` is counted
  by the CSV as a resource (it has apiVersion and kind) but is a Kustomize
  file: we skip it and count it under SKIP_KUSTOMIZE;
* every file PyYAML fails on (55 ParserErrors, 5 ConstructorErrors from
  ``{{ ... }}: value`` keys) contains ``{{`` and is a Helm-style template, so
  each is one "looks like a Helm template" gap; none of them has a valid
  document before the failing one, so no partial resources appear;
* the comments-only file (``_archived/newrelic/newrelic-config.yaml``) and the
  0-byte ``_archived/openshift-origin/secret.json`` have no documents: counted
  as empty files;
* the CSV's ``empty_docs`` (2) are our "empty document" skips, and the two
  ``cassandra.yaml`` files (mappings without apiVersion/kind, resources 0 in the
  CSV) are "not a Kubernetes object";
* our Kubernetes-compatible scalars (bare ``=``, timestamps as strings) change
  nothing here: the corpus has no bare ``=`` scalar outside block scalars, and
  no file that PyYAML rejects is read by us (the same 60 fail, for the same
  reason).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from scanner.sources import manifests as m
from scanner.sources.manifests import load_manifests

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

if not (CORPUS / "counts.csv").is_file():
    pytest.skip(f"corpus not found at {CORPUS} (it lives beside the repository, in shared/corpus)", allow_module_level=True)

KUSTOMIZATION = "microservices-demo/kubernetes-manifests/kustomization.yaml"


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, str]]:
    with open(CORPUS / "counts.csv", newline="", encoding="utf-8") as fh:
        all_rows = {f"{r['project']}/{r['path']}": r for r in csv.DictReader(fh)}
    missing = sorted(p for p in all_rows if not (CORPUS / p).exists())
    assert missing == [
        "rook/deploy/examples/external/cluster-external.yaml",
        "rook/deploy/examples/external/common-external.yaml",
    ]
    return {p: r for p, r in all_rows.items() if p not in missing}


@pytest.fixture(scope="module")
def loaded():
    return load_manifests([str(CORPUS)], root=CORPUS)


def test_files_read(loaded, rows):
    assert len(loaded.files) == 505
    assert sorted(loaded.files) == sorted(rows)  # every manifest, nothing else (README.md, counts.csv)
    assert loaded.files == sorted(loaded.files)


def test_resource_counts_match_pyyaml(loaded, rows):
    per_file = Counter(r.origin.path for r in loaded.resources)
    expected = {p: int(r["resources"]) for p, r in rows.items()}
    expected[KUSTOMIZATION] = 0  # a Kustomize file, not a resource (see the module docstring)
    assert {p: per_file.get(p, 0) for p in rows} == expected
    assert len(loaded.resources) == sum(expected.values()) == 1109


def test_kinds_match_pyyaml(loaded, rows):
    expected: Counter = Counter()
    for path, row in rows.items():
        for part in filter(None, row["kinds"].split(";")):
            kind, n = part.rsplit("=", 1)
            expected[kind] += int(n)
    expected["Kustomization"] -= 1
    expected += Counter()  # drop zero counts
    got = Counter(r.kind for r in loaded.resources)
    assert got == expected
    assert got["CustomResourceDefinition"] == sum(int(r["crds"]) for r in rows.values()) == 29
    assert (got["Service"], got["Deployment"], got["Pod"]) == (141, 87, 66)


def test_skipped(loaded, rows):
    assert loaded.skipped == {
        m.SKIP_EMPTY_DOCUMENT: sum(int(r["empty_docs"]) for r in rows.values()),
        m.SKIP_EMPTY_FILE: 2,
        m.SKIP_NO_KIND: 2,
        m.SKIP_KUSTOMIZE: 1,
    }
    assert loaded.skipped[m.SKIP_EMPTY_DOCUMENT] == 2


def test_gaps(loaded, rows):
    failed = {p for p, r in rows.items() if r["parse_error"]}
    assert len(failed) == 60
    assert {g.path for g in loaded.gaps} == failed
    categories = Counter(
        "helm-template" if g.reason.startswith(m.HELM_HINT) else "invalid-yaml" if "invalid YAML" in g.reason else "other"
        for g in loaded.gaps
    )
    assert categories == {"helm-template": 60}
    by_error = Counter(rows[g.path]["parse_error"].split(":")[0] for g in loaded.gaps)
    assert by_error == {"ParserError": 55, "ConstructorError": 5}
    for gap in loaded.gaps:
        assert gap.type == "file" and gap.path
        assert "\n" not in gap.reason and "\r" not in gap.reason
        assert gap.line is not None and gap.line >= 1
        assert gap.document == 1  # nothing before the failure in these files
        assert "Traceback" not in gap.reason


def test_secrets_scrubbed_and_json_serialisable(loaded):
    import json

    for r in loaded.resources:
        if r.kind == "Secret" and r.api_version == "v1":
            for field in ("data", "stringData"):
                values = r.obj.get(field)
                if isinstance(values, dict):
                    assert set(values.values()) <= {"<redacted>"}
    json.dumps([r.obj for r in loaded.resources])


def test_resolve_line_on_a_big_file(loaded):
    install = [r for r in loaded.resources if r.origin.path == "argo-cd/manifests/install.yaml"]
    assert len(install) == 59
    text = (CORPUS / "argo-cd/manifests/install.yaml").read_text(encoding="utf-8").splitlines()
    for r in install:
        line = loaded.resolve_line(r.origin, ["metadata", "name"])
        assert text[line - 1].strip() == f"name: {r.name}"
        assert loaded.resolve_line(r.origin, []) == r.origin.line


def test_the_whole_corpus_scans_with_every_check_and_no_check_errors():
    """Real manifests through every bundled check: nothing crashes and no check fails to run."""
    from scanner.pipeline import ScanOptions, exit_code, scan_manifests

    result = scan_manifests([str(CORPUS)], ScanOptions())
    assert [g for g in result.gaps if g.type == "check"] == []
    assert {g.type for g in result.gaps} == {"file"}
    assert result.summary["resources"] == 1109
    assert result.summary["findings"] > 0
    assert all(f.origin.line for f in result.findings)
    assert exit_code(result, "low") == (2, "60 file(s) could not be parsed (use --allow-parse-errors to accept)")
    assert exit_code(result, "low", allow_parse_errors=True)[0] == 1


def test_forked_readers_give_exactly_the_serial_result(loaded, monkeypatch):
    # The corpus has gaps, skips, Lists, JSON and broken files: reading it in
    # two forked processes must change nothing, down to the line of a field.
    monkeypatch.setattr(m, "PARALLEL_MINIMUM_BYTES", 0)
    forked = load_manifests([str(CORPUS)], root=CORPUS, workers=2)
    assert [(r.obj, r.origin) for r in forked.resources] == [(r.obj, r.origin) for r in loaded.resources]
    assert (forked.gaps, forked.skipped, forked.files) == (loaded.gaps, loaded.skipped, loaded.files)
    assert forked.gaps and forked.skipped  # the comparison covered both
    deep = [r for r in loaded.resources if r.kind == "Deployment"][:20]
    path = ["spec", "template", "spec", "containers", 0, "image"]
    assert [forked.resolve_line(r.origin, path) for r in deep] == [loaded.resolve_line(r.origin, path) for r in deep]


def test_lines_match_composing_each_whole_file(loaded):
    # resolve_line composes one document from its text alone; the oracle
    # composes every file whole with PyYAML and walks the same path.
    import yaml

    from scanner.sources.manifests import _walk_line

    paths = [["kind"], ["metadata", "name"], ["spec", "template", "spec", "containers", 0, "image"], ["spec", "rules", 0]]
    documents: dict[str, list] = {}
    checked = 0
    for resource in loaded.resources:
        origin = resource.origin
        if not origin.path.endswith((".yaml", ".yml")) or origin.item is not None:
            continue
        if origin.path not in documents:
            text = (CORPUS / origin.path).read_text(encoding="utf-8-sig")
            documents[origin.path] = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
        root = documents[origin.path][origin.document - 1]
        for path in paths:
            assert loaded.resolve_line(origin, path) == _walk_line(root, path), (origin, path)
            checked += 1
    assert checked > 3000

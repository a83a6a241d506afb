"""The manifest source: files, folders, stdin, YAML/JSON quirks, gaps, lines, secrets."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest

from scanner.model import Origin
from scanner.redact import REDACTED, redact_text, scrub_secret
from scanner.sources import manifests as m
from scanner.sources.manifests import ManifestLoad, load_manifests

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            privileged: true
        - name: sidecar
          image: envoy
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def load(tmp_path: Path, **kw) -> ManifestLoad:
    """Load the whole tmp_path folder with tmp_path as the root."""
    return load_manifests([str(tmp_path)], root=tmp_path, **kw)


def one_gap(result: ManifestLoad):
    assert len(result.gaps) == 1, result.gaps
    gap = result.gaps[0]
    assert gap.type == "file" and gap.path and "\n" not in gap.reason
    return gap


# ---------------------------------------------------------------- documents and origins

def test_multi_document_origins_and_empty_documents(tmp_path):
    write(
        tmp_path,
        "app.yaml",
        "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n"
        "\n# comment\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n...\n---\n",
    )
    r = load(tmp_path)
    assert [(x.kind, x.name) for x in r.resources] == [("ConfigMap", "a"), ("Service", "b")]
    assert r.resources[0].origin == Origin(type="file", path="app.yaml", document=1, line=3)
    assert r.resources[1].origin == Origin(type="file", path="app.yaml", document=3, line=10)
    assert r.skipped == {m.SKIP_EMPTY_DOCUMENT: 2}
    assert r.files == ["app.yaml"]
    assert r.gaps == []


def test_files_sorted_folders_recursive_extensions_and_git_skipped(tmp_path):
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n"
    write(tmp_path, "b/z.yml", cm % "z")
    write(tmp_path, "a.yaml", cm % "a")
    write(tmp_path, "b/c/d.json", json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}))
    write(tmp_path, "notes.txt", cm % "txt")
    write(tmp_path, "README.md", "# hello")
    write(tmp_path, ".git/objects/x.yaml", cm % "git")
    r = load(tmp_path)
    assert r.files == ["a.yaml", "b/c/d.json", "b/z.yml"]
    assert [x.name for x in r.resources] == ["a", "d", "z"]
    # a file named explicitly is read whatever its extension; duplicates are read once
    r2 = load_manifests([str(tmp_path / "notes.txt"), str(tmp_path / "a.yaml"), str(tmp_path)], root=tmp_path)
    assert r2.files == ["a.yaml", "b/c/d.json", "b/z.yml", "notes.txt"]
    assert [x.name for x in r2.resources] == ["a", "d", "z", "txt"]


def test_paths_relative_to_root_or_as_given(tmp_path, monkeypatch):
    write(tmp_path, "sub/app.yaml", DEPLOYMENT)
    monkeypatch.chdir(tmp_path)
    assert load_manifests(["sub"]).resources[0].origin.path == "sub/app.yaml"
    assert load_manifests([str(tmp_path / "sub")]).resources[0].origin.path == "sub/app.yaml"
    other_root = tmp_path / "elsewhere"
    other_root.mkdir()
    outside = load_manifests([str(tmp_path / "sub" / "app.yaml")], root=other_root)
    assert outside.resources[0].origin.path == str(tmp_path / "sub" / "app.yaml")


def test_missing_target_is_a_gap_not_an_error(tmp_path):
    write(tmp_path, "ok.yaml", DEPLOYMENT)
    r = load_manifests([str(tmp_path / "nope.yaml"), str(tmp_path / "ok.yaml")], root=tmp_path)
    gap = one_gap(r)
    assert (gap.path, gap.reason) == ("nope.yaml", "no such file or directory")
    assert len(r.resources) == 1


def test_symlink_loop_terminates_and_folders_are_walked_once(tmp_path):
    write(tmp_path, "d/app.yaml", DEPLOYMENT)
    os.symlink("..", tmp_path / "d" / "up")  # d/up -> tmp_path, which contains d
    os.symlink("d", tmp_path / "alias")  # a second name for d
    r = load(tmp_path)  # an unguarded walk would recurse until the path is too long
    assert len(r.resources) == 1
    assert len(r.files) == 1
    assert r.resources[0].name == "web"


def test_broken_symlink_in_folder_is_a_gap(tmp_path):
    os.symlink(tmp_path / "gone.yaml", tmp_path / "link.yaml")
    r = load(tmp_path)
    gap = one_gap(r)
    assert gap.path == "link.yaml" and "broken symbolic link" in gap.reason


def test_kind_list_and_typed_list(tmp_path):
    write(
        tmp_path,
        "lists.yaml",
        """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: one}
  - metadata: {name: anonymous}
  - apiVersion: v1
    kind: Secret
    metadata: {name: s}
    data: {token: c2VjcmV0}
---
apiVersion: v1
kind: PodList
items:
  - metadata: {name: p0}
    spec: {containers: [{name: c, image: busybox}]}
  - metadata: {name: p1}
---
apiVersion: v1
kind: List
items: []
""",
    )
    r = load(tmp_path)
    got = [(x.api_version, x.kind, x.name, x.origin.document, x.origin.item) for x in r.resources]
    assert got == [
        ("v1", "ConfigMap", "one", 1, 0),
        ("v1", "Secret", "s", 1, 2),
        ("v1", "Pod", "p0", 2, 0),
        ("v1", "Pod", "p1", 2, 1),
    ]
    assert r.resources[2].obj["spec"]["containers"][0]["image"] == "busybox"
    assert r.resources[1].obj["data"] == {"token": REDACTED}  # list items are scrubbed too
    assert r.skipped == {m.SKIP_LIST_ITEM: 1, m.SKIP_EMPTY_LIST: 1}


def test_non_kubernetes_documents_are_skipped_and_counted(tmp_path):
    write(
        tmp_path,
        "mixed.yaml",
        "- just\n- a list\n---\nplain scalar\n---\nname: config\nvalues: {a: 1}\n---\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n---\n"
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
    )
    r = load(tmp_path)
    assert [x.kind for x in r.resources] == ["Namespace"]
    assert r.resources[0].origin.document == 6
    assert r.skipped == {m.SKIP_NOT_MAPPING: 2, m.SKIP_NO_KIND: 1, m.SKIP_KUSTOMIZE: 2}
    assert r.gaps == []


# ---------------------------------------------------------------- encodings and formats

def test_crlf_and_bom(tmp_path):
    text = "\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  k: v\r\n---\r\napiVersion: v1\r\nkind: Service\r\nmetadata: {name: s}\r\n"
    write(tmp_path, "win.yaml", text)
    r = load(tmp_path)
    assert [x.name for x in r.resources] == ["crlf", "s"]
    assert r.resources[0].obj["data"] == {"k": "v"}
    assert [x.origin.line for x in r.resources] == [1, 8]
    assert r.resolve_line(r.resources[0].origin, ["data", "k"]) == 6


def test_utf16_with_bom_is_read(tmp_path):
    write(tmp_path, "u16.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: wide}\n".encode("utf-16"))
    r = load(tmp_path)
    assert [x.name for x in r.resources] == ["wide"]


def test_anchors_aliases_and_merge_keys(tmp_path):
    write(
        tmp_path,
        "anchors.yaml",
        """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: merged
  labels: &labels {app: web, tier: front}
spec:
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        tier: override
    spec:
      containers:
        - &base
          name: a
          image: img
          resources: {limits: {cpu: "1"}}
        - <<: [*base, {extra: 1, name: ignored}]
          name: b
""",
    )
    r = load(tmp_path)
    obj = r.resources[0].obj
    assert obj["spec"]["selector"]["matchLabels"] == {"app": "web", "tier": "front"}
    assert obj["spec"]["template"]["metadata"]["labels"] == {"app": "web", "tier": "override"}
    containers = obj["spec"]["template"]["spec"]["containers"]
    assert containers[1] == {"name": "b", "image": "img", "resources": {"limits": {"cpu": "1"}}, "extra": 1}
    json.dumps(obj)
    # merged keys resolve to the line where they are written
    origin = r.resources[0].origin
    assert r.resolve_line(origin, ["spec", "template", "metadata", "labels", "app"]) == 5
    assert r.resolve_line(origin, ["spec", "template", "metadata", "labels", "tier"]) == 13



def test_a_duplicate_key_resolves_to_the_later_one_which_is_the_value_read(tmp_path):
    write(tmp_path, "dup.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  hostNetwork: false\n  hostNetwork: true\n")
    r = load(tmp_path)
    assert r.resources[0].obj["spec"]["hostNetwork"] is True
    assert r.resolve_line(r.resources[0].origin, ["spec", "hostNetwork"]) == 7

def test_kubernetes_scalars(tmp_path):
    write(
        tmp_path,
        "scalars.yaml",
        """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ops.example.com
  creationTimestamp: 2026-01-01T10:00:00Z
spec:
  date: 2026-01-01
  operators:
    - =
    - "!="
  value: =
  blob: !!binary |
    aGVs
    bG8=
  keys:
    80: http
    true: yes
    null: nothing
    1.5: float
    0x10: hex
  numbers: {int: 42, octal: 010, float: 1.5, inf: .inf, bool: on, null: ~, str: "042"}
  custom: !Ref some-name
""",
    )
    r = load(tmp_path)
    assert r.gaps == []
    spec = r.resources[0].obj["spec"]
    assert r.resources[0].obj["metadata"]["creationTimestamp"] == "2026-01-01T10:00:00Z"
    assert spec["date"] == "2026-01-01"
    assert spec["operators"] == ["=", "!="]
    assert spec["value"] == "="
    assert spec["blob"] == "aGVsbG8="
    assert spec["keys"] == {"80": "http", "true": True, "null": "nothing", "1.5": "float", "16": "hex"}
    assert spec["numbers"] == {"int": 42, "octal": 8, "float": 1.5, "inf": float("inf"), "bool": True, "null": None, "str": "042"}
    assert spec["custom"] == "some-name"
    json.dumps(r.resources[0].obj)


def test_json_files_single_stream_and_empty(tmp_path):
    write(tmp_path, "one.json", '\ufeff{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "j", "labels": {"a": "b"}},\n  "data": {"x": "1e3"}\n}\n')
    write(tmp_path, "stream.json", '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s1"}}\n\n{"apiVersion": "v1",\n "kind": "Service", "metadata": {"name": "s2"}}\n')
    write(tmp_path, "empty.json", b"")
    write(tmp_path, "list.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}]}, indent=2))
    write(tmp_path, "yaml-inside.json", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n")
    r = load(tmp_path)
    assert r.gaps == []
    assert r.files == ["empty.json", "list.json", "one.json", "stream.json", "yaml-inside.json"]
    assert [(x.origin.path, x.name, x.origin.document, x.origin.line, x.origin.item) for x in r.resources] == [
        ("list.json", "p", 1, 1, 0),
        ("one.json", "j", 1, 1, None),
        ("stream.json", "s1", 1, 1, None),
        ("stream.json", "s2", 2, 3, None),
        ("yaml-inside.json", "y", 1, 1, None),
    ]
    assert r.skipped == {m.SKIP_EMPTY_FILE: 1}
    one = r.resources[1]
    assert one.obj["data"] == {"x": "1e3"}
    assert r.resolve_line(one.origin, ["metadata", "labels", "a"]) == 4
    assert r.resolve_line(one.origin, ["data", "x"]) == 5
    assert r.resolve_line(r.resources[3].origin, ["kind"]) == 4
    assert r.resolve_line(r.resources[0].origin, ["metadata", "name"]) == 9


def test_broken_json_keeps_earlier_documents(tmp_path):
    write(tmp_path, "bad.json", '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s1"}}\n{"apiVersion": "v1",\n "kind": }\n')
    r = load(tmp_path)
    assert [x.name for x in r.resources] == ["s1"]
    gap = one_gap(r)
    assert gap.line == 3
    assert gap.reason == "invalid JSON at line 3: Expecting value; documents from line 2 on were not scanned"


def test_empty_and_comment_only_files(tmp_path):
    write(tmp_path, "empty.yaml", b"")
    write(tmp_path, "blank.yaml", "\n\n   \n")
    write(tmp_path, "comments.yaml", "# nothing here\n# at all\n")
    r = load(tmp_path)
    assert r.resources == [] and r.gaps == []
    assert r.skipped == {m.SKIP_EMPTY_FILE: 3}
    assert r.files == ["blank.yaml", "comments.yaml", "empty.yaml"]


# ---------------------------------------------------------------- bad input becomes gaps

def test_invalid_yaml_names_line_and_problem(tmp_path):
    write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: a: b\n")
    write(tmp_path, "good.yaml", DEPLOYMENT)
    r = load(tmp_path)
    gap = one_gap(r)
    assert gap.path == "bad.yaml" and gap.line == 5
    assert gap.reason == "invalid YAML at line 5: mapping values are not allowed in this context"
    assert [x.name for x in r.resources] == ["web"]
    assert r.files == ["bad.yaml", "good.yaml"]


def test_failure_part_way_keeps_earlier_documents(tmp_path):
    write(
        tmp_path,
        "partial.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n",
    )
    r = load(tmp_path)
    assert [x.name for x in r.resources] == ["first", "second"]
    gap = one_gap(r)
    assert gap.document == 3
    assert gap.reason.startswith("invalid YAML at line 13: ")
    assert gap.reason.endswith("; documents from line 8 on were not scanned")


def test_helm_template(tmp_path):
    write(
        tmp_path,
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n  labels:\n    {{- include \"x.labels\" . | nindent 4 }}\n",
    )
    r = load(tmp_path)
    gap = one_gap(r)
    assert gap.path == "templates/cm.yaml"
    assert gap.reason.startswith("looks like a Helm template; render it first (helm template)")
    assert "line 4" in gap.reason
    # text with {{ that is valid YAML (Prometheus rule templates) is just YAML
    write(tmp_path, "rules.yaml", "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  summary: '{{ $labels.pod }} is down'\n")
    r = load_manifests([str(tmp_path / "rules.yaml")], root=tmp_path)
    assert r.gaps == [] and r.resources[0].obj["spec"]["summary"] == "{{ $labels.pod }} is down"


def test_non_utf8_and_binary(tmp_path):
    write(tmp_path, "latin1.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n")
    write(tmp_path, "image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    r = load(tmp_path)
    assert [(g.path, g.reason, g.line) for g in r.gaps] == [
        ("image.yaml", "binary file (NUL byte at line 3), not YAML or JSON", 3),
        ("latin1.yaml", "not valid UTF-8 (byte 0xe9 at line 4)", 4),
    ]
    assert r.resources == []


def test_file_over_size_limit_is_not_read(tmp_path):
    write(tmp_path, "big.yaml", DEPLOYMENT * 1)
    write(tmp_path, "small.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n")
    r = load(tmp_path, max_file_size=100)
    gap = one_gap(r)
    assert gap.path == "big.yaml"
    assert gap.reason == f"file is {len(DEPLOYMENT)} bytes, over the 100 bytes limit (--max-file-size)"
    assert r.files == ["small.yaml"]
    # MB is 1,000,000 bytes as --max-file-size reads it; a MiB limit reads back in MiB.
    assert m._human_size(int(61.2 * 1000 * 1000)) == "61.2 MB"
    assert m._human_size(50 * 1024 * 1024) == "50 MiB"


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:", '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"  a{i}: &a{i} [{refs}]")
    write(tmp_path, "bomb.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before}\n---\n" + "\n".join(lines) + "\n")
    start = time.monotonic()
    r = load(tmp_path)
    assert time.monotonic() - start < 2
    assert [x.name for x in r.resources] == ["before"]
    gap = one_gap(r)
    assert gap.reason == "YAML aliases expand to more than 1,000,000 nodes (an alias bomb?); documents from line 5 on were not scanned"


def test_small_alias_use_is_fine_and_recursive_alias_is_a_gap(tmp_path):
    write(tmp_path, "ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, labels: &l {a: b}}\ndata: {copy: *l}\n")
    write(tmp_path, "loop.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: loop, self: *m}\n")
    r = load(tmp_path)
    assert r.resources[0].obj["data"] == {"copy": {"a": "b"}}
    gap = one_gap(r)
    assert gap.path == "loop.yaml" and "recursive alias" in gap.reason


def test_deep_nesting_is_refused(tmp_path):
    deep = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: " + "[" * 120 + "]" * 120 + "\n"
    ok = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\ndata:\n  x: " + "[" * 90 + "]" * 90 + "\n"
    very = "a: " + "[" * 5000 + "]" * 5000 + "\n"  # libyaml's own limit (1000) hit first
    write(tmp_path, "deep.yaml", deep)
    write(tmp_path, "ok.yaml", ok)
    write(tmp_path, "very.yaml", very)
    write(tmp_path, "deep.json", '{"apiVersion": "v1", "kind": "ConfigMap", "data": ' + "[" * 120 + "]" * 120 + "}")
    write(tmp_path, "alias-deep.yaml", "apiVersion: v1\nkind: ConfigMap\nx: &d " + "[" * 60 + "]" * 60 + "\ny: " + "[" * 50 + "*d" + "]" * 50 + "\n")
    r = load(tmp_path)
    assert [x.name for x in r.resources] == ["ok"]
    assert [g.path for g in r.gaps] == ["alias-deep.yaml", "deep.json", "deep.yaml", "very.yaml"]
    for gap in r.gaps:
        assert "nested deeper than 100 levels" in gap.reason, gap.reason


def test_recursion_error_anywhere_becomes_a_gap(tmp_path, monkeypatch):
    from scanner.sources import yaml_loader

    def boom(node, shared):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(yaml_loader, "node_to_python", boom)
    write(tmp_path, "a.yaml", DEPLOYMENT)
    r = load(tmp_path)
    gap = one_gap(r)
    assert "nested deeper than 100 levels" in gap.reason


def test_mapping_key_that_is_a_mapping(tmp_path):
    write(tmp_path, "k.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  {a: b}: c\n")
    gap = one_gap(load(tmp_path))
    assert gap.reason == "invalid YAML at line 4: a mapping key must be a string, not a mapping"
    assert gap.line == 4


# ---------------------------------------------------------------- stdin

def test_stdin(tmp_path):
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-stdin\nspec:\n  containers:\n    - name: c\n      image: busybox\n"
    write(tmp_path, "file.yaml", DEPLOYMENT)
    r = load_manifests(["-", str(tmp_path / "file.yaml")], root=tmp_path, stdin=io.StringIO(text))
    assert r.files == ["-", "file.yaml"]
    pod = r.resources[0]
    assert pod.origin == Origin(type="stdin", path="-", document=1, line=1)
    assert r.resolve_line(pod.origin, ["spec", "containers", 0, "image"]) == 8


def test_stdin_bytes_buffer_and_bad_bytes(tmp_path):
    class Stream:
        def __init__(self, data):
            self.buffer = io.BytesIO(data)

    r = load_manifests(["-"], root=tmp_path, stdin=Stream(b"apiVersion: v1\nkind: Namespace\nmetadata: {name: \xff}\n"))
    gap = one_gap(r)
    assert (gap.path, gap.reason) == ("-", "not valid UTF-8 (byte 0xff at line 3)")


# ---------------------------------------------------------------- resolve_line

def test_resolve_line_nested_paths_and_fallback(tmp_path):
    write(tmp_path, "deploy.yaml", "# header\n---\n" + DEPLOYMENT)
    r = load(tmp_path)
    origin = r.resources[0].origin
    assert origin.line == 3
    container = ["spec", "template", "spec", "containers"]
    assert r.resolve_line(origin, []) == 3
    assert r.resolve_line(origin, ["metadata", "namespace"]) == 7
    assert r.resolve_line(origin, container + [0, "securityContext", "privileged"]) == 15
    assert r.resolve_line(origin, container + [1, "image"]) == 17
    assert r.resolve_line(origin, container + [1]) == 16
    # missing fields: the deepest ancestor that exists
    assert r.resolve_line(origin, container + [1, "securityContext", "privileged"]) == 16
    assert r.resolve_line(origin, container + [7, "image"]) == 11
    assert r.resolve_line(origin, ["spec", "hostNetwork"]) == 8
    # unknown documents and origins
    assert r.resolve_line(Origin(type="file", path="deploy.yaml", document=9, line=1), ["spec"]) is None
    assert r.resolve_line(Origin(type="file", path="other.yaml", document=1, line=1), ["spec"]) is None
    assert r.resolve_line(Origin(type="cluster", context="x"), ["spec"]) is None


def test_resolve_line_list_items_and_second_documents(tmp_path):
    write(
        tmp_path,
        "list.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\napiVersion: v1\nkind: PodList\nitems:\n"
        "  - metadata: {name: p0}\n    spec:\n      hostPID: true\n  - metadata:\n      name: p1\n    spec:\n      hostNetwork: true\n",
    )
    r = load(tmp_path)
    p0, p1 = r.resources[1], r.resources[2]
    assert (p0.origin.document, p0.origin.line, p0.origin.item) == (2, 5, 0)
    assert r.resolve_line(p0.origin, ["spec", "hostPID"]) == 10
    assert r.resolve_line(p1.origin, ["spec", "hostNetwork"]) == 14
    assert r.resolve_line(p1.origin, ["metadata", "name"]) == 12
    assert r.resolve_line(p1.origin, ["kind"]) == 11  # inherited from the list: the item's own line
    # only the most recent document's nodes are kept
    assert len(r._document_cache) == 1
    r.resolve_line(p0.origin, ["spec"])
    assert list(r._document_cache) == [("file", "list.yaml", 2)]


# ---------------------------------------------------------------- secrets

def test_secrets_are_scrubbed_on_load(tmp_path):
    last_applied = json.dumps({"apiVersion": "v1", "kind": "Secret", "data": {"password": "aHVudGVyMg=="}})
    write(
        tmp_path,
        "secret.yaml",
        f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{last_applied}'
    team: payments
type: Opaque
data:
  password: aHVudGVyMg==
  user: YWRtaW4=
stringData:
  url: postgres://admin:hunter2@db:5432
""",
    )
    r = load(tmp_path)
    obj = r.resources[0].obj
    assert obj["data"] == {"password": REDACTED, "user": REDACTED}
    assert obj["stringData"] == {"url": REDACTED}
    assert obj["metadata"]["annotations"] == {"team": "payments"}
    assert "aHVudGVyMg" not in json.dumps([x.obj for x in r.resources])
    assert "hunter2" not in json.dumps([x.obj for x in r.resources])


def test_scrub_secret_leaves_other_objects_and_input_alone():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}}
    assert scrub_secret(cm) is cm
    not_core = {"apiVersion": "example.com/v1", "kind": "Secret", "data": {"a": "b"}}
    assert scrub_secret(not_core) is not_core
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}}
    out = scrub_secret(secret)
    assert out == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": REDACTED}}
    assert secret["data"] == {"k": "dg=="}  # the input is not modified
    assert scrub_secret({"apiVersion": "v1", "kind": "Secret", "data": "garbage"})["data"] == REDACTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key AKIAIOSFODNN7EXAMPLE leaked", f"key {REDACTED} leaked"),
        ("sts ASIAY34FZKBOKMUTVV7A", f"sts {REDACTED}"),
        ("gh token ghp_" + "a" * 36 + " end", f"gh token {REDACTED} end"),
        ("slack xoxb-1234567890-abcdefghij", f"slack {REDACTED}"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok", f"jwt {REDACTED} ok"),
        ("env DB_PASSWORD=hunter2 set", f"env DB_PASSWORD={REDACTED} set"),
        ('"password": "hunter2", "user": "bob"', f'"password": "{REDACTED}", "user": "bob"'),
        ("token: abc123", f"token: {REDACTED}"),
        ("apiKey='s3cr3t'", f"apiKey='{REDACTED}'"),
        ("url https://admin:hunter2@db.example.com/x", f"url https://admin:{REDACTED}@db.example.com/x"),
        (
            "cert -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY----- tail",
            f"cert -----BEGIN RSA PRIVATE KEY-----{REDACTED}-----END RSA PRIVATE KEY----- tail",
        ),
        ("-----BEGIN PRIVATE KEY-----\nMIIEow truncated", f"-----BEGIN PRIVATE KEY-----{REDACTED}"),
        # left alone
        ("automountServiceAccountToken: false", "automountServiceAccountToken: false"),
        ("container app uses secretKeyRef db/password", "container app uses secretKeyRef db/password"),
        ("image nginx:1.27 runs as root", "image nginx:1.27 runs as root"),
        ("", ""),
    ],
)
def test_redact_text(text, expected):
    assert redact_text(text) == expected
    assert redact_text(expected) == expected  # idempotent


def test_redact_text_leaves_ordinary_messages_alone():
    # Its speed is measured by bench/bench_manifests.py (every finding passes
    # through it), not here: a timed test fails on a busy machine.
    messages = [f"container 'app-{i}' in Deployment shop/web-{i} sets privileged: true" for i in range(2_000)]
    assert [redact_text(s) for s in messages] == messages


def test_json_document_followed_by_yaml_is_read_as_yaml(tmp_path):
    write(tmp_path, "mixed.yaml", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n')
    r = load(tmp_path)
    assert r.gaps == []
    assert [(x.name, x.origin.document, x.origin.line) for x in r.resources] == [("a", 1, 1), ("b", 2, 3)]
    assert r.resolve_line(r.resources[1].origin, ["metadata", "name"]) == 5


def test_a_failed_forked_reader_costs_time_not_resources(tmp_path, monkeypatch):
    import os

    from scanner.sources import manifests as m

    for i in range(6):
        write(tmp_path, f"f{i}.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n  namespace: ns\n")
    serial = load(tmp_path)
    parent = os.getpid()
    real = m._load_files
    in_parent: list[int] = []

    def fails_in_children(files, *args):
        if os.getpid() != parent:
            raise OSError("reader died")
        in_parent.append(len(files))
        return real(files, *args)

    monkeypatch.setattr(m, "PARALLEL_MINIMUM_BYTES", 0)
    monkeypatch.setattr(m, "_load_files", fails_in_children)
    forked = load(tmp_path, workers=2)
    assert [(r.obj, r.origin) for r in forked.resources] == [(r.obj, r.origin) for r in serial.resources]
    assert len(forked.resources) == 6 and forked.gaps == serial.gaps == []
    assert in_parent[-1] == 6 and len(in_parent) == 2  # its own share, then all of them again

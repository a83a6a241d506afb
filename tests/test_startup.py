"""Issue 16, start-up: the shortcuts taken to start faster give the answers of the slow way."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import REPO_ROOT, write
from scanner.policies import BUNDLED_POLICY_DIR, display_path, display_paths, iter_rego_files


def _layout(tmp_path: Path) -> Path:
    """A policy folder with a nested file, a file that is a link (to outside the folder) and a linked folder rglob skips."""
    root = tmp_path / "work"
    write(root / "pol" / "sub", "a.rego", "package a\n")
    write(root / "pol", "b.rego", "package b\n")
    write(tmp_path / "elsewhere", "c.rego", "package c\n")
    write(tmp_path / "elsewhere" / "dir", "d.rego", "package d\n")
    (root / "pol" / "c.rego").symlink_to(tmp_path / "elsewhere" / "c.rego")
    (root / "pol" / "linked").symlink_to(tmp_path / "elsewhere" / "dir")
    (root / "alias").symlink_to(root / "pol")
    return root


@pytest.mark.parametrize(
    "cwd, folder",
    [
        ("work", "pol"),  # relative folder under the working directory
        ("work", "."),  # the folder given as "."
        ("work/pol", "."),
        ("work/pol/sub", ".."),
        ("work", "alias"),  # the folder is itself a link
        ("elsewhere", "../work/pol"),  # files outside the working directory, except the linked one
        ("work", "ABSOLUTE"),
    ],
)
def test_display_paths_match_display_path(tmp_path, monkeypatch, cwd, folder):
    root = _layout(tmp_path)
    monkeypatch.chdir(tmp_path / cwd)
    where = Path(root / "pol") if folder == "ABSOLUTE" else Path(folder)
    files = iter_rego_files(where)
    assert len(files) >= 2
    assert display_paths(where, files) == [display_path(f) for f in files]


def test_display_paths_of_the_bundled_policies(monkeypatch, tmp_path):
    files = iter_rego_files(BUNDLED_POLICY_DIR)
    for cwd in (REPO_ROOT, REPO_ROOT / "policies" / "rbac", tmp_path, Path("/")):
        monkeypatch.chdir(cwd)
        assert display_paths(BUNDLED_POLICY_DIR, files) == [display_path(f) for f in files], cwd
    assert os.sep in display_paths(BUNDLED_POLICY_DIR, files)[0]


SAMPLES = [
    "deny contains x if {\n}\n",  # on the first line
    "package a.b\n\ndeny contains 1 if input.x\n\ndeny contains 2 if input.y\n",
    "# deny in a comment\n  deny indented\ndenyx := 1\n",
    "package  p.q  \n",
    "package p\r\ndeny\r\n",
    "f(x) := 1\ng (y) := 2\n\nimport data.lib.k as kk\nimport data.lib.w\nh\n(z) := 3\n",
    "applies if {\n}\napplies := true\napplies\n{\n}\n",
    "",
    "\n\n\n",
]


def test_at_line_start_matches_like_a_multiline_caret():
    from scanner.engine.builtins import FUNCTION_DEFINITION, IMPORT_LINE
    from scanner.policies import APPLIES_RULE, DENY_RULE, PACKAGE_LINE

    texts = SAMPLES + [f.read_text(encoding="utf-8") for f in iter_rego_files(BUNDLED_POLICY_DIR)]
    for fast in (PACKAGE_LINE, APPLIES_RULE, DENY_RULE, FUNCTION_DEFINITION, IMPORT_LINE):
        slow = re.compile(fast.pattern, re.MULTILINE)
        for text in texts:
            expected = slow.search(text)
            found = fast.search(text)
            assert (found is None) == (expected is None), (fast.pattern, text[:60])
            if expected is not None:
                assert (found.start(), found.groups()) == (expected.start(), expected.groups())
            assert fast.findall(text) == slow.findall(text)
            assert [(m.start(), m.groups()) for m in fast.finditer(text)] == [(m.start(), m.groups()) for m in slow.finditer(text)]
    assert DENY_RULE.search(SAMPLES[1]).start() == SAMPLES[1].index("deny")  # found where a line starts, not in "\n"


def _metadata_block_by_splitting_everything(text: str):
    """The reference: split the whole text and take the first line that starts with 'package '."""
    lines = text.splitlines()
    package_index = next((i for i, line in enumerate(lines) if line.startswith("package ")), None)
    if package_index is None:
        return None
    start = package_index
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    block = lines[start:package_index]
    marker = next((i for i, line in enumerate(block) if line.strip() == "# METADATA"), None)
    if marker is None:
        return None
    body = [(line.lstrip()[1:][1:] if line.lstrip()[1:].startswith(" ") else line.lstrip()[1:]) for line in block[marker + 1 :]]
    return "\n".join(body), start + marker + 1


def test_metadata_block_reads_only_the_head_with_the_same_answer():
    from scanner.policies import metadata_block

    meta = "# METADATA\n# title: T\n# custom:\n#   id: x\n"
    texts = [
        meta + "package a\n\ndeny if true\n",
        "package a\n",
        meta + "\n" + "package a\n",  # a blank line: not package scope
        meta + "package\tfoo\npackage b\n",  # "package\\t" is not "package "
        meta + "packages\n",
        meta.replace("\n", "\r\n") + "package a\r\n",
        meta + "x\x0cpackage a\n",  # a form feed splits a line too
        meta[:-1] + "\x0cpackage a\npackage b\n",  # ... so "package a", right below the block, comes first
        meta.replace("# title: T", "# title: T\x0c# x: 1") + "package a\n",
        meta + "\x1c" + "package a\n",
        "# METADATA\n# title: T\n" + "package a\n" + meta + "package b\n",
        "",
    ] + [f.read_text(encoding="utf-8") for f in iter_rego_files(BUNDLED_POLICY_DIR)]
    found = 0
    for text in texts:
        assert metadata_block(text) == _metadata_block_by_splitting_everything(text), text[:80]
        found += metadata_block(text) is not None
    assert found > 80


def test_yaml_reader_pattern_is_compiled_on_first_use_and_works(tmp_path):
    """PyYAML's pure-Python reader still refuses what it refused; only its compile waits until then."""
    import subprocess
    import sys

    program = (
        "import re\n"
        "compile_before = re.compile\n"
        "import scanner.sources.yaml_loader\n"
        "import yaml, yaml.reader\n"
        "assert re.compile is compile_before, 're.compile restored'\n"
        "lazy = yaml.reader.Reader.NON_PRINTABLE\n"
        "assert type(lazy).__name__ == '_CompiledOnFirstUse', type(lazy)\n"
        "try:\n"
        "    yaml.load('a: b\\x01', Loader=yaml.SafeLoader)\n"
        "except yaml.reader.ReaderError as exc:\n"
        "    print(exc)\n"
        "print(lazy.pattern == yaml.reader.Reader.NON_PRINTABLE.pattern)\n"
        "print(yaml.safe_load('a: [1, é]'))\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "unacceptable character #x0001: special characters are not allowed"
    assert lines[-2:] == ["True", "{'a': [1, 'é']}"]


def test_a_small_scan_builds_only_the_lanes_it_uses():
    """Lanes are built on first use; one Pod reaches only the lanes over Pods, with the results of an eager build."""
    from scanner.engine.embedded import EmbeddedEngine
    from scanner.policies import load_policies

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    policies = load_policies()
    lazy = EmbeddedEngine(workers=1, check_timeout=None, memory_limit=None)
    lazy.load(policies)
    found = lazy.evaluate([pod], {})
    built = {lane.engine.built for lane in lazy._lanes}
    assert built == {True, False}
    assert all(lane.engine.built == (lane.kinds is None or "Pod" in lane.kinds) for lane in lazy._lanes)
    eager = EmbeddedEngine(workers=1, check_timeout=None, memory_limit=None)
    eager.load(policies)
    for lane in eager._lanes:
        lane.engine.engine()  # built before any data is given
    again = eager.evaluate([pod], {})
    assert sorted((v.policy_id, v.path) for v in found.violations) == sorted((v.policy_id, v.path) for v in again.violations) != []


def test_a_lazy_engine_replays_the_data_given_before_it_was_built():
    import regorus

    from scanner.engine.lazy_engine import LazyEngine

    def build():
        engine = regorus.Engine()
        engine.add_policy("m.rego", "package m\n\nimport rego.v1\n\nx := data.k\n")
        return engine

    lazy = LazyEngine(build)
    lazy.add_data_json('{"stale": 1}')
    lazy.clear_data()
    lazy.add_data_json('{"k": 2}')
    assert not lazy.built
    assert lazy.eval_rule("data.m.x") == 2
    assert lazy.built
    lazy.clear_data()
    lazy.add_data_json('{"k": 3}')
    assert lazy.eval_rule("data.m.x") == 3

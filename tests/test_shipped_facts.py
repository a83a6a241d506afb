"""Issue 16, start-up: the bundled modules' AST facts are shipped in the package, keyed by each module's text.

The facts guard the load-time refusals (unknown builtins, ``http.send``-like
calls) and the inventory hand-over, so the shipped file must equal what the
live walk of regorus' AST gives, and a module whose text differs from the one
the file was made from must be parsed live, never judged by stale facts.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT, write
from scanner import policies as policies_module
from scanner.compliance import frameworks as frameworks_module
from scanner.sources.yaml_loader import load_user_yaml
from scanner.cli import main
from scanner import shipped, shipped_yaml
from scanner.engine import shipped_facts
from scanner.engine.data_refs import modules_reading_inventory

STALE = f"bundled_facts.json is stale; regenerate it with: {shipped_facts.REGENERATE}"
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers: [{name: c, image: nginx}]\n"


def test_every_bundled_module_has_facts_equal_to_the_live_walk():
    modules = shipped_facts.bundled_modules()
    assert len(modules) > 80  # the bundled checks and libraries, not an empty folder
    known, unknown = shipped_facts.split(modules)
    assert not unknown, f"{STALE} (no facts for {', '.join(m.path for m in unknown)})"
    live = shipped_facts.live_facts(modules)
    for module in modules:
        assert known[module.path] == live[module.path], f"{module.path}: {STALE}"
    # A check that reads the inventory is found by the shipped facts as by the live walk.
    assert modules_reading_inventory(known) == modules_reading_inventory(live) != set()


def test_the_files_are_exactly_what_the_generator_writes():
    """No entries for texts that no longer exist, and the command named in the docstrings makes these files."""
    for path, text in shipped.expected().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale; regenerate it with: {shipped.REGENERATE}"
    assert shipped_facts.REGENERATE == shipped_yaml.REGENERATE == shipped.REGENERATE
    for module in (shipped, shipped_facts, shipped_yaml):
        assert shipped.REGENERATE in (module.__doc__ or "")


def test_the_shipped_files_are_package_data():
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"scanner.engine" = ["bundled_facts.json"]' in pyproject
    assert '"scanner" = ["bundled_yaml.json"]' in pyproject


def _edited_bundle(tmp_path, monkeypatch, extra_rule: str) -> tuple[str, int]:
    """A copy of the bundled policies with one check edited (a rule appended); returns its file name and the rule's line."""
    folder = tmp_path / "bundled"
    shutil.copytree(policies_module.BUNDLED_POLICY_DIR, folder)
    target = folder / "pod_security" / "host_ports.rego"
    text = target.read_text(encoding="utf-8")
    original_known, _ = shipped_facts.split([policies_module.Module("x.rego", text)])
    assert original_known, "the unedited check has shipped facts (else this test proves nothing)"
    edited = text + "\n" + extra_rule + "\n"
    target.write_text(edited, encoding="utf-8")
    known, unknown = shipped_facts.split([policies_module.Module("x.rego", edited)])
    assert not known and len(unknown) == 1  # its text changed: parsed live
    monkeypatch.setattr(policies_module, "BUNDLED_POLICY_DIR", folder)
    line = len(text.splitlines()) + 2
    return "host_ports.rego", line


def _scan(tmp_path):
    write(tmp_path / "k8s", "pod.yaml", POD)
    return CliRunner().invoke(main, ["scan", "manifests", str(tmp_path / "k8s"), "-f", "json", "--quiet"])


def test_an_edited_bundled_module_calling_http_send_is_refused(tmp_path, monkeypatch):
    rule = 'leak if {\n\tinput.metadata.name == "never-matches"\n\thttp.send({"method": "GET", "url": "https://example.com"})\n}'
    name, line = _edited_bundle(tmp_path, monkeypatch, rule)
    result = _scan(tmp_path)
    assert result.exit_code == 2, result.output
    assert f"{name}:{line + 2}: http.send() is refused" in result.stderr


def test_an_edited_bundled_module_calling_an_unknown_builtin_is_refused(tmp_path, monkeypatch):
    name, line = _edited_bundle(tmp_path, monkeypatch, 'odd if {\n\tinput.metadata.name == "never-matches"\n\tno_such.builtin(input)\n}')
    result = _scan(tmp_path)
    assert result.exit_code == 2, result.output
    assert f"{name}:{line + 2}: unknown builtin function no_such.builtin()" in result.stderr


def test_an_edited_bundled_module_with_a_syntax_error_names_file_and_line(tmp_path, monkeypatch):
    name, line = _edited_bundle(tmp_path, monkeypatch, "broken if {\n\tinput.x ==\n}")
    result = _scan(tmp_path)
    assert result.exit_code == 2, result.output
    error = [text for text in result.stderr.splitlines() if name in text]
    assert error and f"{name}:{line + 2}" in error[0], result.stderr


@pytest.mark.parametrize("missing", [True, False])
def test_without_a_usable_facts_file_everything_is_parsed_live(tmp_path, monkeypatch, missing):
    """A missing or foreign-format file means no shipped facts, never a wrong one."""
    path = tmp_path / "facts.json"
    if not missing:
        path.write_text('{"format": 999, "modules": {"x": {}}}', encoding="utf-8")
    monkeypatch.setattr(shipped_facts, "FACTS_FILE", path)
    monkeypatch.setattr(shipped_facts, "_loaded", None)
    modules = shipped_facts.bundled_modules()
    known, unknown = shipped_facts.split(modules)
    assert known == {} and len(unknown) == len(modules)


# --------------------------------------------------------------------------- shipped YAML (mappings, METADATA)


def test_every_bundled_yaml_text_is_shipped_and_equal_to_the_live_parse():
    texts = shipped.bundled_yaml_texts()
    assert len(texts) > 80
    for text in texts:
        line = shipped_yaml.entry(text)
        assert line is not None, f"a bundled YAML text cannot be shipped exactly: {text[:80]!r}"
        assert line in shipped_yaml.YAML_FILE.read_text(encoding="utf-8"), STALE
        assert shipped_yaml._same(shipped_yaml.load_yaml(text), load_user_yaml(text))


def test_a_shipped_value_is_fresh_at_every_lookup():
    text = shipped.bundled_yaml_texts()[0]
    first = shipped_yaml.load_yaml(text)
    first.clear()
    assert shipped_yaml.load_yaml(text) == load_user_yaml(text) != {}


def test_not_shippable_texts_are_refused():
    assert shipped_yaml.entry("a: &x {b: 1}\nc: *x\n") is None
    assert shipped_yaml.entry("a: .inf\n") is None  # JSON has no infinity
    assert shipped_yaml.entry("a: [1\n") is None  # invalid: parsed live, which reports the line
    line = shipped_yaml.entry("a: 1.0\nb: true\n1: one\n")
    assert line is not None and line.endswith(' {"a":1.0,"b":true,"1":"one"}')


def _bundle_copy(tmp_path, monkeypatch):
    policies_copy, mappings_copy = tmp_path / "policies", tmp_path / "mappings"
    shutil.copytree(policies_module.BUNDLED_POLICY_DIR, policies_copy)
    shutil.copytree(frameworks_module.BUNDLED_MAPPING_DIR, mappings_copy)
    monkeypatch.setattr(policies_module, "BUNDLED_POLICY_DIR", policies_copy)
    monkeypatch.setattr(frameworks_module, "BUNDLED_MAPPING_DIR", mappings_copy)
    return policies_copy, mappings_copy


def test_an_edited_bundled_mapping_is_read_as_edited(tmp_path, monkeypatch):
    _policies, mappings = _bundle_copy(tmp_path, monkeypatch)
    soc2 = mappings / "soc2.yaml"
    soc2.write_text(soc2.read_text(encoding="utf-8").replace("privileged-containers", "no-such-check", 1), encoding="utf-8")
    result = _scan(tmp_path)
    assert result.exit_code == 2, result.output
    assert "soc2.yaml: control" in result.stderr and "unknown check(s): no-such-check" in result.stderr


def test_an_edited_bundled_metadata_block_is_read_as_edited(tmp_path, monkeypatch):
    policies, _mappings = _bundle_copy(tmp_path, monkeypatch)
    check = policies / "pod_security" / "host_ports.rego"
    text = check.read_text(encoding="utf-8")
    severity = re.search(r"^#   severity: (\w+)$", text, re.MULTILINE)
    assert severity is not None
    new = "info" if severity.group(1) != "info" else "critical"
    check.write_text(text.replace(severity.group(0), f"#   severity: {new}"), encoding="utf-8")
    out = tmp_path / "r.json"
    write(tmp_path / "k8s", "pod.yaml", POD)
    CliRunner().invoke(main, ["scan", "manifests", str(tmp_path / "k8s"), "-f", "json", "-o", str(out), "--quiet"])
    checks = {c["id"]: c for c in json.loads(out.read_text(encoding="utf-8"))["checks"]}
    assert checks["host-ports"]["severity"] == new

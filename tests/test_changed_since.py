"""--changed-since in a real git repository made in a temporary folder."""

from __future__ import annotations

import re
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.compliance.changes import parse_name_status
from scanner.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="--changed-since needs git on the PATH")


def pod(name: str, namespace: str = "shop") -> str:
    return f"""
        apiVersion: v1
        kind: Pod
        metadata: {{name: {name}, namespace: {namespace}}}
        spec:
          containers:
            - name: c
              image: x
              securityContext: {{privileged: true}}
    """


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def scan(folder: Path, ref: str, *extra: str):
    result = run(["scan", "manifests", str(folder), "--changed-since", ref, "--framework", "pss-baseline", "-f", "json", *extra])
    return result, json.loads(result.stdout) if result.stdout else None


def names(doc) -> list[str]:
    return sorted(f["resource"]["name"] for f in doc["findings"])


@pytest.fixture
def repo(tmp_path):
    """A repository with three committed manifests on main, and a feature branch."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    for name in ("a", "b", "c"):
        write(repo / "k8s", f"{name}.yaml", pod(name))
    write(repo, "README.md", "not yaml\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "initial")
    git(repo, "checkout", "-qb", "feature")
    return repo


def test_only_findings_in_changed_files_are_reported_and_gated(repo):
    write(repo / "k8s", "a.yaml", pod("a") + "# edited\n")
    git(repo, "commit", "-qam", "edit a")
    result, doc = scan(repo / "k8s", "main")
    assert result.exit_code == 1
    assert names(doc) == ["a"]
    changed = doc["scan"]["changed_since"]
    assert changed["ref"] == "main" and changed["files_changed"] == 1 and changed["findings_outside"] == 2
    assert changed["commit"] == git(repo, "rev-parse", "main").strip()
    assert doc["summary"]["findings"] == 1
    # the frameworks still describe the whole tree, and indexes point into the reported findings
    [fw] = doc["frameworks"]
    control = next(c for c in fw["controls"] if c["id"] == "Privileged Containers")
    assert control["status"] == "fail" and control["findings"] == [0]


def test_no_changes_reports_nothing_and_passes(repo):
    result, doc = scan(repo / "k8s", "main")
    assert result.exit_code == 0
    assert doc["findings"] == [] and doc["scan"]["changed_since"]["findings_outside"] == 3
    control = next(c for c in doc["frameworks"][0]["controls"] if c["id"] == "Privileged Containers")
    assert control["status"] == "fail" and control["reason"] == "its failing findings are in files outside --changed-since"
    table = run(["scan", "manifests", str(repo / "k8s"), "--changed-since", "main", "--framework", "pss-baseline"])
    assert "3 finding(s) in other files not shown" in table.stdout


def test_uncommitted_staged_and_untracked_files_count_as_changed(repo):
    (repo / "k8s" / "a.yaml").write_text((repo / "k8s" / "a.yaml").read_text() + "# unstaged\n")
    (repo / "k8s" / "b.yaml").write_text((repo / "k8s" / "b.yaml").read_text() + "# staged\n")
    git(repo, "add", "k8s/b.yaml")
    write(repo / "k8s", "new.yaml", pod("new"))
    write(repo, ".gitignore", "ignored.yaml\n")
    write(repo / "k8s", "ignored.yaml", pod("ignored"))
    _, doc = scan(repo / "k8s", "main")
    assert names(doc) == ["a", "b", "new"]


def test_renamed_file_counts_under_its_new_path(repo):
    git(repo, "mv", "k8s/c.yaml", "k8s/renamed.yaml")
    git(repo, "commit", "-qm", "rename c")
    _, doc = scan(repo / "k8s", "main")
    assert names(doc) == ["c"]
    assert doc["findings"][0]["origin"]["path"].endswith("k8s/renamed.yaml")


def test_cross_resource_checks_still_see_the_whole_tree(repo, tmp_path):
    policies = tmp_path / "policies"
    write(policies, "ns.rego", """
        # METADATA
        # title: Pod namespace must be declared
        # description: test
        # custom:
        #   id: pod-namespace-declared
        #   severity: high
        #   kinds: [Pod]
        #   reads: [Namespace]
        #   remediation: Declare it.
        package t.podns

        deny contains {"msg": "namespace not declared", "path": ["metadata", "namespace"]} if {
        \tnot data.inventory.cluster.v1.Namespace[input.metadata.namespace]
        }
    """)
    write(repo / "k8s", "namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "namespace")
    write(repo / "k8s", "d.yaml", pod("d") + "---\n" + pod("e", namespace="nowhere"))  # untracked, new
    result = run(["scan", "manifests", str(repo / "k8s"), "--changed-since", "main", "--policy-dir", str(policies), "-f", "json"])
    doc = json.loads(result.stdout)
    flagged = sorted(f["resource"]["name"] for f in doc["findings"] if f["policy"] == "pod-namespace-declared")
    assert flagged == ["e"]  # d's namespace is declared in an unchanged file, which the scan still read


def test_merge_base_ignores_changes_made_on_main_since_branching(repo):
    git(repo, "checkout", "-q", "main")
    write(repo / "k8s", "b.yaml", pod("b") + "# changed on main\n")
    git(repo, "commit", "-qam", "main moves on")
    git(repo, "checkout", "-q", "feature")
    write(repo / "k8s", "a.yaml", pod("a") + "# feature\n")
    git(repo, "commit", "-qam", "feature edit")
    _, doc = scan(repo / "k8s", "main")
    assert names(doc) == ["a"]  # b differs from main, but this branch did not touch it


def test_stdin_findings_are_not_narrowed(repo, monkeypatch):
    monkeypatch.chdir(repo)
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: piped}\nspec:\n  containers:\n    - {name: c, image: x, securityContext: {privileged: true}}\n"
    result = CliRunner().invoke(main, ["scan", "manifests", "-", "k8s", "--changed-since", "main", "--framework", "pss-baseline", "-f", "json"], input=text, catch_exceptions=False)
    assert names(json.loads(result.stdout)) == ["piped"]


def test_unknown_ref_is_a_one_line_error(repo):
    result = run(["scan", "manifests", str(repo / "k8s"), "--changed-since", "no-such-branch", "--quiet"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "kubecomply: error: --changed-since: unknown git revision 'no-such-branch' (fetch it first, e.g. git fetch origin main)"
    # Without --quiet the files were read first, and that phase's progress line comes before the error.
    loud = run(["scan", "manifests", str(repo / "k8s"), "--changed-since", "no-such-branch"]).stderr.strip().splitlines()
    assert re.fullmatch(r"kubecomply: read 3 files \(3 resources\) in \d+\.\d s", loud[0]) and loud[1:] == [result.stderr.strip()], loud


def test_outside_a_repository_is_a_one_line_error(tmp_path):
    write(tmp_path / "plain", "a.yaml", pod("a"))
    result = run(["scan", "manifests", str(tmp_path / "plain"), "--changed-since", "main"])
    assert result.exit_code == 2
    assert "--changed-since needs a git repository" in result.stderr
    # One error line, last; before it only progress lines of finished phases (scanner.progress).
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("kubecomply: error: ") and all(re.fullmatch(r"kubecomply: .* in \d+\.\d s", line) for line in lines[:-1]), lines


def test_parse_name_status_takes_new_paths_and_drops_deletions():
    out = b"M\0k8s/a.yaml\0R087\0old.yaml\0new.yaml\0D\0gone.yaml\0C100\0src.yaml\0copy.yaml\0A\0added.yaml\0"
    assert parse_name_status(out) == ["k8s/a.yaml", "new.yaml", "copy.yaml", "added.yaml"]

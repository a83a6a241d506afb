"""Provenance of file scans and of every scan (issue 13, item 8), driven through the CLI.

What was read (the SHA-256 of every input as read), from which commit and
whether the checkout differed from it, who and where ran the scan and in which
CI run, and a result digest that ``report`` checks before it renders.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main
from scanner.provenance import ci_run

POD = """
apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: shop}
spec:
  containers: [{name: app, image: registry.example/app:1.0}]
"""


def run(args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def scan_json(args, input=None) -> dict:
    out = run(["scan", "manifests", *args, "-f", "json"], input=input)
    assert out.exit_code in (0, 1), out.output
    return json.loads(out.stdout)


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A git checkout with three committed manifests and an ignored folder; the working directory."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for name in ("a", "b", "c"):
        write(repo, f"deploy/{name}.yaml", POD % name)
    write(repo, ".gitignore", "deploy/generated/\n")
    write(repo, "README.md", "not a manifest\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "manifests")
    monkeypatch.chdir(repo)
    return repo


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_git
def test_clean_checkout_records_commit_not_dirty_and_every_input_digest(checkout):
    doc = scan_json(["deploy"])
    [target] = doc["scan"]["targets"]
    assert target["git_commit"] == git(checkout, "rev-parse", "HEAD").strip()
    assert target["git_dirty"] is False and target["files_changed_from_head"] == []
    assert doc["scan"]["inputs"] == [
        {"path": f"deploy/{n}.yaml", "sha256": sha256(checkout / f"deploy/{n}.yaml"), "bytes": (checkout / f"deploy/{n}.yaml").stat().st_size}
        for n in ("a", "b", "c")
    ]


@needs_git
def test_uncommitted_edits_make_the_target_dirty_and_name_each_file(checkout):
    write(checkout, "deploy/a.yaml", POD % "a-edited")  # modified
    (checkout / "deploy/b.yaml").unlink()  # deleted: HEAD has a manifest the scan did not see
    write(checkout, "deploy/new.yaml", POD % "new")  # untracked
    write(checkout, "deploy/generated/gen.yaml", POD % "gen")  # git-ignored, but read by the scan
    write(checkout, "README.md", "changed, outside the scanned path\n")
    doc = scan_json(["deploy"])
    [target] = doc["scan"]["targets"]
    assert target["git_dirty"] is True
    assert target["files_changed_from_head"] == [
        {"path": "deploy/a.yaml", "status": "modified"},
        {"path": "deploy/b.yaml", "status": "deleted"},
        {"path": "deploy/generated/gen.yaml", "status": "ignored"},
        {"path": "deploy/new.yaml", "status": "untracked"},
    ]
    # the digest is of the edited bytes, the ones actually scanned
    inputs = {i["path"]: i["sha256"] for i in doc["scan"]["inputs"]}
    assert inputs["deploy/a.yaml"] == sha256(checkout / "deploy/a.yaml")
    assert set(inputs) == {"deploy/a.yaml", "deploy/c.yaml", "deploy/new.yaml", "deploy/generated/gen.yaml"}


@needs_git
def test_a_file_target_is_dirty_only_for_its_own_changes(checkout):
    write(checkout, "deploy/a.yaml", POD % "a-edited")
    doc = scan_json(["deploy/c.yaml", "deploy/a.yaml"])
    by_path = {t["path"]: t for t in doc["scan"]["targets"]}
    assert by_path["deploy/c.yaml"]["git_dirty"] is False
    assert by_path["deploy/a.yaml"]["files_changed_from_head"] == [{"path": "deploy/a.yaml", "status": "modified"}]


def test_outside_a_checkout_there_is_no_git_state_and_stdin_is_hashed_as_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    write(tmp_path, "m/x.yaml", POD % "x")
    text = POD % "piped"
    doc = scan_json(["m", "-"], input=text)
    assert all(not any(k.startswith("git") or k.startswith("files_changed") for k in t) for t in doc["scan"]["targets"])
    inputs = {i["path"]: i for i in doc["scan"]["inputs"]}
    assert inputs["-"] == {"path": "-", "sha256": hashlib.sha256(text.encode()).hexdigest(), "bytes": len(text.encode())}
    assert inputs["m/x.yaml"]["sha256"] == sha256(tmp_path / "m/x.yaml")


def test_a_file_that_could_not_be_parsed_is_still_hashed_and_one_over_the_limit_is_not(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "m/bad.yaml", "a: [unclosed\n")
    write(tmp_path, "m/big.yaml", POD % ("x" * 2000))
    out = run(["scan", "manifests", "m", "--max-file-size", "1KB", "-f", "json"])
    doc = json.loads(out.stdout)
    assert [i["path"] for i in doc["scan"]["inputs"]] == ["m/bad.yaml"]  # big.yaml was refused unread: a gap, no digest
    assert {g["path"] for g in doc["gaps"]} == {"m/bad.yaml", "m/big.yaml"}


# ------------------------------------------------------------------ who and where

def test_run_names_user_host_python_and_the_github_actions_run_without_tokens(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "m/x.yaml", POD % "x")
    for key in [k for k in __import__("os").environ if k.startswith(("GITHUB_", "GITLAB", "CI_", "JENKINS", "BUILD", "TF_BUILD", "CIRCLE", "BUILDKITE"))] + ["CI"]:
        monkeypatch.delenv(key, raising=False)
    env = {
        "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "2",
        "GITHUB_SHA": "0123abcd", "GITHUB_REF": "refs/heads/main", "GITHUB_WORKFLOW": "compliance", "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_TOKEN": "ghs_secretvalue123", "ACTIONS_RUNTIME_TOKEN": "runtime-secret-456",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    doc = scan_json(["m"])
    run_info = doc["scan"]["run"]
    assert run_info["user"] and run_info["host"] and run_info["python"].count(".") == 2
    assert run_info["ci"] == {
        "provider": "github-actions", "repository": "acme/shop", "run_id": "4242", "run_attempt": "2", "commit": "0123abcd",
        "ref": "refs/heads/main", "workflow": "compliance", "run_url": "https://github.com/acme/shop/actions/runs/4242/attempts/2",
    }
    text = json.dumps(doc)
    assert "ghs_secretvalue123" not in text and "runtime-secret-456" not in text


@pytest.mark.parametrize("env, expected", [
    ({"GITLAB_CI": "true", "CI_PROJECT_PATH": "g/p", "CI_PIPELINE_ID": "7", "CI_JOB_ID": "70", "CI_JOB_URL": "https://gitlab.example/g/p/-/jobs/70",
      "CI_COMMIT_SHA": "abc", "CI_JOB_TOKEN": "glcbt-secret"},
     {"provider": "gitlab-ci", "repository": "g/p", "run_id": "7", "job": "70", "commit": "abc", "run_url": "https://gitlab.example/g/p/-/jobs/70"}),
    ({"JENKINS_URL": "https://ci.example/", "BUILD_URL": "https://bob:hunter2@ci.example/job/shop/12/", "BUILD_NUMBER": "12", "JOB_NAME": "shop"},
     {"provider": "jenkins", "job": "shop", "run_id": "12", "run_url": "https://ci.example/job/shop/12/"}),  # user info dropped from the URL
    ({"TF_BUILD": "True", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "shop", "BUILD_BUILDID": "99", "SYSTEM_ACCESSTOKEN": "x"},
     {"provider": "azure-pipelines", "run_id": "99", "run_url": "https://dev.azure.com/acme/shop/_build/results?buildId=99"}),
    ({"CI": "true"}, {"provider": "unknown"}),
    ({}, None),
])
def test_ci_run_reads_only_the_providers_named_variables(env, expected):
    found = ci_run(env)
    assert found == expected
    assert "secret" not in json.dumps(found) and "hunter2" not in json.dumps(found)


# ------------------------------------------------------------------ result digest

def canonical_digest(doc: dict) -> str:
    """The documented definition, written out again: SHA-256 of the canonical JSON without scan.result_digest."""
    rest = json.loads(json.dumps(doc))
    del rest["scan"]["result_digest"]
    data = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def saved(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "m/x.yaml", POD % "x")
    out = tmp_path / "results.json"
    assert run(["scan", "manifests", "m", "-f", "json", "-o", out]).exit_code in (0, 1)
    return out


def test_the_result_carries_its_digest_as_documented(saved):
    doc = json.loads(saved.read_text(encoding="utf-8"))
    assert doc["scan"]["result_digest"] == canonical_digest(doc)
    again = run(["report", saved, "-f", "json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["scan"]["result_digest"] == doc["scan"]["result_digest"]


def test_report_refuses_a_changed_result_unless_told_not_to_verify(saved):
    doc = json.loads(saved.read_text(encoding="utf-8"))
    doc["summary"]["findings"] = 0  # an edit after the scan
    saved.write_text(json.dumps(doc), encoding="utf-8")
    refused = run(["report", saved, "-f", "markdown"])
    assert refused.exit_code == 2 and refused.stdout == ""
    [line] = refused.stderr.strip().splitlines()
    assert "does not match its scan.result_digest" in line and "--no-verify" in line
    forced = run(["report", saved, "-f", "markdown", "--no-verify"])
    assert forced.exit_code == 0 and forced.stdout
    assert "warning" in forced.stderr and "does not match" in forced.stderr


def test_an_older_result_without_a_digest_still_renders(saved):
    doc = json.loads(saved.read_text(encoding="utf-8"))
    del doc["scan"]["result_digest"], doc["scan"]["run"], doc["scan"]["inputs"]
    saved.write_text(json.dumps(doc), encoding="utf-8")
    out = run(["report", saved, "-f", "markdown"])
    assert out.exit_code == 0 and out.stderr == ""


@needs_git
def test_reports_show_the_commit_the_dirty_state_and_the_ci_run(checkout, monkeypatch):
    for key in ("GITLAB_CI", "JENKINS_URL", "TF_BUILD", "CIRCLECI", "BUILDKITE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "77"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GITHUB_RUN_ATTEMPT", raising=False)
    write(checkout, "deploy/a.yaml", POD % "a-edited")
    commit = git(checkout, "rev-parse", "HEAD").strip()[:12]
    saved = checkout / "results.json"
    run(["scan", "manifests", "deploy", "-f", "json", "-o", saved])
    digest = json.loads(saved.read_text(encoding="utf-8"))["scan"]["result_digest"]
    expected = f"deploy: commit {commit}, DIRTY: 1 file(s) differ from the commit"
    ci_url = "https://github.com/acme/shop/actions/runs/77"
    table = run(["report", saved]).stdout
    assert expected in table.split("\n\n", 1)[0] and ci_url in table.split("\n\n", 1)[0]  # in the header lines
    markdown = run(["report", saved, "-f", "markdown"]).stdout
    assert f"- {expected}" in markdown and ci_url in markdown
    html = run(["report", saved, "-f", "html"]).stdout
    method = html.split('<section id="method"', 1)[1].split("</section>", 1)[0]
    assert expected in method and ci_url in method and digest in method


def test_files_read_by_forked_readers_are_hashed_as_well(tmp_path, monkeypatch):
    """Over PARALLEL_MINIMUM_BYTES the files are read by several processes; their digests come back with the rest."""
    from scanner.sources.manifests import PARALLEL_MINIMUM_BYTES

    monkeypatch.chdir(tmp_path)
    filler = "x" * 20_000
    count = PARALLEL_MINIMUM_BYTES // 20_000 + 10
    for i in range(count):
        write(tmp_path, f"m/cm-{i:03d}.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: shop}}\ndata: {{filler: {filler}}}\n")
    doc = scan_json(["m", "--workers", "2"])
    assert doc["summary"]["resources"] == count
    assert doc["scan"]["inputs"] == [
        {"path": f"m/cm-{i:03d}.yaml", "sha256": sha256(tmp_path / f"m/cm-{i:03d}.yaml"), "bytes": (tmp_path / f"m/cm-{i:03d}.yaml").stat().st_size}
        for i in range(count)
    ]

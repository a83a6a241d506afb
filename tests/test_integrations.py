"""The CI integrations under integrations/ and .pre-commit-hooks.yaml, checked the way their tools check them.

No network here, so nothing runs on GitHub or GitLab.  Instead:

* the GitHub Action and the GitLab template are validated against the JSON
  Schemas those services publish (SchemaStore's, vendored by check-jsonschema),
  then against the rules the schemas cannot express (a composite step with
  ``run`` needs ``shell``; every ``inputs.x`` and ``steps.y`` referenced exists);
* their shell lines are run here with bash the way the runners run them
  (GitHub: ``bash --noprofile --norc -eo pipefail``; GitLab: one shell with
  ``set -eo pipefail``), inputs substituted, on the bundled examples, so the
  kubecomply commands they type are proven to work and the exit code to survive;
* the pre-commit hook is checked by ``pre-commit validate-manifest`` and run
  by ``pre-commit try-repo`` on a temporary git clone, which installs the
  package into pre-commit's own virtualenv from this checkout, as users get it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from conftest import REPO_ROOT
from scanner.cli import main
from scanner.reports import FILE_FORMATS, FORMATS

ACTION = REPO_ROOT / "integrations/github/action.yml"
GITLAB = REPO_ROOT / "integrations/gitlab/kubecomply.gitlab-ci.yml"
HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"
EXAMPLES = REPO_ROOT / "examples"
BIN = Path(sys.executable).parent
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
HAS_MARKDOWN = "markdown" in FORMATS
needs_markdown = pytest.mark.skipif(not HAS_MARKDOWN, reason="-f markdown is not registered in this build (issue 7, part 4, built beside this)")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_schema(builtin: str, path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", builtin, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def scan_command(name: str) -> click.Command:
    return main.commands["scan"].commands[name]  # type: ignore[attr-defined]


def option_names(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", [])} | {"--help", "-h"}


def examples_workspace(tmp_path: Path) -> Path:
    """A repository-like folder with the examples, as a checkout would have them."""
    work = tmp_path / "repo"
    shutil.copytree(EXAMPLES, work / "examples")
    return work


def shell_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "KC_", "KUBECOMPLY_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


# ---------------------------------------------------------------- GitHub Action

def test_action_matches_the_action_metadata_schema():
    check_schema("vendor.github-actions", ACTION)


def test_action_rules_the_schema_does_not_cover():
    action = load(ACTION)
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    for name, spec in action["inputs"].items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name) and spec.get("description")
        assert isinstance(spec.get("default", ""), str), f"input {name}: defaults are strings"
    seen_ids: set[str] = set()
    for step in action["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell"), f"composite step {step.get('name')!r} runs a script and must name its shell"
            # inputs reach scripts through env, never pasted into the script (shell injection)
            assert "${{" not in step["run"], step["name"]
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", step["uses"]), f"pin {step['uses']} to a version"
        text = yaml.safe_dump(step)
        for expr in EXPRESSION.findall(text) + ([step["if"]] if "if" in step else []):
            for ref in re.findall(r"\binputs\.([\w-]+)", expr):
                assert ref in declared, f"step {step['name']!r} uses undeclared input {ref!r}"
            for ref in re.findall(r"\bsteps\.([\w-]+)\.", expr):
                assert ref in seen_ids, f"step {step['name']!r} reads step {ref!r} before it ran"
        if "id" in step:
            seen_ids.add(step["id"])
    scan_script = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")["run"]
    for name, spec in action["outputs"].items():
        [(step_id, output)] = re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", spec["value"])
        assert step_id == "scan" and f'echo "{output}=' in scan_script, f"output {name} is never written"
    uploads = [s for s in action["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == 1 and "sarif_file" in uploads[0]["with"]


class ActionRun:
    """Runs the action's `run` steps the way a GitHub runner does; `uses` steps are recorded, not run."""

    def __init__(self, workspace: Path, inputs: dict[str, str], skip: set[str]):
        action = load(ACTION)
        self.inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
        self.inputs.update(inputs)
        self.steps = action["runs"]["steps"]
        self.workspace = workspace
        self.skip = skip
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = workspace.parent / "step-summary.md"
        self.summary.write_text("")
        self.temp = workspace.parent / "runner-temp"
        self.temp.mkdir(exist_ok=True)
        self.used: list[str] = []
        self.ran: list[str] = []
        self.logs: list[str] = []

    def value(self, expr: str) -> str:
        if expr.startswith("inputs."):
            return self.inputs[expr[len("inputs."):]]
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if match:
            return self.outputs.get(match.group(1), {}).get(match.group(2), "")
        if expr == "runner.temp":
            return str(self.temp)
        raise AssertionError(f"the emulator does not know {expr!r}; teach it or simplify the action")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, expr: str) -> bool:
        result = True
        for part in expr.split("&&"):
            match = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
            assert match, f"the emulator reads only `a == 'b'` conditions joined by &&: {expr!r}"
            equal = self.value(match.group(1)) == match.group(3)
            result = result and (equal if match.group(2) == "==" else not equal)
        return result

    def run(self) -> int:
        for step in self.steps:
            if "if" in step and not self.condition(step["if"]):
                continue
            if "uses" in step:
                self.used.append(step["uses"].split("@")[0])
                continue
            if step["name"] in self.skip:
                continue
            assert step["shell"] == "bash"
            output_file = self.temp / "github-output"
            output_file.write_text("")
            env = shell_env(
                GITHUB_OUTPUT=str(output_file), GITHUB_STEP_SUMMARY=str(self.summary), GITHUB_WORKSPACE=str(self.workspace),
                GITHUB_ACTION_PATH=str(ACTION.parent), RUNNER_TEMP=str(self.temp),
                **{k: self.substitute(v) for k, v in step.get("env", {}).items()},
            )
            script = self.temp / "step.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace, env=env,
                                  capture_output=True, text=True, timeout=300)
            self.ran.append(step["name"])
            self.logs.append(done.stdout + done.stderr)
            if "id" in step:
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
            if done.returncode != 0:
                return done.returncode  # a failing step ends the job, as on GitHub
        return 0


def test_action_runs_the_scan_writes_sarif_and_keeps_the_exit_code(tmp_path):
    """Install is skipped (kubecomply is installed here); the scan, SARIF and exit steps run for real."""
    workspace = examples_workspace(tmp_path)
    skip = {"Install kubecomply"} | (set() if HAS_MARKDOWN else {"Step summary"})
    run = ActionRun(workspace, {"paths": "examples/manifests", "frameworks": "pss-baseline, pss-restricted",
                                "args": "--waivers examples/waivers.yaml --policy-dir examples/policies"}, skip)
    assert run.run() == 1, run.logs  # the examples hold deliberate violations
    assert run.ran[-1] == "Exit with the scan's code"
    assert run.used == ["actions/setup-python", "github/codeql-action/upload-sarif"]
    outputs = run.outputs["scan"]
    assert outputs["exit-code"] == "1"
    sarif = yaml.safe_load((workspace / outputs["sarif-file"]).read_text())  # JSON is YAML
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "examples/manifests/payments/payments-api.yaml" in uris  # repository paths, as code scanning wants
    assert "+ kubecomply scan manifests examples/manifests --format json" in run.logs[0]
    assert "--framework pss-baseline --framework pss-restricted" in run.logs[0]


def test_action_exit_codes_0_and_2(tmp_path):
    workspace = examples_workspace(tmp_path)
    skip = {"Install kubecomply", "Step summary"}
    clean = ActionRun(workspace, {"paths": "examples/manifests", "fail-on": "none"}, skip)
    assert clean.run() == 0 and clean.outputs["scan"]["exit-code"] == "0"
    broken = ActionRun(workspace, {"paths": "no-such-folder"}, skip)
    assert broken.run() == 2
    assert broken.outputs["scan"]["sarif-file"] == ""  # nothing written: upload and summary are skipped
    assert broken.used == ["actions/setup-python"]


@needs_markdown
def test_action_writes_the_markdown_step_summary(tmp_path):
    run = ActionRun(examples_workspace(tmp_path), {"paths": "examples/manifests"}, {"Install kubecomply"})
    assert run.run() == 1
    assert "Step summary" in run.ran
    assert "privileged-containers" in run.summary.read_text()


# ---------------------------------------------------------------- GitLab CI

def test_gitlab_template_matches_the_gitlab_ci_schema():
    check_schema("vendor.gitlab-ci", GITLAB)


def test_gitlab_template_keys_and_artifacts():
    template = load(GITLAB)
    job = template["kubecomply"]
    assert job["extends"] == ".kubecomply"
    hidden = template[".kubecomply"]
    assert hidden["image"] and hidden["stage"] == "test" and hidden["script"]
    artifacts = hidden["artifacts"]
    assert artifacts["when"] == "always"  # reports are kept when findings fail the job
    assert artifacts["reports"]["junit"] == "kubecomply-junit.xml"
    assert {"kubecomply-results.json", "kubecomply-report.html"} <= set(artifacts["paths"])


def kubecomply_invocations(script: list[str]) -> list[list[str]]:
    calls = []
    for line in script:
        for part in re.split(r";|\|\||&&|\bthen\b|\bfi\b", line):
            words = shlex.split(part.strip())
            if words and words[0] == "kubecomply":
                calls.append(words[1:])
    return calls


def test_gitlab_template_calls_existing_commands_and_options():
    """Every kubecomply call in the script names a real command and real options (as click parses them)."""
    calls = kubecomply_invocations(load(GITLAB)[".kubecomply"]["script"])
    assert len(calls) >= 4
    for args in calls:
        if args[0] == "scan":
            commands = [scan_command(name) for name in ("manifests", "kustomize", "helm")]  # $KUBECOMPLY_COMMAND
        else:
            commands = [main.commands[args[0]]]
        for command in commands:
            known = option_names(command)
            for word in args:
                if word.startswith("-") and not word.startswith("$"):
                    assert word in known, f"{command.name} has no option {word}"
        if "--format" in args:
            assert args[args.index("--format") + 1] in (*FORMATS, *FILE_FORMATS)


def test_gitlab_script_runs_like_the_runner(tmp_path):
    """The script lines in one bash with `set -eo pipefail`, job variables set; pip install skipped (installed here)."""
    job = load(GITLAB)[".kubecomply"]
    workspace = examples_workspace(tmp_path)
    lines = [line for line in job["script"] if "pip install" not in line]
    script = tmp_path / "job.sh"
    script.write_text("set -eo pipefail\n" + "\n".join(lines) + "\n")
    variables = {**job["variables"], "KUBECOMPLY_PATHS": "examples/manifests", "KUBECOMPLY_FRAMEWORKS": "pss-restricted",
                 "KUBECOMPLY_ARGS": "--waivers examples/waivers.yaml --policy-dir examples/policies"}
    done = subprocess.run(["bash", "--noprofile", "--norc", str(script)], cwd=workspace, env=shell_env(**variables), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr  # the scan's exit code fails the job
    junit = ET.parse(workspace / "kubecomply-junit.xml").getroot()
    assert junit.tag == "testsuites" and int(junit.get("failures", "0")) > 0
    assert (workspace / "kubecomply-report.html").read_text().startswith("<!DOCTYPE html>")
    assert (workspace / "kubecomply.sarif").stat().st_size > 0
    assert "privileged-containers" in done.stdout  # the table in the job log
    for path in load(GITLAB)[".kubecomply"]["artifacts"]["paths"]:
        assert (workspace / path).exists(), path


# ---------------------------------------------------------------- pre-commit

def test_hook_manifest_fields():
    [hook] = load(HOOKS)
    assert {"id", "name", "entry", "language"} <= set(hook)  # what pre-commit requires
    assert hook["id"] == "kubecomply" and hook["language"] == "python" and hook["pass_filenames"] is True
    assert hook["entry"].split()[:3] == ["kubecomply", "scan", "manifests"]
    assert all(word in option_names(scan_command("manifests")) for word in hook["entry"].split()[3:])
    pattern = re.compile(hook["files"])
    assert all(pattern.search(name) for name in ("a.yaml", "k8s/b.yml", "c.json"))
    assert not any(pattern.search(name) for name in ("a.py", "README.md", "yaml.txt"))


pre_commit = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
needs_pre_commit = pytest.mark.skipif(pre_commit is None, reason="pre-commit is not installed (it is in the test extra)")


@needs_pre_commit
def test_hook_manifest_passes_pre_commit_validation():
    done = subprocess.run([pre_commit, "validate-manifest", str(HOOKS)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, check=True, capture_output=True, timeout=120)


@needs_pre_commit
def test_hook_runs_through_pre_commit_try_repo(tmp_path):
    """A temporary clone (the checkout's files as they are now), then `pre-commit try-repo . kubecomply --files ...`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT, capture_output=True, check=True, timeout=60).stdout
    clone = tmp_path / "clone"
    for name in filter(None, listed.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    git(clone, "init", "-q")
    git(clone, "add", ".")
    git(clone, "commit", "-q", "-m", "snapshot")
    env = shell_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    env.pop("VIRTUAL_ENV", None)

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "try-repo", ".", "kubecomply", "--verbose", "--files", *files], cwd=clone, env=env,
                              capture_output=True, text=True, timeout=600)

    failing = try_repo("examples/manifests/payments/payments-api.yaml", "examples/manifests/shop/frontend.yaml")
    log = failing.stdout + failing.stderr
    if failing.returncode != 0 and "Installing environment" in log and "kubecomply (Kubernetes compliance scan)" not in log:
        pytest.fail(f"pre-commit could not install the hook's environment:\n{log[-3000:]}")
    assert failing.returncode == 1, log
    assert "privileged-containers" in log and "payments-api" in log and "kubecomply: exit 1" in log

    # a commit that stages only YAML that is not Kubernetes passes: --allow-empty (each try-repo installs afresh, ~30 s)
    clean = try_repo(".pre-commit-hooks.yaml", "integrations/gitlab/kubecomply.gitlab-ci.yml")
    assert clean.returncode == 0, clean.stdout + clean.stderr

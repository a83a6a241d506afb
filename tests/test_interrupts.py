"""Unexpected errors exit 2 with one line; Ctrl-C exits 130 after cleaning up (issue 15, item 5).

The interrupt tests run the real command in a subprocess and send it SIGINT while
it is busy: evaluating in forked workers, pushing to an OPA server, or waiting
on a cluster's answer.
"""

from __future__ import annotations

import os
import shutil
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO_ROOT, check_module, write

from scanner.cli import main

# Slow enough that evaluation takes seconds, in many short engine calls (one per lane of
# twelve checks and batch), as real checks do: Python can only act on a signal between calls.
SLOW_CHECK = """
deny contains {"msg": "never", "path": ["data"]} if {
    count([x | some x in numbers.range(1, 100); x % 7 == 0]) < 0
}
"""
SLOW_CHECKS = 48


def kubecomply(args, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("KUBECOMPLY_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "scanner", *[str(a) for a in args]], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return out


def alive(pid: int) -> bool:
    """Running (a zombie left for an init that does not reap counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def interrupt(proc: subprocess.Popen, group: bool = False) -> tuple[int, str, str, float]:
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    return proc.returncode, stdout, stderr, time.monotonic() - sent


# ------------------------------------------------------------------ unexpected errors


def test_unexpected_exception_exits_2_with_one_line_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    import scanner.compliance.gates

    def broken(*_args, **_kwargs):
        raise RuntimeError("evaluate_gates blew up\nsecond line")

    monkeypatch.setattr(scanner.compliance.gates, "evaluate_gates", broken)
    manifests = write(tmp_path, "app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    out = CliRunner().invoke(main, ["scan", "manifests", str(manifests), "--quiet"])  # only the error line
    assert out.exit_code == 2, out.output  # not 1: CI must not read a crash as findings
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("kubecomply: error: kubecomply scan manifests failed unexpectedly at scanner/cli.py:")
    assert "in run_scan: RuntimeError: evaluate_gates blew up second line" in lines[0]
    assert "--debug" in lines[0] and "Traceback" not in out.stderr

    debug = CliRunner().invoke(main, ["--debug", "scan", "manifests", str(manifests)])
    assert debug.exit_code == 2
    assert "Traceback (most recent call last)" in debug.stderr and "RuntimeError: evaluate_gates blew up" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("kubecomply: error: kubecomply scan manifests failed unexpectedly")


def test_unexpected_error_text_is_redacted_and_shown_safely(tmp_path, monkeypatch):
    import scanner.compliance.gates

    def broken(*_args, **_kwargs):
        raise ValueError("bad value password=hunter2 in \x1b]0;owned\x07 name")

    monkeypatch.setattr(scanner.compliance.gates, "evaluate_gates", broken)
    manifests = write(tmp_path, "app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    out = CliRunner().invoke(main, ["scan", "manifests", str(manifests), "--quiet"])  # only the error line
    assert out.exit_code == 2
    assert "hunter2" not in out.stderr and "\x1b" not in out.stderr and "\\x1b]0;owned\\x07" in out.stderr


# ------------------------------------------------------------------ Ctrl-C


def last_line(stderr: str) -> str:
    """The interrupt line, which names the phase; before it only the progress lines of finished phases (scanner.progress)."""
    lines = stderr.strip().splitlines()
    assert all(re.fullmatch(r"kubecomply: .* in \d+\.\d s", line) for line in lines[:-1]), lines
    return lines[-1]


@pytest.fixture
def slow_scan(tmp_path):
    """2,000 ConfigMaps and checks that take a while on each: evaluation is forked and long."""
    policies = tmp_path / "policies"
    for i in range(SLOW_CHECKS):
        write(policies, f"slow{i}.rego", check_module(f"slow-check-{i}", f"test.slow_check_{i}", SLOW_CHECK, kinds="[ConfigMap]", severity="low"))
    docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}", "namespace": "x"}, "data": {"a": "b"}} for i in range(2000)]
    manifests = tmp_path / "cms.yaml"
    manifests.write_text(yaml.safe_dump_all(docs))
    return ["scan", "manifests", manifests, "--policy-dir", policies, "--workers", "2", "-f", "json", "-o", tmp_path / "out.json"]


@pytest.mark.parametrize("group", [False, True], ids=["parent-only", "process-group"])
def test_sigint_during_forked_evaluation_exits_130_and_ends_the_workers(slow_scan, tmp_path, group):
    proc = kubecomply(slow_scan, start_new_session=True)
    wait_for(lambda: children(proc.pid) or proc.poll() is not None, 120, "forked evaluation workers")
    workers = children(proc.pid)
    assert workers, proc.communicate()
    time.sleep(0.5)
    code, _stdout, stderr, took = interrupt(proc, group)
    assert code == 130, stderr
    assert last_line(stderr) == "kubecomply: interrupted (SIGINT) while evaluating: the scan did not finish"
    assert took < 15
    wait_for(lambda: not any(alive(pid) for pid in workers), 10, "the workers to end")
    assert not (tmp_path / "out.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.json")]  # no temporary output left


def test_sigterm_is_cleaned_up_like_sigint(slow_scan):
    proc = kubecomply(slow_scan, start_new_session=True)
    wait_for(lambda: children(proc.pid) or proc.poll() is not None, 120, "forked evaluation workers")
    workers = children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert last_line(stderr) == "kubecomply: terminated (SIGTERM) while evaluating: the scan did not finish"
    wait_for(lambda: not any(alive(pid) for pid in workers), 10, "the workers to end")


def test_sigint_with_opa_engine_deletes_what_was_pushed(tmp_path):
    from opa_fixture import OpaFixture

    with OpaFixture() as opa:
        manifests = write(tmp_path, "app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: x}\nspec: {template: {spec: {containers: [{name: c, image: i}]}}}\n")
        proc = kubecomply(["scan", "manifests", manifests, "--engine", "opa", "--opa-url", opa.url, "-f", "json"])
        wait_for(lambda: opa.requests("PUT", "/v1/policies/") or proc.poll() is not None, 60, "the first module upload")
        with opa.lock:
            opa.state.delay = 3.0  # every later request hangs: the scan is mid-upload or mid-query
        time.sleep(0.5)
        with opa.lock:
            opa.state.delay = 0.0  # the cleanup after the interrupt is answered at once
        code, _stdout, stderr, _took = interrupt(proc)
        assert code == 130, stderr
        assert "Traceback" not in stderr
        assert opa.requests("DELETE", "/v1/policies/")
        with opa.lock:
            assert opa.state.policies == {}, sorted(opa.state.policies)
            assert not opa.state.data


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make the fixture server's certificates")
def test_sigint_while_waiting_for_the_cluster_exits_130_at_once(tmp_path):
    pytest.importorskip("kubernetes")
    from cluster_helpers import cluster_objects
    from k8s_fixture_server import Fault, K8sFixture, make_tls

    with K8sFixture(cluster_objects(), tls=make_tls(tmp_path / "tls")) as server:
        for plural in ("pods", "deployments", "secrets", "configmaps"):
            server.fault(plural, Fault(delay=30, times=None))
        config = server.kubeconfig(tmp_path / "kubeconfig")
        proc = kubecomply(["scan", "cluster", "--kubeconfig", config, "--request-timeout", "60", "-f", "json"])
        wait_for(lambda: server.requests_for("pods") or proc.poll() is not None, 60, "the list of pods")
        time.sleep(0.3)
        code, stdout, stderr, took = interrupt(proc)
        assert code == 130, stderr
        assert took < 5, took  # not the 30 s the server takes, nor the 60 s request timeout
        assert last_line(stderr) == "kubecomply: interrupted (SIGINT) while collecting: the scan did not finish"
        assert stdout == ""

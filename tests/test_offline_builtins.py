"""Issue 15 item 2: builtins whose answer is not a fact about the input are refused at load.

regorus' ``http.send`` and ``opa.runtime`` are stubs that return nothing, so a
check built on them was "evaluated, no finding" and its controls passed.  Each
refused builtin is an exit-2 error naming file and line, even when the call sits
behind a condition no resource meets; a module can accept one explicitly in its
METADATA (``custom.allow_builtins``).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import check_module, write
from scanner.cli import main
from scanner.offline_builtins import NOT_OFFLINE

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: c, image: nginx}]
"""

CALLS = {
    "http.send": 'http.send({"method": "GET", "url": "https://example.com"})',
    "opa.runtime": "opa.runtime()",
    "net.lookup_ip_addr": 'net.lookup_ip_addr("example.com")',
    "rand.intn": 'rand.intn("k", 10)',
    "uuid.rfc4122": 'uuid.rfc4122("k")',
    "time.now_ns": "time.now_ns()",
}


def _check(name: str, call: str, allow: str | None = None) -> str:
    text = check_module(
        "stub-user", "user.stub",
        f"""
        deny contains result if {{
            input.metadata.name == "never-matches"
            x := {call}
            x == "unlikely"
            result := {{"msg": "m", "path": ["metadata"]}}
        }}
        """,
    )
    if allow:
        text = text.replace("#   remediation: Fix it.\n", f"#   remediation: Fix it.\n#   allow_builtins: [{allow}]\n")
    return text


def _scan(tmp_path, policy_text: str, *extra: str):
    write(tmp_path / "policies", "stub.rego", policy_text)
    write(tmp_path / "k8s", "app.yaml", DEPLOYMENT)
    # --quiet: the tests read the one error line, without the per-phase progress lines before it.
    return CliRunner().invoke(main, ["scan", "manifests", str(tmp_path / "k8s"), "--policy-dir", str(tmp_path / "policies"), "-f", "json", "--quiet", *extra])


def test_every_listed_builtin_has_a_call():
    assert set(CALLS) == set(NOT_OFFLINE)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_refused_with_file_and_line(tmp_path, name):
    result = _scan(tmp_path, _check(name, CALLS[name]))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    text = (tmp_path / "policies" / "stub.rego").read_text().splitlines()
    line = next(i for i, t in enumerate(text, start=1) if name + "(" in t)
    assert f"stub.rego:{line}: {name}() is refused" in lines[0]
    assert "custom.allow_builtins" in lines[0]


def test_allowed_in_metadata_loads_and_runs(tmp_path):
    result = _scan(tmp_path, _check("time.now_ns", CALLS["time.now_ns"], allow="time.now_ns"))
    assert result.exit_code == 1, result.stderr  # bundled checks find things; no load error
    assert "refused" not in result.stderr


def test_allowing_one_does_not_allow_another(tmp_path):
    result = _scan(tmp_path, _check("http.send", CALLS["http.send"], allow="time.now_ns"))
    assert result.exit_code == 2
    assert "http.send() is refused" in result.stderr


def test_allow_builtins_rejects_names_that_need_no_allowing(tmp_path):
    result = _scan(tmp_path, _check("time.now_ns", CALLS["time.now_ns"], allow="count"))
    assert result.exit_code == 2
    assert "stub.rego:" in result.stderr and "allow_builtins names count" in result.stderr


def test_library_calls_are_refused_too(tmp_path):
    write(tmp_path / "policies", "lib.rego", "package user.lib\n\nnow := time.now_ns()\n")
    result = _scan(tmp_path, check_module("stub-user", "user.stub", 'deny contains {"msg": "m"} if { data.user.lib.now < 0 }'))
    assert result.exit_code == 2
    assert "lib.rego:3: time.now_ns() is refused" in result.stderr


def test_policy_test_refuses_too(tmp_path):
    write(tmp_path / "policies", "stub.rego", _check("http.send", CALLS["http.send"]))
    result = CliRunner().invoke(main, ["policy", "test", "--policy-dir", str(tmp_path / "policies")])
    assert result.exit_code == 2
    assert "http.send() is refused" in result.stderr


def test_opa_engine_refuses_before_contacting_the_server(tmp_path):
    """No server at this URL: the refusal must come first, not a connection error."""
    result = _scan(tmp_path, _check("http.send", CALLS["http.send"]), "--engine", "opa", "--opa-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "http.send() is refused" in result.stderr

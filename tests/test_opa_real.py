"""The OPA engine against the REAL OPA that `make tools` builds (tests/tools/).

tests/test_opa_engine.py checks the wire protocol against a fixture that answers with regorus
and can fake faults a real server will not produce on demand (dropped connections, a 500 at a
chosen request). Here every answer comes from OPA itself: its compiler rejecting a module, a
builtin error under strict-builtin-errors, its request size limit, token authentication with
a system authz policy, TLS, and what it answers once a scan's policies are gone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT, check_module, write
from real_opa import RealOpa
from scanner.cli import main
from scanner.engine import EngineError, Evaluation
from scanner.engine.opa_server import OpaServerEngine
from scanner.policies import PolicyError, load_policies
from tools import require_tool


@pytest.fixture(scope="module")
def opa_bin() -> Path:
    return require_tool("opa")


@pytest.fixture(scope="module")
def opa(opa_bin):
    with RealOpa() as server:
        yield server


def deployment(name: str, privileged: bool = False, pad: int = 0) -> dict:
    container = {"name": "app", "image": "registry.example/app:1.0", "securityContext": {"privileged": privileged}}
    if pad:
        container["env"] = [{"name": "PAD", "value": "x" * pad}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }


def policies_on(server: RealOpa, token: str | None = None) -> list[str]:
    request = urllib.request.Request(f"{server.url}/v1/policies")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return [p["id"] for p in json.load(response)["result"]]


# ---------------------------------------------------------------- the opa CLI on our policies

def test_opa_check_strict_passes_on_the_bundled_and_example_policies(opa_bin):
    result = subprocess.run([str(opa_bin), "check", "--strict", "policies", "examples/policies"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_opa_fmt_has_nothing_to_change(opa_bin):
    result = subprocess.run([str(opa_bin), "fmt", "--list", "policies", "examples/policies"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def opa_test_results(opa_bin: Path, *folders: str) -> dict[tuple[str, str], bool]:
    result = subprocess.run([str(opa_bin), "test", "--format", "json", *folders], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.stdout.strip(), result.stderr
    return {(r["location"]["file"], r["name"]): not (r.get("fail") or r.get("error")) for r in json.loads(result.stdout)}


def policy_test_results(*args: str) -> dict[tuple[str, str], bool]:
    result = CliRunner().invoke(main, ["policy", "test", "-v", *args])
    outcomes: dict[tuple[str, str], bool] = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition("  ")
        if status in ("PASS", "FAIL", "ERROR") and ": " in rest:
            file, _, name = rest.partition(": ")
            outcomes[(file, name)] = status == "PASS"
    return outcomes


def test_opa_test_and_kubecomply_policy_test_agree_test_by_test(opa_bin):
    opa = opa_test_results(opa_bin, "policies", "examples/policies")
    ours = policy_test_results("--policy-dir", "examples/policies")
    assert len(opa) > 500
    assert set(opa) == set(ours)
    assert opa == ours
    assert all(opa.values())


# ---------------------------------------------------------------- error paths, answered by OPA
#
# Through the engine with a few checks of the test's own: every scan through the CLI pushes the
# whole bundled library, and OPA recompiles every module on each PUT and DELETE (about 40 s
# each way for the library on the 2-core machine), which the parity test pays once.

PRIVILEGED = 'deny contains {"msg": "privileged", "path": ["spec"]} if {\n\tsome c in input.spec.template.spec.containers\n\tc.securityContext.privileged == true\n}'
NUMBERED = 'deny contains "bad number" if {\n\tto_number(input.metadata.name) > 1\n}'


@pytest.fixture(scope="module")
def small_policies(tmp_path_factory):
    folder = tmp_path_factory.mktemp("policies")
    write(folder, "privileged.rego", check_module("privileged", "custom.privileged", PRIVILEGED))
    return load_policies([folder], include_bundled=False)


def evaluate(engine: OpaServerEngine, policy_set, resources):
    try:
        engine.load(policy_set)
        return engine.evaluate(resources, {"namespace": {}, "cluster": {}})
    finally:
        engine.close()


def test_a_module_opa_rejects_is_named_by_file_and_line(opa, tmp_path):
    # regorus loads this (it checks types at run time); OPA's type checker rejects it at PUT
    path = write(tmp_path / "p", "typed.rego", check_module("typed", "custom.typed", 'deny contains "x" if {\n\tcount(1) > 0\n}'))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1) if "count(1)" in text)
    engine = OpaServerEngine(opa.url, scan_id="stype")
    with pytest.raises(PolicyError) as err:
        evaluate(engine, load_policies([tmp_path / "p"], include_bundled=False), [deployment("a")])
    assert "typed.rego" in str(err.value) and "rejected by OPA: rego_type_error" in str(err.value)
    assert err.value.line == line
    assert not [p for p in policies_on(opa) if p.startswith("kubecomply/stype/")]


def test_a_builtin_error_is_pinned_to_its_check_and_resource_and_keeps_the_rest(opa, tmp_path):
    write(tmp_path / "p", "num.rego", check_module("numbered", "custom.numbered", NUMBERED))
    write(tmp_path / "p", "privileged.rego", check_module("privileged", "custom.privileged2", PRIVILEGED))
    policy_set = load_policies([tmp_path / "p"], include_bundled=False)
    resources = [deployment(str(n)) for n in range(6)]
    resources[3] = deployment("three")  # to_number("three"): an error only with strict-builtin-errors
    resources[4] = deployment("4", privileged=True)
    result = evaluate(OpaServerEngine(opa.url), policy_set, resources)
    assert set(result.failed_checks) == {"numbered"}
    assert "resource #4 (Deployment/shop/three)" in result.failed_checks["numbered"] and "to_number" in result.failed_checks["numbered"]
    found = {(v.policy_id, v.resource_index) for v in result.violations}
    assert found == {("numbered", 2), ("numbered", 4), ("numbered", 5), ("privileged", 4)}


def test_a_batch_over_opa_request_limit_is_an_error_that_names_the_option(opa_bin, tmp_path, small_policies):
    config = write(tmp_path, "opa.yaml", "server:\n  decoding:\n    max_length: 65536\n")
    resources = [deployment(f"d{n}", privileged=n == 7, pad=2000) for n in range(60)]
    with RealOpa(["--config-file", str(config)]) as server:
        with pytest.raises(EngineError) as err:
            evaluate(OpaServerEngine(server.url), small_policies, resources)
        assert "request body too large" in str(err.value) and "--opa-batch-bytes" in str(err.value)
        result = evaluate(OpaServerEngine(server.url, batch_bytes=48 * 1024), small_policies, resources)
        assert [(v.policy_id, v.resource_index) for v in result.violations] == [("privileged", 7)]
        assert not result.failed_checks


AUTHZ = """package system.authz

default allow := false

allow if input.identity == "kubecomply-test-token"
"""


def test_token_authentication_with_a_system_authz_policy(opa_bin, tmp_path, small_policies):
    policy = write(tmp_path, "authz.rego", AUTHZ)
    good = write(tmp_path, "good.token", "kubecomply-test-token\n")
    bad = write(tmp_path, "bad.token", "not-the-token\n")
    resources = [deployment("a", privileged=True)]
    with RealOpa(["--authentication=token", "--authorization=basic"], files=[policy], token="kubecomply-test-token") as server:
        for token_file in (None, bad):
            with pytest.raises(EngineError) as err:
                evaluate(OpaServerEngine(server.url, token_file=str(token_file) if token_file else None), small_policies, resources)
            assert "unauthorized" in str(err.value) and "--opa-token-file" in str(err.value)
            assert "not-the-token" not in str(err.value)
        result = evaluate(OpaServerEngine(server.url, token_file=str(good), scan_id="stoken"), small_policies, resources)
        assert [(v.policy_id, v.resource_index) for v in result.violations] == [("privileged", 0)]
        assert not [p for p in policies_on(server, "kubecomply-test-token") if p.startswith("kubecomply/stoken/")]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test's self-signed certificate")
def test_tls_with_a_self_signed_certificate(opa_bin, tmp_path, small_policies):
    from k8s_fixture_server import make_tls

    files = make_tls(tmp_path / "tls")
    resources = [deployment("a", privileged=True)]
    with RealOpa(tls=(files.ca_cert, files.server_cert, files.server_key)) as server:
        result = evaluate(OpaServerEngine(server.url, ca_file=str(files.ca_cert)), small_policies, resources)
        assert [(v.policy_id, v.resource_index) for v in result.violations] == [("privileged", 0)]
        with pytest.raises(EngineError) as err:
            evaluate(OpaServerEngine(server.url), small_policies, resources)
        assert "TLS error" in str(err.value) and "certificate verify failed" in str(err.value)


# ---------------------------------------------------------------- policies gone mid-scan

def delete_scan_policies(server: RealOpa, scan_id: str) -> int:
    gone = 0
    for policy_id in policies_on(server):
        if policy_id.startswith(f"kubecomply/{scan_id}/"):
            request = urllib.request.Request(f"{server.url}/v1/policies/{policy_id}", method="DELETE")
            urllib.request.urlopen(request, timeout=5).close()
            gone += 1
    return gone


def test_policies_deleted_mid_scan_stop_the_scan_instead_of_passing(opa, monkeypatch, small_policies):
    resources = [deployment(f"d{n}", privileged=True, pad=500) for n in range(40)]
    engine = OpaServerEngine(opa.url, scan_id="sdeleted", batch_bytes=4096)
    batches_done = []
    evaluate_batch = engine._evaluate_batch

    def then_delete(*args, **kwargs):
        evaluate_batch(*args, **kwargs)
        batches_done.append(1)
        if len(batches_done) == 2:
            assert delete_scan_policies(opa, "sdeleted") >= 3  # the check and the wrapper's modules

    monkeypatch.setattr(engine, "_evaluate_batch", then_delete)
    try:
        engine.load(small_policies)
        assert len(engine.batches(resources)) > 3
        with pytest.raises(EngineError, match="no longer loaded there") as err:
            engine.evaluate(resources, {"namespace": {}, "cluster": {}})
        assert "resources from #" in str(err.value)
    finally:
        engine.close()
    assert len(batches_done) == 2


def test_undefined_per_check_rule_is_an_error_too(opa, small_policies, monkeypatch):
    """The per-check fallback queries one rule; a partial set rule is [] when empty, so undefined means gone."""
    resources = [deployment("a", privileged=True)]
    engine = OpaServerEngine(opa.url, scan_id="sgone")
    try:
        engine.load(small_policies)
        [rule] = engine._wrapper.rules
        delete_scan_policies(opa, "sgone")
        result = Evaluation()
        with pytest.raises(EngineError, match="no longer loaded there"):
            engine._evaluate_rule(rule, "privileged", resources, [0], result, {})
        assert not result.violations
    finally:
        engine.close()

"""Contract tests of the OPA server engine against tests/opa_fixture.py (a protocol fixture, not OPA).

They check what goes over the wire and how every answer OPA documents is handled.  Verdicts
are not what these tests are about (the fixture delegates them to regorus); whether OPA
itself agrees with the embedded engine is tests/test_engine_parity.py, against a real OPA.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.engine import EngineError, create_engine
from scanner.engine.embedded import EmbeddedEngine
from scanner.engine.opa_local import INSTALL_HINT
from scanner.engine.opa_server import OpaServerEngine
from scanner.policies import PolicyError, load_policies
from scanner.pipeline import ScanOptions, scan_manifests

from conftest import REPO_ROOT, check_module, write
from opa_fixture import DROP, FIXTURE_VERSION, OpaFixture

EXAMPLES = REPO_ROOT / "examples" / "manifests"


@pytest.fixture
def opa():
    with OpaFixture() as fixture:
        yield fixture


def deployment(name: str, namespace: str = "shop", privileged: bool = False, pad: int = 0) -> dict:
    container = {"name": "app", "image": "registry.example/app:1.0", "securityContext": {"privileged": privileged}}
    if pad:
        container["env"] = [{"name": "PAD", "value": "x" * pad}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }


def run(engine: OpaServerEngine, policy_set, resources, inventory=None):
    try:
        engine.load(policy_set)
        return engine.evaluate(resources, inventory or {"namespace": {}, "cluster": {}})
    finally:
        engine.close()


def key(v):
    return (v.policy_id, v.resource_index, v.path or (), v.message)


def embedded(policy_set, resources, inventory=None):
    engine = EmbeddedEngine(workers=1)
    engine.load(policy_set)
    return engine.evaluate(resources, inventory or {"namespace": {}, "cluster": {}})


def assert_clean(opa: OpaFixture) -> None:
    assert opa.state.policies == {}, "policies left on the server"
    assert all(not v for v in opa.state.data.values()), f"data left on the server: {opa.state.data}"


# -- the protocol on the happy path ------------------------------------------------------


def test_scan_pushes_under_scan_prefix_queries_per_batch_and_cleans_up(opa):
    policy_set = load_policies()
    resources = [deployment(f"d{i}", privileged=i % 2 == 0) for i in range(40)]
    engine = OpaServerEngine(opa.url, scan_id="stest1")
    result = run(engine, policy_set, resources)

    assert engine.version == FIXTURE_VERSION
    puts = opa.requests("PUT", "/v1/policies/")
    assert puts and all(r.path.startswith("/v1/policies/kubecomply/stest1/") for r in puts)
    assert all(r.headers.get("Content-Type") == "text/plain" for r in puts)
    pushed = {r.path[len("/v1/policies/") :] for r in puts}
    assert {f"kubecomply/stest1/{m.path}" for m in policy_set.modules} <= pushed
    wrapper = [r for r in puts if "/wrapper/" in r.path]
    assert wrapper and all(b"package kubecomply_scan.stest1" in r.body for r in wrapper)
    # one query for the whole (small) batch, with strict builtin errors
    posts = opa.requests("POST")
    assert [r.path for r in posts] == ["/v1/data/kubecomply_scan/stest1/fast"]
    assert "strict-builtin-errors=true" in posts[0].query
    deletes = {r.path[len("/v1/policies/") :] for r in opa.requests("DELETE", "/v1/policies/")}
    assert deletes == pushed
    assert_clean(opa)
    assert sorted(result.violations, key=key) == sorted(embedded(policy_set, resources).violations, key=key)
    assert {v.policy_id for v in result.violations} >= {"privileged-containers"}


def test_batches_split_by_body_size_and_round_trips_follow_batches(opa):
    policy_set = load_policies()
    resources = [deployment(f"d{i}", privileged=i % 3 == 0, pad=400) for i in range(120)]
    engine = OpaServerEngine(opa.url, batch_bytes=16 * 1024, scan_id="sbatch")
    batches = engine.batches(resources)
    assert len(batches) > 3
    assert all(len(body) <= 16 * 1024 for _f, _l, body in batches)
    assert [b[0] for b in batches][0] == 0 and batches[-1][1] == len(resources)
    result = run(engine, policy_set, resources)
    posts = opa.requests("POST")
    assert len(posts) == len(batches)
    assert all(r.size <= 16 * 1024 for r in posts)
    whole = run(OpaServerEngine(opa.url, scan_id="swhole"), policy_set, resources)
    assert sorted(result.violations, key=key) == sorted(whole.violations, key=key)


def test_one_resource_larger_than_the_limit_goes_alone():
    engine = OpaServerEngine("http://127.0.0.1:9", batch_bytes=2048)
    resources = [deployment("a"), deployment("big", pad=5000), deployment("b")]
    spans = [(f, l) for f, l, _b in engine.batches(resources)]
    assert spans == [(0, 1), (1, 2), (2, 3)]
    engine.close()


# -- inventory isolation ---------------------------------------------------------------


INVENTORY_CHECK = """
import rego.v1

deny contains {"msg": sprintf("namespace %s sees %d deployments", [input.metadata.namespace, n]), "path": ["metadata"]} if {
\tn := count(data.inventory.namespace[input.metadata.namespace]["apps/v1"].Deployment)
}
"""


def test_inventory_is_scan_scoped_and_never_at_data_inventory(opa, tmp_path):
    write(tmp_path / "p", "count.rego", check_module("count-deployments", "custom.count", INVENTORY_CHECK, reads="[Deployment]"))
    policy_set = load_policies([tmp_path / "p"], include_bundled=False)
    # something else on the shared server already owns data.inventory
    opa.state.data["inventory"] = {"namespace": {"shop": {"apps/v1": {"Deployment": {"x": {}, "y": {}, "z": {}}}}}}

    def scan(scan_id, count, out):
        resources = [deployment(f"{scan_id}-{i}") for i in range(count)]
        inventory = {"namespace": {"shop": {"apps/v1": {"Deployment": {r["metadata"]["name"]: r for r in resources}}}}, "cluster": {}}
        out[scan_id] = run(OpaServerEngine(opa.url, scan_id=scan_id), policy_set, resources, inventory)

    out: dict = {}
    threads = [threading.Thread(target=scan, args=(sid, n, out)) for sid, n in (("sone", 1), ("stwo", 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {v.message for v in out["sone"].violations} == {"namespace shop sees 1 deployments"}
    assert {v.message for v in out["stwo"].violations} == {"namespace shop sees 2 deployments"}
    data_puts = [r.path for r in opa.requests("PUT", "/v1/data")]
    assert sorted(data_puts) == ["/v1/data/kubecomply/sone", "/v1/data/kubecomply/stwo"]
    assert opa.state.data["inventory"]["namespace"]["shop"]["apps/v1"]["Deployment"].keys() == {"x", "y", "z"}
    assert opa.state.policies == {}
    assert opa.state.data["kubecomply"] == {}


def test_no_inventory_upload_when_no_module_reads_it(opa):
    # The Pod Security checks look at one object at a time; some bundled checks of
    # other areas (automount-sa-token) read data.inventory and are left out here.
    policies = load_policies()
    per_object = policies.select(p.id for p in policies.policies if p.package.startswith("kubecomply.pod_security."))
    run(OpaServerEngine(opa.url), per_object, [deployment("a")])
    assert opa.requests("PUT", "/v1/data") == []


# -- errors ------------------------------------------------------------------------------


def test_unreachable_server_is_one_line_error():
    with OpaFixture() as gone:
        url = gone.url
    engine = OpaServerEngine(url, retries=1, timeout=2)
    with pytest.raises(EngineError) as err:
        engine.load(load_policies())
    engine.close()
    message = str(err.value)
    assert "unreachable" in message and url in message and "\n" not in message


def test_401_without_token_and_token_from_file(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    with OpaFixture(token="s3cret-token") as opa:
        with pytest.raises(EngineError) as err:
            run(OpaServerEngine(opa.url), load_policies(), [deployment("a")])
        assert "unauthorized" in str(err.value) and "--opa-token-file" in str(err.value)
        assert "s3cret" not in str(err.value)
        run(OpaServerEngine(opa.url, token_file=str(token_file)), load_policies(), [deployment("a")])
        assert all(r.headers.get("Authorization") == "Bearer s3cret-token" for r in opa.requests()[1:])
        assert_clean(opa)


def test_empty_token_file_is_refused(tmp_path):
    (tmp_path / "t").write_text("\n")
    with pytest.raises(EngineError, match="one non-empty line"):
        OpaServerEngine("http://127.0.0.1:9", token_file=str(tmp_path / "t"))


def test_rejected_module_names_file_and_line_and_cleans_up(opa, tmp_path):
    write(tmp_path / "p", "ok.rego", check_module("fine", "custom.fine", 'import rego.v1\n\ndeny contains "x" if { false }'))
    write(tmp_path / "p", "zbroken.rego", check_module("broken", "custom.broken", "import rego.v1\n\ndeny contains x if {\n\tx := \n}"))
    policy_set = load_policies([tmp_path / "p"], include_bundled=False)
    broken = next(m for m in policy_set.modules if m.path.endswith("zbroken.rego"))
    engine = OpaServerEngine(opa.url, scan_id="sreject")
    with pytest.raises(PolicyError) as err:
        run(engine, policy_set, [deployment("a")])
    message = str(err.value)
    assert broken.path in message and "rejected by OPA" in message and "kubecomply/sreject" not in message
    assert err.value.line is not None and "\n" not in message
    assert_clean(opa)


def test_redeclared_package_gets_a_hint(opa):
    body = {"code": "invalid_parameter", "message": "error(s) occurred while compiling module(s)", "errors": [
        {"code": "rego_type_error", "message": "package annotation redeclared: other.rego:1", "location": {"file": "kubecomply/sdup/x.rego", "row": 1, "col": 1}}]}
    policies = load_policies()
    # every upload (checks, libraries and the generated wrapper modules) is refused
    opa.can("PUT", "/v1/policies/", (400, body), times=10_000)
    with pytest.raises(PolicyError, match="OPA packages are global"):
        run(OpaServerEngine(opa.url, scan_id="sdup"), policies, [deployment("a")])


ERRORING_CHECK = """
import rego.v1

deny contains {"msg": "counted", "path": ["metadata"]} if {
\tcount(input.metadata.labels.size) > 0
}
"""


def test_check_that_errors_is_isolated_like_the_embedded_engine(opa, tmp_path):
    write(tmp_path / "p", "bad.rego", check_module("bad-count", "custom.bad", ERRORING_CHECK))
    write(tmp_path / "p", "good.rego", check_module("always", "custom.good", 'import rego.v1\n\ndeny contains "always" if { input.kind }'))
    policy_set = load_policies([tmp_path / "p"], include_bundled=False)
    resources = [deployment(f"d{i}") for i in range(16)]
    resources[5]["metadata"]["labels"] = {"size": 7}  # count(7): an error, in OPA with strict-builtin-errors too
    resources[11]["metadata"]["labels"] = {"size": [1]}
    result = run(OpaServerEngine(opa.url), policy_set, resources)
    expected = embedded(policy_set, resources)
    assert sorted(result.violations, key=key) == sorted(expected.violations, key=key)
    assert set(result.failed_checks) == {"bad-count"}
    assert "resource #6 (Deployment/shop/d5)" in result.failed_checks["bad-count"]
    assert "bad.rego" in result.failed_checks["bad-count"]
    # fast path, all per-check rules, then each rule, then bisection of the failing one only
    assert len(opa.requests("POST")) < 16
    assert_clean(opa)


def test_query_error_that_is_not_an_evaluation_error_stops_the_scan(opa):
    opa.can("POST", "/v1/data/", (400, {"code": "invalid_parameter", "message": "input document is missing or conflicts with query"}))
    with pytest.raises(EngineError, match="HTTP 400.*input document is missing"):
        run(OpaServerEngine(opa.url), load_policies(), [deployment("a")])
    assert_clean(opa)


def test_dropped_connection_is_retried(opa):
    opa.can("POST", "/v1/data/", DROP)
    opa.can("PUT", "/v1/policies/", DROP)
    result = run(OpaServerEngine(opa.url, retries=2), load_policies(), [deployment("a", privileged=True)])
    assert any(v.policy_id == "privileged-containers" for v in result.violations)
    assert len(opa.requests("POST")) == 2
    assert_clean(opa)


def test_connection_dropped_every_time_gives_up(opa):
    opa.can("POST", "/v1/data/", DROP, times=10)
    with pytest.raises(EngineError, match="unreachable"):
        run(OpaServerEngine(opa.url, retries=2), load_policies(), [deployment("a")])
    assert len(opa.requests("POST")) == 3
    assert_clean(opa)


def test_cleanup_on_error_and_keyboard_interrupt_through_a_scan(opa, monkeypatch):
    options = ScanOptions(engine="opa", engine_options={"url": opa.url})
    opa.can("POST", "/v1/data/", (503, {"code": "internal_error", "message": "overloaded"}), times=10)
    with pytest.raises(EngineError):
        scan_manifests([str(EXAMPLES)], options)
    assert_clean(opa)

    def interrupt(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(OpaServerEngine, "_evaluate_batch", interrupt)
    with pytest.raises(KeyboardInterrupt):
        scan_manifests([str(EXAMPLES)], options)
    assert_clean(opa)


def test_interrupt_while_a_module_upload_is_in_flight_still_deletes_it(opa, monkeypatch):
    original = OpaServerEngine._request
    calls = {"put": 0}

    def request(self, method, path, *args, **kwargs):
        out = original(self, method, path, *args, **kwargs)
        if method == "PUT":
            calls["put"] += 1
            if calls["put"] == 3:  # the server has it, the client never hears back
                raise KeyboardInterrupt
        return out

    monkeypatch.setattr(OpaServerEngine, "_request", request)
    with pytest.raises(KeyboardInterrupt):
        run(OpaServerEngine(opa.url), load_policies(), [deployment("a")])
    assert len(opa.requests("DELETE", "/v1/policies/")) == 3
    assert_clean(opa)


# -- TLS -----------------------------------------------------------------------------------


def make_ca_and_server_cert(folder: Path) -> tuple[Path, Path, Path]:
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=kubecomply test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI to make a test CA (the cryptography package is not installed)")
def test_tls_with_custom_ca(tmp_path):
    ca, cert, key_file = make_ca_and_server_cert(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key_file)
    with OpaFixture(tls=context) as opa:
        assert opa.url.startswith("https://")
        result = run(OpaServerEngine(opa.url, ca_file=str(ca)), load_policies(), [deployment("a", privileged=True)])
        assert any(v.policy_id == "privileged-containers" for v in result.violations)
        assert_clean(opa)
        with pytest.raises(EngineError, match="TLS error.*certificate verify failed"):
            run(OpaServerEngine(opa.url, retries=0), load_policies(), [deployment("a")])


def test_ca_file_needs_https():
    with pytest.raises(EngineError, match="needs an https"):
        OpaServerEngine("http://127.0.0.1:9", ca_file=__file__)


# -- local OPA ------------------------------------------------------------------------------


def test_without_url_and_without_opa_on_path_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineError) as err:
        create_engine("opa")
    assert str(err.value) == INSTALL_HINT


def test_without_url_starts_local_opa_and_stops_it(tmp_path, monkeypatch):
    # A stand-in `opa` binary: it serves the protocol fixture on the --addr it is given.
    fake = tmp_path / "opa"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        "from tests.opa_fixture import serve_forever\n"
        "assert sys.argv[1:3] == ['run', '--server']\n"
        "serve_forever(sys.argv[sys.argv.index('--addr') + 1])\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    engine = create_engine("opa")
    process = engine._local.process
    assert engine.url.startswith("http://127.0.0.1:")
    result = run(engine, load_policies(), [deployment("a", privileged=True)])
    assert any(v.policy_id == "privileged-containers" for v in result.violations)
    assert process.poll() is not None


# -- the command line -----------------------------------------------------------------------


def test_cli_engine_opa_gives_the_same_report_as_embedded(opa):
    runner = CliRunner()
    embedded_run = runner.invoke(main, ["scan", "manifests", str(EXAMPLES), "-f", "json"])
    opa_run = runner.invoke(main, ["scan", "manifests", str(EXAMPLES), "-f", "json", "--engine", "opa", "--opa-url", opa.url, "--opa-batch-bytes", "2KB"])
    assert opa_run.exit_code == embedded_run.exit_code == 1, opa_run.output
    a, b = json.loads(embedded_run.stdout), json.loads(opa_run.stdout)
    assert a["findings"] == b["findings"] and a["gaps"] == b["gaps"]
    assert b["scan"]["engine"] == "opa"
    assert len(opa.requests("POST")) > 1
    assert_clean(opa)


def test_cli_unreachable_opa_exits_2_with_one_line():
    with OpaFixture() as gone:
        url = gone.url
    result = CliRunner().invoke(main, ["scan", "manifests", str(EXAMPLES), "--engine", "opa", "--opa-url", url, "--opa-timeout", "2"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("kubecomply: error:")]
    assert len(lines) == 1 and "unreachable" in lines[0]


def test_cli_opa_options_need_engine_opa():
    result = CliRunner().invoke(main, ["scan", "manifests", str(EXAMPLES), "--opa-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "need --engine opa" in result.stderr

"""What a cluster scan makes of what it could not read.

A check that reads a kind the scan could not collect is not evidence either way.

namespace-network-policy reads NetworkPolicies from data.inventory.  With them
forbidden, it would find every namespace "without a NetworkPolicy": findings judged
without the kind they depend on.  They are withheld and the check is not-assessed,
saying how many were withheld.  Found against a real kube-apiserver
(tests/test_real_cluster.py); pinned here on the fixture server, which needs no tools.

A cluster where discovery answered but not one list did was not read at all: it is a
cluster that cannot be used (exit 2 alone), not a "scanned" cluster made only of gaps
(seen when a real kube-apiserver was killed mid-scan, tests/test_real_cluster_fleet.py).
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

pytest.importorskip("kubernetes")
if shutil.which("openssl") is None:
    pytest.skip("openssl is needed to make the fixture server's certificates", allow_module_level=True)

from cluster_helpers import cluster_objects  # noqa: E402
from k8s_fixture_server import DEFAULT_RESOURCES, Fault, K8sFixture, make_tls  # noqa: E402

from scanner.cli import main  # noqa: E402


def scan(kubeconfig) -> dict:
    out = CliRunner().invoke(main, ["scan", "cluster", "--kubeconfig", str(kubeconfig), "-f", "json", "--fail-on", "none"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_findings_of_a_check_whose_read_kind_is_forbidden_are_withheld(tmp_path):
    with K8sFixture(cluster_objects(), tls=make_tls(tmp_path / "tls")) as fx:
        kubeconfig = fx.kubeconfig(tmp_path / "kc")
        complete = scan(kubeconfig)
        fx.fault("networkpolicies", Fault(status=403, times=None))
        blind = scan(kubeconfig)
    judged = [f for f in complete["findings"] if f["policy"] == "namespace-network-policy"]
    assert len(judged) == 4  # every namespace of the fixture really has none
    assert not any(f["policy"] == "namespace-network-policy" for f in blind["findings"])
    controls = [c for fw in blind["frameworks"] for c in fw["controls"] if c.get("checks") == ["namespace-network-policy"]]
    assert controls
    for control in controls:
        assert control["status"] == "not-assessed"
        assert "kind NetworkPolicy was not collected (403 forbidden); 4 finding(s) judged without it withheld" in control["reason"]
    # Checks that do not read NetworkPolicies keep every finding.
    others = {(f["policy"], f["resource"]["name"], f["path"]) for f in complete["findings"] if f["policy"] not in ("namespace-network-policy", "default-deny-ingress", "default-deny-egress")}
    assert others == {(f["policy"], f["resource"]["name"], f["path"]) for f in blind["findings"]}


def test_a_cluster_where_no_list_answers_is_unreadable_not_scanned(tmp_path):
    with K8sFixture(cluster_objects(), tls=make_tls(tmp_path / "tls")) as fx:
        for res in DEFAULT_RESOURCES:
            fx.fault(res.plural, Fault(status=403, times=None))
        out = CliRunner().invoke(main, ["scan", "cluster", "--kubeconfig", str(fx.kubeconfig(tmp_path / "kc")), "-f", "json"], catch_exceptions=False)
    assert out.exit_code == 2 and out.stdout == ""
    [line] = out.stderr.strip().splitlines()
    assert line.startswith("kubecomply: error: cannot read cluster fixture") and "no kind could be listed" in line and "403 forbidden" in line

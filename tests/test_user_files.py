"""Issue 15 items 6 and 10: bad dates, bad types and expansion bombs in the files users write.

Waivers, mapping files, --data files, baselines and policy METADATA are each
read by one reader with the manifest limits (yaml_loader.load_user_yaml), and
each problem is a one-line error naming the file and the entry, exit 2: never
a traceback, never an entry quietly read as something else.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import check_module, write
from scanner.cli import main

POD = """
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers:
    - name: c
      image: x
      securityContext: {privileged: true}
"""

WAIVER = """
waivers:
  - check: privileged-containers
    match: {match}
    justification: needed
    approved_by: sec@example.com
    expires: {expires}
"""

# Ten levels of ten aliases each: 10^10 nodes once expanded, a few hundred bytes as text.
BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10)
)


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def k8s(tmp_path):
    write(tmp_path / "k8s", "pod.yaml", POD)
    return tmp_path / "k8s"


def scan(k8s, *extra: str):
    return run("scan", "manifests", str(k8s), "--framework", "pss-baseline", "-f", "json", *extra)


# ----------------------------------------------------------------- waivers


@pytest.mark.parametrize("expires", ["2027-13-45", "2027-02-30", "2027-06-30T25:00", "'2027-06-30T25:00:00Z'", "next year", "20270630", "5"])
def test_waiver_bad_expiry_is_one_line_error(tmp_path, k8s, expires):
    waivers = write(tmp_path, "waivers.yaml", WAIVER.format(match="{kind: Pod, name: api}", expires=expires))
    line = one_line_error(*scan(k8s, "--waivers", str(waivers))[::2])
    assert "waivers.yaml: waiver #1: expires" in line


@pytest.mark.parametrize("expires", ["2027-06-30", "2027-06-30T12:00:00Z", "2027-06-30 12:00:00"])
def test_waiver_good_expiry_applies(tmp_path, k8s, expires):
    waivers = write(tmp_path, "waivers.yaml", WAIVER.format(match="{kind: Pod, name: api}", expires=expires))
    code, out, err = scan(k8s, "--waivers", str(waivers))
    assert code == 0, err
    doc = json.loads(out)
    assert {w["expires"] for w in doc["waivers"]} == {"2027-06-30"}
    assert {f["status"] for f in doc["findings"]} == {"waived"}


@pytest.mark.parametrize(
    "match, expected",
    [
        ("{name: [api]}", "match.name must be one non-empty string"),
        ("{kind: Pod, namespace: {a: b}}", "match.namespace must be one non-empty string"),
        ('{name: "*"}', "selects every resource"),
        ('{kind: "*", name: "**", namespace: "*"}', "selects every resource"),
        ("{}", "needs a 'match' selector"),
        ("{labels: [app]}", "match.labels must be a mapping"),
    ],
)
def test_waiver_bad_match_is_one_line_error(tmp_path, k8s, match, expected):
    waivers = write(tmp_path, "waivers.yaml", WAIVER.format(match=match, expires="2027-06-30"))
    line = one_line_error(*scan(k8s, "--waivers", str(waivers))[::2])
    assert "waivers.yaml: waiver #1" in line and expected in line


def test_waiver_justification_must_be_text(tmp_path, k8s):
    text = WAIVER.format(match="{kind: Pod}", expires="2027-06-30").replace("justification: needed", "justification: [a, b]")
    line = one_line_error(*scan(k8s, "--waivers", str(write(tmp_path, "waivers.yaml", text)))[::2])
    assert "waiver #1: justification must be text" in line


def test_waivers_check_reports_bad_dates_too(tmp_path, k8s):
    waivers = write(tmp_path, "waivers.yaml", WAIVER.format(match="{kind: Pod}", expires="2027-02-30"))
    code, out, err = run("waivers", "check", str(waivers), str(k8s))
    assert code == 2 and "Traceback" not in out + err
    assert "2027-02-30" in out


# ----------------------------------------------------------------- mappings


@pytest.mark.parametrize(
    "controls, expected",
    [
        ("controls: 5", "'controls' must be a list"),
        ("controls:\n  - {id: C1, title: t, checks: privileged-containers}", "control C1: 'checks' must be a list of check ids"),
        ("controls:\n  - {id: C1, title: t, checks: [privileged-containers, 5]}", "control C1: 'checks' must be a list"),
        ("controls:\n  - {id: [C1], title: t, checks: [privileged-containers]}", "control #1: 'id' must be a string"),
    ],
)
def test_mapping_bad_types_are_one_line_errors(tmp_path, k8s, controls, expected):
    write(tmp_path / "mappings", "mine.yaml", f"id: mine\ntitle: Mine\nversion: '1'\n{controls}\n")
    line = one_line_error(*scan(k8s, "--mapping-dir", str(tmp_path / "mappings"))[::2])
    assert "mine.yaml" in line and expected in line


# ----------------------------------------------------------------- --data


def test_data_dates_and_binary_reach_checks_as_text(tmp_path, k8s):
    """Read as manifests and as OPA reads a YAML data file: a date is the text written, !!binary its base64."""
    write(tmp_path / "policies", "facts.rego", check_module(
        "show-facts", "user.facts",
        """
        deny contains result if {
            c := data.kubecomply.config
            result := {"msg": sprintf("%s %s %s", [type_name(c.since), c.since, c.blob]), "path": ["metadata"]}
        }
        """, kinds="[Pod]",
    ))
    data = write(tmp_path, "facts.yaml", "since: 2026-02-30\nblob: !!binary aGVs\n  bG8=\n")
    code, out, err = run("scan", "manifests", str(k8s), "--policy-dir", str(tmp_path / "policies"), "--data", str(data), "-f", "json")
    assert code == 1, err
    messages = [f["message"] for f in json.loads(out)["findings"] if f["policy"] == "show-facts"]
    assert messages == ["string 2026-02-30 aGVsbG8="]


# ----------------------------------------------------------------- baselines


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"count": True}, "positive count"),
        ({"path": ["spec"]}, "path must be text or null"),
        ({"file": 5}, "file must be text or null"),
        ({"resource": {"kind": "Pod", "namespace": 5, "name": "api", "apiVersion": "v1"}}, "resource.namespace must be text or null"),
        ({"resource": {"kind": "Pod", "name": ["api"], "apiVersion": "v1"}}, "resource.name must be text"),
    ],
)
def test_baseline_bad_types_are_one_line_errors(tmp_path, k8s, change, expected):
    entry = {"check": "privileged-containers", "resource": {"apiVersion": "v1", "kind": "Pod", "namespace": "shop", "name": "api"},
             "file": "k8s/pod.yaml", "path": "spec.containers[0].securityContext.privileged", "count": 1}
    entry.update(change)
    baseline = write(tmp_path, "baseline.json", json.dumps({"format": "kubecomply-baseline", "version": 1, "entries": [entry]}))
    line = one_line_error(*scan(k8s, "--baseline", str(baseline))[::2])
    assert "baseline.json: entry #1" in line and expected in line


# ----------------------------------------------------------------- expansion bombs


def test_alias_bomb_in_waivers(tmp_path, k8s):
    waivers = write(tmp_path, "waivers.yaml", BOMB + "waivers: []\n")
    line = one_line_error(*scan(k8s, "--waivers", str(waivers))[::2])
    assert "waivers.yaml:1:" in line and "alias bomb" in line


def test_alias_bomb_in_mapping(tmp_path, k8s):
    write(tmp_path / "mappings", "mine.yaml", BOMB + "id: mine\n")
    line = one_line_error(*scan(k8s, "--mapping-dir", str(tmp_path / "mappings"))[::2])
    assert "mine.yaml:1:" in line and "alias bomb" in line


def test_alias_bomb_in_data_file(tmp_path, k8s):
    data = write(tmp_path, "facts.yaml", BOMB)
    line = one_line_error(*scan(k8s, "--data", str(data))[::2])
    assert "facts.yaml:1:" in line and "alias bomb" in line


def test_alias_bomb_in_metadata(tmp_path, k8s):
    body = "".join(f"#   {line}\n" for line in BOMB.splitlines())
    text = check_module("bomb", "user.bomb", 'deny contains {"msg": "m"} if { false }').replace("#   remediation: Fix it.\n", "#   remediation: Fix it.\n#   extra:\n" + body)
    write(tmp_path / "policies", "bomb.rego", text)
    line = one_line_error(*scan(k8s, "--policy-dir", str(tmp_path / "policies"))[::2])
    assert "bomb.rego:" in line and "alias bomb" in line


def test_yaml_alias_bomb_as_baseline_is_refused(tmp_path, k8s):
    baseline = write(tmp_path, "baseline.json", BOMB)
    line = one_line_error(*scan(k8s, "--baseline", str(baseline))[::2])
    assert "baseline.json: not a JSON baseline file" in line


# ----------------------------------------------------------------- gzip bomb


def test_snapshot_gzip_bomb_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    """8 MiB of zeros compress to a few KiB; with the cap at 1 MiB the read stops after the first MiB or two."""
    import gzip

    bomb = tmp_path / "evidence.json.gz"
    with gzip.open(bomb, "wb") as fh:
        for _ in range(8):
            fh.write(b"\0" * (1 << 20))
    assert bomb.stat().st_size < 64 * 1024
    monkeypatch.setenv("KUBECOMPLY_MAX_SNAPSHOT_BYTES", str(1 << 20))
    line = one_line_error(*run("scan", "snapshot", str(bomb))[::2])
    assert "evidence.json.gz: decompresses to more than" in line and "gzip bomb" in line


def test_snapshot_cap_default_is_generous():
    from scanner.sources.snapshot import MAX_SNAPSHOT_BYTES, max_snapshot_bytes

    assert max_snapshot_bytes() == MAX_SNAPSHOT_BYTES >= 1 << 30

"""Whole-framework scope of the bundled mappings, and the mapping fixes of issue 13 (item 9).

Each mapping file lists the controls our checks evidence (``controls``) and every other
control of the framework (``not_evidenced``, with the reason), so a report can state
coverage against the whole framework. The tests pin the size and the exact ids of each
framework against the sources named beside them, the loader's validation of the new keys
(through the command line, as a user meets it), and each corrected mapping, both in the
data and in what a scan reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLES, REPO_ROOT, write
from scanner.cli import main
from scanner.compliance.frameworks import NOT_EVIDENCED_REASONS, load_frameworks
from scanner.model import ScanResult

MAPPINGS = REPO_ROOT / "mappings"


def raw(framework_id: str) -> dict:
    return yaml.safe_load((MAPPINGS / f"{framework_id}.yaml").read_text(encoding="utf-8"))


def all_ids(framework_id: str) -> list[str]:
    data = raw(framework_id)
    return [str(c["id"]) for c in data["controls"]] + [str(c["id"]) for c in data["not_evidenced"]]


def control(framework_id: str, control_id: str) -> dict:
    return next(c for c in raw(framework_id)["controls"] if str(c["id"]) == control_id)


def numbered(prefix: str, count: int, start: int = 1) -> list[str]:
    return [f"{prefix}{i}" for i in range(start, start + count)]


# --- expected id sets, each from the source named -------------------------------------

# AICPA TSC 2017 (revised points of focus 2022): 33 common criteria, A1.1-A1.3, C1.1-C1.2,
# PI1.1-PI1.5 and the 18 privacy criteria P1.1-P8.1: 61 criteria.
SOC2 = (
    numbered("CC1.", 5) + numbered("CC2.", 3) + numbered("CC3.", 4) + numbered("CC4.", 2) + numbered("CC5.", 3)
    + numbered("CC6.", 8) + numbered("CC7.", 5) + ["CC8.1"] + numbered("CC9.", 2)
    + numbered("A1.", 3) + numbered("C1.", 2) + numbered("PI1.", 5)
    + ["P1.1", "P2.1", "P3.1", "P3.2"] + numbered("P4.", 3) + numbered("P5.", 2) + numbered("P6.", 7) + ["P7.1", "P8.1"]
)
# ISO/IEC 27001:2022 Annex A: 37 organisational, 8 people, 14 physical, 34 technological controls.
ISO = numbered("A.5.", 37) + numbered("A.6.", 8) + numbered("A.7.", 14) + numbered("A.8.", 34)
# PCI DSS v4.0.1: requirements 1-12 at the x.y level, and Appendices A1 (2), A2 (1), A3 (5).
PCI_REQUIREMENTS = [f"{r}.{i}" for r, n in zip(range(1, 13), (5, 3, 7, 2, 4, 5, 3, 6, 5, 7, 6, 10)) for i in range(1, n + 1)]
PCI_REQUIREMENTS += ["A1.1", "A1.2", "A2.1"] + numbered("A3.", 5)
# KISA ISMS-P certification criteria (2023): 16 + 64 + 21 = 101, per sub-area.
ISMS_P_AREAS = {
    "1.1": 6, "1.2": 4, "1.3": 3, "1.4": 3,
    "2.1": 3, "2.2": 6, "2.3": 4, "2.4": 7, "2.5": 6, "2.6": 7, "2.7": 2, "2.8": 6, "2.9": 7, "2.10": 9, "2.11": 5, "2.12": 2,
    "3.1": 7, "3.2": 5, "3.3": 4, "3.4": 2, "3.5": 3,
}
ISMS_P = [f"{area}.{i}" for area, n in ISMS_P_AREAS.items() for i in range(1, n + 1)]
# CIS Kubernetes Benchmark v1.12.0, as kube-bench's cfg/cis-1.12 lists it: 131 recommendations.
CIS_GROUPS = {"1.1.": 21, "1.2.": 30, "1.3.": 7, "1.4.": 2, "3.1.": 3, "3.2.": 2, "4.1.": 10, "4.2.": 14, "4.3.": 1,
              "5.1.": 13, "5.2.": 12, "5.3.": 2, "5.4.": 2, "5.5.": 1, "5.6.": 4}
CIS = [f"{g}{i}" for g, n in CIS_GROUPS.items() for i in range(1, n + 1)] + numbered("2.", 7)
# GDPR: the processing and security articles (5, 24, 25, 28, 30, 32, 33, 34, 35) at the
# paragraph/point granularity the file uses.
GDPR = (
    [f"Art. 5(1)({p})" for p in "abcdef"] + ["Art. 5(2)", "Art. 24", "Art. 25(1)", "Art. 25(2)", "Art. 25(3)", "Art. 28", "Art. 30"]
    + [f"Art. 32(1)({p})" for p in "abcd"] + ["Art. 32(2)", "Art. 32(3)", "Art. 32(4)", "Art. 33", "Art. 34", "Art. 35"]
)

WHOLE = {"soc2": SOC2, "iso27001": ISO, "isms-p": ISMS_P, "cis-kubernetes": CIS, "gdpr": GDPR}


def test_expected_sizes_match_the_sources():
    assert (len(SOC2), len(ISO), len(PCI_REQUIREMENTS), len(ISMS_P), len(CIS), len(GDPR)) == (61, 93, 71, 101, 131, 23)


@pytest.mark.parametrize("framework_id", sorted(WHOLE))
def test_framework_lists_exactly_its_controls(framework_id):
    ids = all_ids(framework_id)
    assert len(ids) == len(set(ids)), "an id is listed twice across controls and not_evidenced"
    assert sorted(ids) == sorted(WHOLE[framework_id])


@pytest.mark.parametrize("framework_id, total", [("soc2", 61), ("iso27001", 93), ("isms-p", 101), ("cis-kubernetes", 131), ("gdpr", 23), ("pss-baseline", 12), ("pss-restricted", 18)])
def test_total_controls(framework_id, total):
    fw = {f.id: f for f in load_frameworks()}[framework_id]
    assert fw.total_controls == total == len(fw.controls) + len(fw.not_evidenced)


def test_pci_covers_every_requirement_at_the_x_y_level():
    # Sub-requirements are mapped under controls; a requirement none of whose
    # sub-requirements is mapped is listed whole under not_evidenced.
    data = raw("pci-dss")
    mapped_parents = {".".join(str(c["id"]).split(".")[:2]) for c in data["controls"]}
    listed = [str(c["id"]) for c in data["not_evidenced"]]
    assert len(listed) == len(set(listed))
    assert not mapped_parents & set(listed), "a requirement is both mapped and listed as not evidenced"
    assert sorted(mapped_parents | set(listed)) == sorted(PCI_REQUIREMENTS)


@pytest.mark.parametrize("framework_id", ["soc2", "iso27001", "pci-dss", "gdpr", "isms-p", "cis-kubernetes", "pss-baseline", "pss-restricted"])
def test_not_evidenced_entries_say_why(framework_id):
    data = raw(framework_id)
    assert "not_evidenced" in data and data["scoring"] in ("score", "counts") and data["title_source"] in ("official", "paraphrase")
    for entry in data["not_evidenced"]:
        assert entry["reason"] in NOT_EVIDENCED_REASONS, entry["id"]
        assert entry.get("title") and len(entry.get("note", "")) > 20, entry["id"]
        assert not {"checks", "automation", "manual_evidence"} & set(entry), entry["id"]


def test_pss_levels_are_complete():
    for framework_id in ("pss-baseline", "pss-restricted"):
        assert raw(framework_id)["not_evidenced"] == []


def test_isms_p_titles_are_korean_with_english_labels():
    data = raw("isms-p")
    assert data["title_source"] == "official"
    for entry in data["controls"] + data["not_evidenced"]:
        assert any("\uac00" <= ch <= "\ud7a3" for ch in entry["title"]), entry["id"]
        assert entry.get("title_en") and entry["title_en"].isascii(), entry["id"]


def test_gdpr_gets_counts_not_a_score():
    assert raw("gdpr")["scoring"] == "counts"
    assert all(raw(f)["scoring"] == "score" for f in ("soc2", "iso27001", "pci-dss", "isms-p", "cis-kubernetes"))


def test_copyrighted_or_untitled_frameworks_say_their_titles_are_paraphrases():
    fws = {f.id: f for f in load_frameworks()}
    for framework_id in ("soc2", "iso27001", "pci-dss", "cis-kubernetes"):
        fw = fws[framework_id]
        assert fw.title_source == "paraphrase"
        assert {c.title_source for c in fw.controls} | {c.title_source for c in fw.not_evidenced} == {"paraphrase"}
    # GDPR article headings are the Regulation's own; point-level titles are ours.
    gdpr = {c.id: c.title_source for c in fws["gdpr"].controls}
    assert gdpr["Art. 30"] == "official" and gdpr["Art. 32(1)(b)"] == "paraphrase"


# --- item 9: each corrected mapping, in the data ---------------------------------------


def checks_of(framework_id: str, control_id: str) -> set[str]:
    return set(control(framework_id, control_id).get("checks") or [])


def test_soc2_transmission_does_not_claim_encryption_at_rest():
    assert "apiserver-encryption" not in checks_of("soc2", "CC6.7")
    assert "at rest" in control("soc2", "CC6.7")["description"]
    assert "apiserver-encryption" in checks_of("soc2", "CC6.1")
    assert "apiserver-encryption" in checks_of("soc2", "C1.1")


def test_pci_3_5_1_is_not_evidenced_by_etcd_encryption():
    pan = control("pci-dss", "3.5.1")
    assert pan["automation"] == "manual" and not pan.get("checks")
    assert "apiserver-encryption" in pan["description"]
    assert "apiserver-encryption" in checks_of("pci-dss", "3.6.1")


def test_pci_10_5_1_says_the_check_covers_only_on_node_retention():
    history = control("pci-dss", "10.5.1")
    assert history["automation"] == "partial"
    assert checks_of("pci-dss", "10.5.1") == {"apiserver-audit-retention"}
    assert "audit_log_min_days" in history["description"] and "twelve months" in history["manual_evidence"]
    assert yaml.safe_load((EXAMPLES / "pci-dss-audit-retention.yaml").read_text()) == {"audit_log_min_days": 365}


def test_pci_appendix_a1_is_not_scored_for_everyone():
    data = raw("pci-dss")
    assert not [c["id"] for c in data["controls"] if str(c["id"]).startswith("A")]
    appendix = {c["id"]: c for c in data["not_evidenced"] if str(c["id"]).startswith("A")}
    assert set(appendix) == {"A1.1", "A1.2", "A2.1", "A3.1", "A3.2", "A3.3", "A3.4", "A3.5"}
    assert all(c["reason"] == "not-applicable" for c in appendix.values())
    assert appendix["A1.1"]["note"].startswith("Applies only to multi-tenant service providers")


def test_cis_authorization_mode_recommendations_each_have_their_own_check():
    assert checks_of("cis-kubernetes", "1.2.6") == {"apiserver-authorization-not-always-allow"}
    assert checks_of("cis-kubernetes", "1.2.7") == {"apiserver-authorization-node"}
    assert checks_of("cis-kubernetes", "1.2.8") == {"apiserver-authorization-rbac"}
    for path in MAPPINGS.glob("*.yaml"):
        assert "apiserver-authorization-mode" not in path.read_text(encoding="utf-8"), path.name


def test_iso_segregation_of_duties_is_manual():
    duties = control("iso27001", "A.5.3")
    assert duties["automation"] == "manual" and not duties.get("checks")
    assert "one Role and one RoleBinding" in " ".join(duties["description"].split())


# --- item 9: what a scan reports ---------------------------------------------------------

APISERVER = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: kube-apiserver
      namespace: kube-system
    spec:
      containers:
        - name: kube-apiserver
          image: registry.k8s.io/kube-apiserver:v1.31.2
          command:
            - kube-apiserver
            - --anonymous-auth=false
            - --authorization-mode=RBAC
            - --audit-log-path=/var/log/kubernetes/audit.log
            - --audit-log-maxage=30
            - --audit-log-maxbackup=10
            - --audit-log-maxsize=100
            - --profiling=false
"""
RBAC = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: reader, namespace: app}
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        verbs: [get, list]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: reader, namespace: app}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
    subjects:
      - {kind: ServiceAccount, name: app, namespace: app}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scope")
    write(root, "kube-apiserver.yaml", APISERVER)
    write(root, "rbac.yaml", RBAC)
    return root


def scan(folder: Path, *extra: str) -> dict:
    result = CliRunner().invoke(main, ["scan", "manifests", str(folder), "-f", "json", *extra], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the API server lacks Node and encryption
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def doc(folder) -> dict:
    return scan(folder)


def findings(doc: dict, policy: str) -> list[dict]:
    """The check's findings whole, as reports read them (schema 1.2 leaves the check's controls out of each)."""
    return [f.to_dict() for f in ScanResult.from_dict(doc).findings if f.policy == policy]


def status(doc: dict, framework_id: str, control_id: str) -> str:
    fw = next(f for f in doc["frameworks"] if f["id"] == framework_id)
    return next(c["status"] for c in fw["controls"] if c["id"] == control_id)


def test_missing_node_mode_fails_only_1_2_7(doc):
    assert findings(doc, "apiserver-authorization-not-always-allow") == []
    assert findings(doc, "apiserver-authorization-rbac") == []
    [node] = findings(doc, "apiserver-authorization-node")
    assert node["controls"]["cis-kubernetes"] == ["1.2.7"]
    assert status(doc, "cis-kubernetes", "1.2.7") == "fail"
    assert status(doc, "cis-kubernetes", "1.2.6") != "fail"
    assert status(doc, "cis-kubernetes", "1.2.8") != "fail"


def test_missing_encryption_counts_against_at_rest_controls_only(doc):
    [finding] = findings(doc, "apiserver-encryption")
    assert "CC6.7" not in finding["controls"]["soc2"]
    assert {"CC6.1", "C1.1"} <= set(finding["controls"]["soc2"])
    assert "3.5.1" not in finding["controls"]["pci-dss"]
    assert status(doc, "pci-dss", "3.5.1") == "manual"


def test_one_role_and_one_binding_do_not_pass_segregation_of_duties(doc):
    assert status(doc, "iso27001", "A.5.3") == "manual"


def test_appendix_a1_is_not_among_the_scored_controls(doc):
    pci = next(f for f in doc["frameworks"] if f["id"] == "pci-dss")
    assert not [c["id"] for c in pci["controls"] if c["id"].startswith("A1")]


def test_30_days_on_the_node_passes_the_cis_threshold_but_not_a_year(folder, doc):
    assert findings(doc, "apiserver-audit-retention") == []
    year = scan(folder, "--data", str(EXAMPLES / "pci-dss-audit-retention.yaml"))
    [short] = findings(year, "apiserver-audit-retention")
    assert "below 365" in short["message"] and "10.5.1" in short["controls"]["pci-dss"]
    assert status(year, "pci-dss", "10.5.1") == "fail"


@pytest.mark.parametrize("value", ["thirty", 0, True, [365]])
def test_audit_log_min_days_must_be_a_positive_whole_number(folder, tmp_path, value):
    data = write(tmp_path, "data.yaml", yaml.safe_dump({"audit_log_min_days": value}))
    result = CliRunner().invoke(main, ["scan", "manifests", str(folder), "--data", str(data)])
    assert result.exit_code == 2
    assert "audit_log_min_days" in result.output and str(data) in result.output


# --- the loader rejects what it cannot use, naming file and control ----------------------

GOOD = """
id: my-fw
title: My framework
version: "1"
scoring: score
title_source: paraphrase
controls:
  - id: "X.1"
    title: Privileged containers
    automation: automated
    checks: [privileged-containers]
not_evidenced:
  - id: "X.2"
    title: Staff screening
    reason: organisational
    note: Background checks are HR records, not cluster configuration.
"""


def framework_list(mapping_dir: Path):
    return CliRunner().invoke(main, ["framework", "list", "--mapping-dir", str(mapping_dir)])


def test_a_valid_user_mapping_with_the_new_keys_loads(tmp_path):
    write(tmp_path, "my-fw.yaml", GOOD)
    result = framework_list(tmp_path)
    assert result.exit_code == 0, result.output
    assert "my-fw" in result.output


@pytest.mark.parametrize(
    "change, message",
    [
        (("scoring: score", "scoring: percent"), "'scoring' must be one of score, counts"),
        (("title_source: paraphrase", "title_source: verbatim"), "'title_source' must be one of official, paraphrase"),
        (("    reason: organisational", "    reason: too-hard"), "not_evidenced X.2: 'reason' must be one of"),
        (("    reason: organisational\n", ""), "not_evidenced X.2 is missing 'reason'"),
        (('  - id: "X.2"', '  - id: "X.1"'), "control X.1 is listed twice"),
        (("    checks: [privileged-containers]", "    checks: privileged-containers"), "control X.1: 'checks' must be a list"),
        (("controls:\n  - id", "controls: oops\nunused:\n  - id"), "'controls' must be a list"),
        (("not_evidenced:\n  - id", "not_evidenced: X.2\nunused:\n  - id"), "'not_evidenced' must be a list"),
        (('  - id: "X.2"', "  - id: 2.10"), "'id' 2.1 must be quoted"),
        (("    reason: organisational", "    reason: organisational\n    checks: [privileged-containers]"), "not_evidenced X.2 has 'checks'"),
        (("    note: Background", "    note: [Background]\n    unused: Background"), "control X.2: 'note' must be a non-empty string"),
        (("    title: Staff screening", "    title: Staff screening\n    title_source: maybe"), "not_evidenced X.2: 'title_source' must be one of"),
    ],
)
def test_invalid_mapping_is_a_one_line_error_naming_file_and_control(tmp_path, change, message):
    assert change[0] in GOOD
    path = write(tmp_path, "my-fw.yaml", GOOD.replace(*change))
    result = framework_list(tmp_path)
    assert result.exit_code == 2, result.output
    error = result.output.strip()
    assert message in error and str(path) in error and "\n" not in error, error

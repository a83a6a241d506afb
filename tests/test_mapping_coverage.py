"""The bundled framework mappings: every check is mapped, and the files say honestly what needs people."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import REPO_ROOT
from scanner.compliance.frameworks import BUNDLED_MAPPING_DIR, load_framework, load_frameworks, validate_references
from scanner.policies import load_policies

# Compliance frameworks every bundled check must map into (technical baselines such as
# PSS and CIS map only what they cover).
COMPLIANCE = ("soc2", "iso27001", "pci-dss", "gdpr")
BUNDLED = ("pss-baseline", "pss-restricted", "cis-kubernetes", "isms-p") + COMPLIANCE
MAPPING_FILES = sorted(BUNDLED_MAPPING_DIR.glob("*.yaml"))
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def raw(framework_id: str) -> dict:
    return yaml.safe_load((BUNDLED_MAPPING_DIR / f"{framework_id}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def frameworks():
    return {fw.id: fw for fw in load_frameworks()}


@pytest.fixture(scope="module")
def checks():
    return load_policies().by_id()


def test_all_bundled_frameworks_are_present(frameworks):
    assert set(BUNDLED) <= set(frameworks)


@pytest.mark.parametrize("path", MAPPING_FILES, ids=[p.stem for p in MAPPING_FILES])
def test_every_mapping_file_loads_and_is_named_after_its_id(path):
    fw = load_framework(path)
    assert fw.id == path.stem
    assert fw.version and fw.title and fw.controls


def test_every_mapping_names_only_existing_checks(frameworks, checks):
    validate_references(frameworks.values(), set(checks))


@pytest.mark.parametrize("framework_id", COMPLIANCE)
def test_every_check_maps_to_a_control_of_each_compliance_framework(frameworks, checks, framework_id):
    unmapped = sorted(set(checks) - frameworks[framework_id].check_ids())
    assert unmapped == [], f"{framework_id}: checks mapped to no control: {', '.join(unmapped)}"


@pytest.mark.parametrize("framework_id", BUNDLED)
def test_no_control_is_listed_twice(framework_id):
    ids = [str(c["id"]) for c in raw(framework_id)["controls"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("framework_id", BUNDLED)
def test_partial_and_manual_controls_say_what_evidence_is_needed(frameworks, framework_id):
    for control in frameworks[framework_id].controls:
        if control.automation != "automated":
            assert control.manual_evidence and len(control.manual_evidence.strip()) > 20, control.id


@pytest.mark.parametrize("framework_id", COMPLIANCE)
def test_compliance_frameworks_claim_no_fully_automated_control(frameworks, framework_id):
    # Their controls all ask for policies, approvals or reviews besides configuration.
    automated = [c.id for c in frameworks[framework_id].controls if c.automation == "automated"]
    assert automated == []


@pytest.mark.parametrize("framework_id", COMPLIANCE + ("isms-p", "cis-kubernetes"))
def test_frameworks_list_manual_controls_too(frameworks, framework_id):
    assert any(c.automation == "manual" for c in frameworks[framework_id].controls)


def test_isms_p_titles_are_korean_with_an_english_label():
    for control in raw("isms-p")["controls"]:
        assert HANGUL.search(control["title"]), control["id"]
        assert control.get("title_en") and not HANGUL.search(control["title_en"]), control["id"]


# (check, CIS id) pairs a check's METADATA cites but the CIS mapping deliberately leaves out.
CIS_REFERENCE_EXCEPTIONS = {
    # NET_RAW is in the default capability set that baseline-capabilities allows, so the check
    # cannot evidence 5.2.8; it is the old "added capabilities" item and is mapped under 5.2.9.
    ("baseline-capabilities", "5.2.8"),
}


def test_cis_references_of_checks_are_mapped_in_the_cis_framework(frameworks, checks):
    cis = frameworks["cis-kubernetes"]
    by_control = {c.id: set(c.checks) for c in cis.controls}
    for check in checks.values():
        for ref in map(str, check.references.get("cis", [])):
            assert check.id in cis.check_ids(), f"{check.id} cites CIS {ref} but maps to no CIS control"
            if ref in by_control and (check.id, ref) not in CIS_REFERENCE_EXCEPTIONS:
                assert check.id in by_control[ref], f"{check.id} cites CIS {ref}, which does not list it"


def test_docs_table_matches_the_bundled_mappings(frameworks):
    docs = (REPO_ROOT / "docs" / "frameworks.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| `([a-z0-9-]+)` \| ([^|]+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", docs, re.M)
    assert {r[0] for r in rows} == set(BUNDLED)
    for fid, _version, total, automated, partial, manual in rows:
        fw = frameworks[fid]
        counts = [sum(1 for c in fw.controls if c.automation == a) for a in ("automated", "partial", "manual")]
        assert [int(total), int(automated), int(partial), int(manual)] == [len(fw.controls), *counts], fid

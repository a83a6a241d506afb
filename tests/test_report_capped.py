"""The HTML report's cap on long lists (``--max-rows``): the findings and the inventory.

At 100,000 resources the uncapped page was 324 MB.  A capped list must never
pass for the whole: these tests drive the CLI on the demo result with a cap
below its 97 findings and 21 resources and check that every count stays exact,
that the page says how many rows are not listed and where the full list is (the
JSON result, by the sha256 of its bytes), and that ``--max-rows 0`` and a result
under the default cap list every row.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.reports.control_view import RESOURCE_OUTCOMES
from scanner.reports.html import DEFAULT_MAX_ROWS
from scanner.reports.row_cap import deal
from scanner.reports.pdf import find_chromium

FINDING_ROW = re.compile(r'<tr class="row-(fail|waived|baselined)">')


def report(saved, *args: str) -> str:
    result = CliRunner().invoke(main, ["report", str(saved), "-f", "html", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", fragment).replace("&#39;", "'").split())


def check_blocks(findings: str) -> dict[str, str]:
    """Each check's <tbody> in the findings table, by check id."""
    blocks = findings.split('<tbody class="check">')[1:]
    return {re.search(r'<span class="id nowrap muted">([^<]+)</span>', b).group(1): b for b in blocks}


@pytest.fixture(scope="module")
def demo(demo_json):
    data = json.loads(demo_json.read_text())
    assert len(data["findings"]) < DEFAULT_MAX_ROWS and len(data["resources"]) < DEFAULT_MAX_ROWS  # the demo is under the cap
    return {"saved": demo_json, "data": data, "sha256": hashlib.sha256(demo_json.read_bytes()).hexdigest()}


def test_capped_findings_keep_every_count_and_say_what_is_left_out(demo):
    data, cap = demo["data"], 10
    findings = section(report(demo["saved"], "--max-rows", str(cap)), "findings")
    total = len(data["findings"])
    assert len(FINDING_ROW.findall(findings)) == cap
    note = text(findings.split('<p class="note capped">', 1)[1].split("</p>", 1)[0])
    assert f"Of the {total} findings, this list shows {cap}: at most {cap}" in note
    assert f"sha256:{demo['sha256']}" in note and "--max-rows 0" in note  # where the full list is, by digest
    per_check = Counter(f["policy"] for f in data["findings"])
    open_per_check = Counter(f["policy"] for f in data["findings"] if f["status"] == "fail")
    waived_per_check = Counter(f["policy"] for f in data["findings"] if f["status"] == "waived")
    blocks = check_blocks(findings)
    assert set(blocks) == set(per_check)  # every check keeps its heading, even one with no row shown
    listed = 0
    for check, block in blocks.items():
        assert f"{open_per_check[check]} open, {waived_per_check[check]} waived" in text(block), check
        shown = len(FINDING_ROW.findall(block))
        more = re.search(r"… and (\d+) more findings of this check", text(block))
        assert shown + (int(more.group(1)) if more else 0) == per_check[check], check
        listed += shown
    assert listed == cap
    # dealt among the checks: with fewer checks than rows, each check shows at least one finding
    if len(per_check) <= cap:
        assert all(FINDING_ROW.search(b) for b in blocks.values())


def test_capped_inventory_counts_every_resource_by_namespace_and_kind(demo):
    data, cap = demo["data"], 5
    page = report(demo["saved"], "--max-rows", str(cap))
    inventory = section(page, "appendix-inventory")
    total = len(data["resources"])
    note = text(inventory.split('<p class="note capped">', 1)[1].split("</p>", 1)[0])
    assert f"The scan evaluated {total} resources, more than the {cap}" in note and f"sha256:{demo['sha256']}" in note
    assert not re.search(r'<tr><td class="r muted">\d+</td>', inventory)  # no resource listed one by one
    body = inventory.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r'<tr><td>(.*?)</td><td class="nowrap">([^<]+)</td><td class="r">(\d+)</td>(.*?)</tr>', body, re.S)
    groups = Counter((r.get("namespace") or "", r["kind"]) for r in data["resources"])
    assert len(rows) == min(cap, len(groups))
    for ns, kind, count, _ in rows:
        assert groups[("" if 'class="muted"' in ns else text(ns), kind)] == int(count)
    more = re.search(r"… and (\d+) more namespace and kind groups \((\d+) resources\)", text(body))
    assert more and int(more.group(1)) == len(groups) - cap
    assert sum(int(c) for _, _, c, _ in rows) + int(more.group(2)) == total
    # the totals are those of the full inventory, which lists every resource
    full = section(report(demo["saved"], "--max-rows", "0"), "appendix-inventory")
    totals = lambda html: html.split('<tbody class="totals">', 1)[1].split("</tbody>", 1)[0]  # noqa: E731
    assert re.findall(r'<td class="c">(\d+)</td>', totals(inventory)) == re.findall(r'<td class="c">(\d+)</td>', totals(full))
    assert len(re.findall(r'<tr><td class="r muted">\d+</td>', full)) == total


def test_under_the_cap_every_finding_and_resource_is_listed_and_max_rows_0_changes_nothing(demo):
    data = demo["data"]
    default = report(demo["saved"])
    assert default == report(demo["saved"], "--max-rows", "0") == report(demo["saved"], "--max-rows", str(len(data["findings"])))
    assert 'class="note capped"' not in default and "more findings of this check" not in default
    assert len(FINDING_ROW.findall(section(default, "findings"))) == len(data["findings"])
    assert len(re.findall(r'<tr><td class="r muted">\d+</td>', section(default, "appendix-inventory"))) == len(data["resources"])


def test_scan_writes_the_capped_report_and_max_rows_stays_refused_for_json(tmp_path):
    from conftest import DEMO_ARGS

    out = tmp_path / "report.html"
    runner = CliRunner()
    written = runner.invoke(main, DEMO_ARGS + ["-f", "html", "--max-rows", "3", "-o", str(out)], catch_exceptions=False)
    assert written.exit_code == 1, written.output  # the demo has open findings
    assert len(FINDING_ROW.findall(section(out.read_text(encoding="utf-8"), "findings"))) == 3
    refused = runner.invoke(main, DEMO_ARGS + ["-f", "json", "--max-rows", "3"])
    assert refused.exit_code == 2 and "--max-rows applies to -f table, html and pdf" in refused.output


def test_korean_capped_report_says_it_in_korean(demo):
    page = report(demo["saved"], "--lang", "ko", "--max-rows", "4")
    assert "이 목록은 발견 사항" in section(page, "findings") and "이 보고서가 하나씩 나열하는 4개를 넘습니다" in section(page, "appendix-inventory")
    assert "Of the " not in page and "more findings of this check" not in page


@pytest.mark.parametrize("sizes, cap", [([5, 1, 3], 4), ([5, 1, 3], 100), ([2, 2, 2, 2], 3), ([10], 7), ([3, 0, 3], 5), ([], 5)])
def test_deal_shares_the_cap_among_the_lists(sizes, cap):
    take = deal(sizes, cap)
    assert sum(take) == min(cap, sum(sizes))
    assert all(0 <= t <= s for t, s in zip(take, sizes))
    # one row per list in turn: no list gets a second row while another that has rows got none
    assert not any(t >= 2 for t in take) or all(t >= 1 for t, s in zip(take, sizes) if s)
    assert deal(sizes, 0) == list(sizes)



POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: shop
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
      securityContext:
        privileged: true
"""
WAIVER = """waivers:
  - check: privileged-containers
    match:
      namespace: shop
    justification: test fixture
    approved_by: someone@example.com
    expires: 2099-01-01
"""


def test_exception_register_names_at_most_max_rows_resources_per_waiver(tmp_path):
    (tmp_path / "pods.yaml").write_text("---\n".join(POD.format(name=f"p{i}") for i in range(4)), encoding="utf-8")
    (tmp_path / "waivers.yaml").write_text(WAIVER, encoding="utf-8")
    saved = tmp_path / "r.json"
    scanned = CliRunner().invoke(main, ["scan", "manifests", str(tmp_path / "pods.yaml"), "--waivers", str(tmp_path / "waivers.yaml"), "-f", "json", "-o", str(saved)])
    assert scanned.exit_code in (0, 1), scanned.output
    covered = [f for f in json.loads(saved.read_text())["findings"] if f.get("waiver")]
    assert len({f["resource"]["name"] for f in covered}) == 4, "the fixture's waiver must cover the four pods"
    capped = section(report(saved, "--max-rows", "1"), "waivers")
    assert f"<strong>{len(covered)}</strong>" in capped and "and 3 more" in text(capped)  # the findings covered stay counted
    full = section(report(saved), "waivers")
    assert all(f"Pod/shop/p{i}" in text(full) for i in range(4)) and " more" not in text(full)


@pytest.mark.skipif(find_chromium() is None or shutil.which("pdftotext") is None, reason="Chromium or pdftotext is not on the PATH (.ci/run installs both)")
def test_capped_pdf_says_how_many_findings_it_lists(demo, tmp_path):
    pdf = tmp_path / "capped.pdf"
    written = CliRunner().invoke(main, ["report", str(demo["saved"]), "-f", "pdf", "--max-rows", "3", "-o", str(pdf)], catch_exceptions=False)
    assert written.exit_code == 0, written.output
    printed = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert f"Of the {len(demo['data']['findings'])} findings, this list shows 3: at most 3" in printed
    assert f"The scan evaluated {len(demo['data']['resources'])} resources, more than the 3" in printed

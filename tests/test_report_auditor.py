"""The auditor's report without a browser: each control's rationale, checks and population, the
scope statement, the sign-off block (--attestation and its options), the inventory and the
appendices, in English and Korean.  The demo result is rendered once per module and language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.compliance.population import expand_ranges
from scanner.reports import i18n
from scanner.reports.control_view import CHECKS_INLINE, anchor

MARKS = {"pass": "✓", "excepted": "✓*", "fail": "✗", "not-applicable": "·"}


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]


def control_row(html: str, fw_id: str, control: dict) -> str:
    return html.split(f'id="{anchor(fw_id, control["id"])}">', 1)[1].split("</tr>", 1)[0]


def text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (enough for these assertions)."""
    return " ".join(re.sub(r"<[^>]+>", "", fragment).replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&").split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_json):
    folder = tmp_path_factory.mktemp("auditor")
    pages = {}
    for lang in ("en", "ko"):
        out = folder / f"report-{lang}.html"
        result = run(["report", str(demo_json), "-f", "html", "--lang", lang, "-o", str(out)])
        assert result.exit_code == 0, result.output
        pages[lang] = out.read_text(encoding="utf-8")
    return {"data": json.loads(demo_json.read_text()), "saved": demo_json, "folder": folder, **pages}


def test_each_control_shows_rationale_checks_population_and_what_to_collect(demo):
    data, html = demo["data"], demo["en"]
    frameworks = section(html, "frameworks")
    total = len(data["resources"])
    seen_rationale = seen_summary = 0
    for fw in data["frameworks"]:
        for c in fw["controls"]:
            row = control_row(frameworks, fw["id"], c)
            shown = text(row)
            if c.get("description"):
                assert " ".join(c["description"].split()) in shown
                seen_rationale += 1
            if c["status"] != "manual" and c.get("checks"):
                n_a = total - c["resources_evaluated"]
                assert f"{c['resources_passed']} / {c['resources_failed']} / {c['resources_excepted']} / {n_a}" in shown
            if c.get("manual_evidence") and c["automation"] in ("manual", "partial"):
                assert " ".join(c["manual_evidence"].split()) in shown
            for w in c.get("waivers", []):
                assert w in shown
            if len(c.get("checks", [])) <= CHECKS_INLINE:
                for check, status in c.get("check_status", {}).items():
                    assert f'mk mk-{status}"' in row and f">{check}</span>" in row
            else:
                # summarised: counts by status, the failing ones named, never the whole list in the cell
                seen_summary += 1
                assert i18n.MESSAGES["en"]["n_checks"].format(n=len(c["checks"])) in shown
                listed = [ch for ch in c["checks"] if f'<span class="id nowrap">{ch}</span>' in row]
                failing = [ch for ch, s in c["check_status"].items() if s == "fail"]
                assert set(listed) <= set(failing) and len(listed) <= 6
                assert 'href="#appendix-checks"' in row
    assert seen_rationale > 50 and seen_summary > 5


def test_appendix_lists_every_check_of_a_summarised_control(demo):
    data, appendix = demo["data"], section(demo["en"], "appendix-checks")
    gdpr = next(fw for fw in data["frameworks"] if fw["id"] == "gdpr")
    long_one = max(gdpr["controls"], key=lambda c: len(c["checks"]))
    assert len(long_one["checks"]) > 50  # Art. 32(1)(b): the list that ran over two pages before
    row = appendix.split(f'href="#{anchor("gdpr", long_one["id"])}"', 1)[1].split("</tr>", 1)[0]
    for check in long_one["checks"]:
        assert f">{check}</span>" in row
    # every id is kept whole on the page: the span that holds it does not wrap
    assert row.count('class="nowrap"') == len(long_one["checks"])


def test_inventory_has_every_resource_with_its_outcome_per_framework(demo):
    data, inventory = demo["data"], section(demo["en"], "appendix-inventory")
    frameworks = [fw["id"] for fw in data["frameworks"]]
    header = inventory.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert [m for m in re.findall(r'class="c fwcol">([^<]+)<', header)] == frameworks
    rows = re.findall(r'<tr><td class="r muted">(\d+)</td>(.*?)</tr>', inventory, re.S)
    assert sorted(int(i) for i, _ in rows) == list(range(len(data["resources"])))
    # re-perform the population from the JSON: a resource fails a framework when one of its
    # controls lists it as failed, is excepted when only exceptions let it pass, and so on
    for index, cells in rows:
        i = int(index)
        r = data["resources"][i]
        assert f"{r['kind']}/{r['name']}" in cells
        marks = re.findall(r'<span class="mk mk-([a-z-]+)"', cells)
        assert len(marks) == len(frameworks)
        for fw, mark in zip(data["frameworks"], marks):
            ranks = {"fail": set(), "excepted": set(), "pass": set()}
            for c in fw["controls"]:
                for outcome in ranks:
                    ranks[outcome].update(expand_ranges(c.get("population", {}).get(outcome, [])))
            expected = next((o for o in ("fail", "excepted", "pass") if i in ranks[o]), "not-applicable")
            assert mark == expected, (r["name"], fw["id"])
    # the totals: per framework, how many resources had each outcome
    totals = inventory.split('<tbody class="totals">', 1)[1].split("</tbody>", 1)[0]
    tallies = [[int(n) for n in re.findall(r'<td class="c">(\d+)</td>', row)] for row in totals.split("</tr>")[:4]]
    for column, fw in enumerate(data["frameworks"]):
        marks = [re.findall(r'<span class="mk mk-([a-z-]+)"', cells)[column] for _, cells in rows]
        assert [t[column] for t in tallies] == [marks.count(o) for o in ("fail", "excepted", "pass", "not-applicable")], fw["id"]
    # grouped by namespace: each namespace heads its group once
    for ns in {r.get("namespace") for r in data["resources"] if r.get("namespace")}:
        assert inventory.count(f"<strong>Namespace {ns}</strong>") == 1


def test_scope_statement_and_the_controls_not_evidenced(demo):
    data, html = demo["data"], demo["en"]
    scope, appendix = section(html, "scope"), section(html, "appendix-scope")
    for fw in data["frameworks"]:
        total = fw["scope"]["controls_total"]
        assert f"{len(fw['controls'])} of {total}" in scope
        for n in fw.get("not_evidenced", []):
            assert f">{n['id']}</span></strong> {n['title']}".replace("&", "&amp;").replace("'", "&#39;") in appendix, n["id"]
        if fw.get("not_evidenced"):
            assert f"{len(fw['not_evidenced'])} of {total} controls not evidenced" in appendix
    # paraphrased titles are marked as ours
    assert "†" in appendix and i18n.MESSAGES["en"]["titles_paraphrased"] in text(appendix)


def test_sign_off_is_blank_lines_without_attestation(demo):
    signoff = section(demo["en"], "signoff")
    assert signoff.count('class="blank"') == 6 and signoff.count('class="blank sign"') == 2
    assert signoff.count('class="blank line"') == 3


def test_attestation_file_fills_the_sign_off_and_options_override_it(demo, tmp_path):
    attestation = tmp_path / "attestation.yaml"
    attestation.write_text(
        "preparer:\n  name: Jane Doe\n  role: Platform security lead\n  date: 2026-12-01\n"
        "reviewer: Kim Min-jun\n"
        "notes: |\n  Scope agreed with the audit committee.\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.html"
    result = run(["report", str(demo["saved"]), "-f", "html", "--attestation", str(attestation), "--reviewed-on", "2026-12-04", "--preparer", "Jane Q. Doe", "-o", str(out)])
    assert result.exit_code == 0, result.output
    signoff = section(out.read_text(encoding="utf-8"), "signoff")
    for value in ("Jane Q. Doe", "Platform security lead", "2026-12-01", "Kim Min-jun", "2026-12-04", "Scope agreed with the audit committee."):
        assert value in signoff
    assert "Jane Doe" not in signoff  # the option won
    assert signoff.count('class="blank"') == 1  # only the reviewer's role was left to fill in


@pytest.mark.parametrize("content, expected", [
    ("preparer:\n  name: Jane\n  colour: red\n", "attestation.yaml: preparer.colour: unknown key"),
    ("preparer: {name: Jane, date: 2026-02-30}\n", "attestation.yaml: preparer.date: '2026-02-30' is not a valid date"),
    ("reviewer: {date: 12/04/2026}\n", "attestation.yaml: reviewer.date: '12/04/2026' is not a date (YYYY-MM-DD)"),
    ("signed_by: Jane\n", "attestation.yaml: signed_by: unknown key"),
    ("- Jane\n", "attestation.yaml: expected a mapping"),
    ("preparer: [\n", "attestation.yaml:2: invalid YAML"),
    ("notes: 42\n", "attestation.yaml: notes: expected text"),
])
def test_bad_attestation_is_one_line_naming_file_and_key(demo, tmp_path, content, expected):
    attestation = tmp_path / "attestation.yaml"
    attestation.write_text(content, encoding="utf-8")
    out = tmp_path / "report.html"
    result = run(["report", str(demo["saved"]), "-f", "html", "--attestation", str(attestation), "-o", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output
    assert not out.exists()


def test_bad_sign_off_option_and_options_for_other_formats_are_refused(demo):
    result = run(["report", str(demo["saved"]), "-f", "html", "--prepared-on", "2026-13-01"])
    assert result.exit_code == 2 and "--prepared-on: '2026-13-01' is not a valid date" in result.output
    for extra in (["--paper", "a4"], ["--preparer", "Jane"]):
        result = run(["report", str(demo["saved"]), "-f", "json", *extra])
        assert result.exit_code == 2 and "apply to -f html and -f pdf" in result.output


def test_paper_size_and_footer_in_the_print_rules(demo, tmp_path):
    """Letter by default, A4 with --lang ko, --paper overrides; the footer names the report, scan and digest."""
    assert "@page { size: letter;" in demo["en"] and "@page { size: A4;" in demo["ko"]
    out = tmp_path / "a4.html"
    assert run(["report", str(demo["saved"]), "-f", "html", "--paper", "a4", "-o", str(out)]).exit_code == 0
    assert "@page { size: A4;" in out.read_text(encoding="utf-8")
    digest = re.search(r'<p class="digest mono">sha256:([0-9a-f]{64})</p>', demo["en"]).group(1)
    report_id = "KC-" + demo["data"]["scan"]["result_digest"].split(":", 1)[1][:10].upper()
    footer = re.search(r'@bottom-left \{ content: "([^"]*)"', demo["en"]).group(1)
    assert footer == f"Report {report_id} · scan {demo['data']['scan']['finished'][:10]} {demo['data']['scan']['finished'][11:16]} UTC · result sha256:{digest[:12]}"
    assert "counter(page) \" / \" counter(pages)" in demo["en"]


def test_korean_edition_of_the_new_sections(demo):
    ko = demo["ko"]
    for name in ("scope", "signoff", "appendix-checks", "appendix-inventory", "appendix-scope"):
        block = section(ko, name)
        assert i18n.MESSAGES["ko"][f"sec_{name}"] in block
    # no English fixed string of these sections slipped into the Korean report
    new_keys = [k for k in i18n.MESSAGES["en"] if k.startswith(("sec_", "signoff_", "ne_reason_", "appendix_", "scope_", "controls_", "inventory_"))]
    for key in new_keys:
        english = i18n.MESSAGES["en"][key]
        if " " in english and len(english) > 20 and "{" not in english:  # sentences, not words the data may use
            assert english not in ko, key
    assert "word-break: keep-all" in ko

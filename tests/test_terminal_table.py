"""The terminal report as a person sees it: it fits the terminal, ids stay whole, findings are capped,
the summary and gates come last, and every output shows a score the same way.

The scans run as real processes (``python -m scanner``), with ``COLUMNS`` set as a shell would,
stdout a pipe as in CI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import DEMO_ARGS, REPO_ROOT
from scanner.cli import main
from scanner.reports.columns import Column, Table, split_word, text_width, wrap
from scanner.score_text import percent_text, whole_percent

WIDTHS = (80, 120, 200)


def kubecomply(args, columns=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300)


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory):
    path = tmp_path_factory.mktemp("table") / "demo.json"
    run = kubecomply(DEMO_ARGS + ["-q", "-f", "json", "-o", str(path)])
    assert run.returncode == 1, run.stderr
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def demo_tables():
    """The demo's default table at each width, from one real scan per width."""
    out = {}
    for width in WIDTHS:
        run = kubecomply(DEMO_ARGS + ["-q"], columns=width)
        assert run.returncode == 1, run.stderr
        out[width] = run.stdout
    return out


def split_ids(text: str, ids: set[str]) -> list[str]:
    """Ids broken over two lines: a line ending in the start of an id (up to a hyphen) and the next starting with its rest."""
    lines = [line.rstrip() for line in text.splitlines()]
    broken = []
    for this, following in zip(lines, lines[1:]):
        for check in ids:
            for cut in (m.end() for m in re.finditer("-", check)):
                if this.endswith(check[:cut]) and following.lstrip().startswith(check[cut:]):
                    broken.append(check)
    return broken


@pytest.mark.parametrize("width", WIDTHS)
def test_the_demo_table_fits_the_terminal_and_keeps_ids_whole(demo_tables, demo_result, width):
    text = demo_tables[width]
    assert max(text_width(line) for line in text.splitlines()) <= width
    ids = {f["policy"] for f in demo_result["findings"]}
    assert len(ids) > 20
    for check in ids:  # every check with findings is named, as a whole word
        assert re.search(rf"(?<![\w-]){re.escape(check)}(?![\w-])", text), check
    assert split_ids(text, ids | set(demo_result["scan"]["checks"])) == []
    # Paths are never cut inside a name: every file:line shown is a whole finding location, on one line.
    locations = {f"{f['origin']['path']}:{f['origin']['line']}" for f in demo_result["findings"]}
    shown = re.findall(r"\S+\.yaml:\d+", text)
    assert len(shown) >= 40 and set(shown) <= locations


def test_wide_terminals_put_the_message_beside_the_resource_narrow_ones_below(demo_tables):
    message = 'container "api" sets securityContext.privileged: true'
    wide = [line for line in demo_tables[200].splitlines() if "StatefulSet/payments/payments-api" in line and message in line]
    assert wide, "at 200 columns the resource and its message share a line"
    narrow = demo_tables[80].splitlines()
    assert not any("StatefulSet/payments/payments-api" in line and message in line for line in narrow)
    at = next(i for i, line in enumerate(narrow) if line.strip() == message)
    assert "payments-api" in narrow[at - 1] or "payments-api" in narrow[at - 2]  # its resource and location just above


@pytest.mark.parametrize("width", WIDTHS)
def test_summary_and_gates_come_last(demo_tables, width):
    lines = [line for line in demo_tables[width].splitlines() if line.strip()]
    text = "\n".join(lines)
    summary = next(i for i, line in enumerate(lines) if line.startswith("Open findings:"))
    assert all(line.startswith("  ") for line in lines[summary + 1:])  # only its own wrapped continuation follows
    gate = max(i for i, line in enumerate(lines) if line.startswith("gate: "))
    frameworks = next(i for i, line in enumerate(lines) if "FRAMEWORK" in line or line.startswith("cis-kubernetes"))
    last_finding = max(i for i, line in enumerate(lines) if "examples/manifests/" in line)
    assert last_finding < frameworks < gate
    assert "gate: 93 open finding(s) at or above low" in text


def test_findings_over_the_cap_are_counted_and_every_check_keeps_a_row(demo_result):
    findings = demo_result["findings"]
    cap = 40
    groups = {(f["status"], f["policy"]) for f in findings}
    assert len(findings) > cap > len(groups)  # the demo has more findings than the cap, fewer checks
    run = kubecomply(DEMO_ARGS + ["-q", "--max-rows", str(cap)], columns=120)
    assert run.returncode == 1, run.stderr
    hidden = len(findings) - cap
    assert re.search(rf"^{hidden} more finding\(s\) not shown \(.*\); see -f json, or --max-rows 0 for all", run.stdout, re.M)
    per_check = sum(int(n) for n in re.findall(r"^  \.\.\. and (\d+) more of ", run.stdout, re.M))
    assert per_check == hidden
    headings = re.findall(r"^(?:[A-Z]+|waived \(\w+\))  (\S+)  \((\d+) findings?\)$", run.stdout, re.M)
    assert len(headings) == len(groups)  # the cap is shared: no check loses its heading
    assert sum(int(n) for _, n in headings) == len(findings)


def test_max_rows_zero_shows_everything_and_is_refused_for_other_formats(demo_result):
    run = kubecomply(DEMO_ARGS + ["-q", "--max-rows", "0"], columns=120)
    assert run.returncode == 1 and "more finding(s) not shown" not in run.stdout and " more of " not in run.stdout
    for f in demo_result["findings"]:
        assert f"{f['origin']['path']}:{f['origin']['line']}" in run.stdout
    refused = kubecomply(DEMO_ARGS + ["-q", "-f", "json", "--max-rows", "5"])
    assert refused.returncode == 2 and "--max-rows applies to -f table" in refused.stderr


def test_report_of_a_saved_result_takes_max_rows(tmp_path, demo_result):
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(demo_result))
    run = CliRunner(env={"COLUMNS": "100"}).invoke(main, ["report", str(saved), "--max-rows", "3"])
    assert run.exit_code == 0, run.output
    assert f"{len(demo_result['findings']) - 3} more finding(s) not shown" in run.stdout
    assert "Findings by check:" in run.stdout  # more checks than rows: every check is still named with its counts
    assert max(len(line) for line in run.stdout.splitlines()) <= 100


@pytest.mark.parametrize("width", (80, 120))
def test_policy_list_fits_and_has_no_empty_column(width):
    bundled = kubecomply(["policy", "list"], columns=width)
    assert bundled.returncode == 0, bundled.stderr
    lines = bundled.stdout.splitlines()
    assert max(text_width(line) for line in lines) <= width
    assert all(line == line.rstrip() for line in lines)
    assert "SOURCE" not in bundled.stdout and "custom" not in bundled.stdout
    if width >= 120:
        rule = next(line for line in lines if line.startswith("--"))
        assert all(len(dashes) >= 4 for dashes in rule.split())  # every column has a header: no nameless "--" column
    assert re.search(r"^\d+ checks$", bundled.stdout, re.M)
    custom = kubecomply(["policy", "list", "--policy-dir", "examples/policies"], columns=width)
    assert custom.returncode == 0, custom.stderr
    assert max(text_width(line) for line in custom.stdout.splitlines()) <= width
    assert re.search(r"require-team-label\b.*custom|require-team-label\n(.*\n)*?.*source: custom", custom.stdout)
    assert "(1 custom, from --policy-dir)" in custom.stdout


@pytest.mark.parametrize("width", (80, 120))
def test_framework_show_fits_and_keeps_check_ids_whole(width, demo_result, tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(demo_result))
    for args in (["framework", "show", "soc2", "--results", str(saved)], ["framework", "show", "soc2", "--control", "CC6.1", "--results", str(saved)]):
        run = kubecomply(args, columns=width)
        assert run.returncode == 0, run.stderr
        assert max(text_width(line) for line in run.stdout.splitlines()) <= width
        assert split_ids(run.stdout, set(demo_result["scan"]["checks"])) == []
        assert "apiserver-authorization-not-always-allow" in run.stdout


def test_the_same_score_reads_the_same_in_table_markdown_html_and_gate(tmp_path):
    # pss-restricted in the demo: 6 of 18 assessed controls pass, 8 of 18 with exceptions: 33.3% and 44.4%.
    saved = tmp_path / "r.json"
    run = kubecomply(DEMO_ARGS + ["-q", "--fail-on", "none", "--fail-under", "pss-restricted=50", "-f", "json", "-o", str(saved)])
    assert run.returncode == 1, run.stderr
    doc = json.loads(saved.read_text())
    fw = next(f for f in doc["frameworks"] if f["id"] == "pss-restricted")
    assert 0 < fw["score"] < fw["score_with_exceptions"] < 1 and round(fw["score_with_exceptions"] * 100, 1) % 1  # not a whole percent
    shown, shown_exc = percent_text(fw["score"]), percent_text(fw["score_with_exceptions"])
    assert re.fullmatch(r"\d+%", shown_exc)
    assert f"gate: pss-restricted score {shown_exc} < 50%" in run.stderr
    table = kubecomply(["report", str(saved)], columns=120).stdout
    row = next(line for line in table.splitlines() if line.startswith("pss-restricted "))
    assert row.split()[1:3] == [shown, shown_exc]
    assert f"gate: pss-restricted score {shown_exc} < 50%" in table
    markdown = kubecomply(["report", str(saved), "-f", "markdown"]).stdout
    md_row = next(line for line in markdown.splitlines() if line.startswith("| pss-restricted"))
    assert [c.strip() for c in md_row.split("|")][2:4] == [shown, shown_exc]
    html = kubecomply(["report", str(saved), "-f", "html"]).stdout
    assert re.search(rf">\s*{shown}\s*<", html) and re.search(rf">\s*{shown_exc}\s*<", html)
    for other in (f"{fw['score'] * 100:.1f}%", f"{fw['score_with_exceptions'] * 100:.1f}%"):
        assert other not in table + markdown + html + run.stderr  # no output shows the unrounded form


@pytest.mark.parametrize(
    ("share", "text"),
    [(0, "0%"), (1, "100%"), (0.996, "99%"), (0.9999, "99%"), (0.004, "1%"), (0.00001, "1%"), (1 / 3, "33%"), (2 / 3, "67%"),
     (0.125, "12%"), (0.135, "13%"), (29 / 200, "14%"), (0.146, "15%"), (None, "n/a")],
)
def test_one_rounding_rule(share, text):
    """Nearest whole percent, ties down, never 100% or 0% unless exact; ratios decided exactly (0.135 is 27/200, a tie)."""
    assert percent_text(share) == text


def test_the_gate_compares_the_score_it_prints():
    assert whole_percent(0.796) == 80 and whole_percent(0.995) == 99  # 99.5% is a tie: down, and never 100 anyway


def test_wrap_breaks_at_spaces_then_after_separators():
    text = "volume sys mounts examples/manifests/monitoring/node-exporter.yaml:16 read-write"
    lines = wrap(text, 30)
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines).replace("/ ", "/") == text
    assert "examples/manifests/monitoring/" in lines  # the path breaks after a slash, not inside a name
    assert split_word("pod-security-privileged-containers", 12)[0] == "pod-"  # a hyphen only when nothing better
    assert split_word("abcdefghij", 4) == ["abcd", "efgh", "ij"]  # no separator at all: cut, still within the width
    assert wrap("", 10) == [""] and wrap("short", 10) == ["short"]


def test_wide_characters_count_two_columns():
    assert text_width("정보보호") == 8 and text_width("abc") == 3
    lines = wrap("정보보호 및 개인정보보호 관리체계 인증기준", 12)
    assert all(text_width(line) <= 12 for line in lines) and "".join(lines).replace(" ", "") == "정보보호및개인정보보호관리체계인증기준"


def test_a_table_that_cannot_fit_becomes_blocks():
    table = Table([Column("ID", whole=True), Column("TITLE")], [["a-very-long-check-identifier-indeed", "A title that wraps at words"]])
    assert table.render(40) is None  # the id (35) and the title's floor (12) do not fit beside each other
    blocks = table.fit(40)
    assert blocks == ["a-very-long-check-identifier-indeed", "  title: A title that wraps at words"]
    fitted = table.fit(70)
    assert fitted[0].startswith("ID") and "a-very-long-check-identifier-indeed  A title that wraps at words" in fitted

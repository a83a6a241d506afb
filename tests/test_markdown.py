"""The Markdown summary: content, caps, escaping, and rendering from the JSON alone."""

from __future__ import annotations

import json
import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT, write, DEMO_ARGS
from scanner.cli import main
from scanner.reports import markdown
from scanner.reports.markdown import MAX_CHARS, MAX_ROWS, escape

EXAMPLES = REPO_ROOT / "examples"


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def privileged_pods(count: int, name=lambda i: f"pod-{i:04d}") -> str:
    docs = []
    for i in range(count):
        docs.append(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name(i)}, namespace: shop}}\nspec:\n  containers:\n    - {{name: c, image: x, securityContext: {{privileged: true}}}}\n")
    return "---\n".join(docs)


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("md") / "results.json"
    assert run(DEMO_ARGS + ["-f", "json", "-o", str(out)]).exit_code == 1
    return out


def test_summary_has_scores_findings_counts_and_a_pointer(demo_result):
    text = run(["report", str(demo_result), "-f", "markdown"]).stdout
    doc = json.loads(demo_result.read_text())
    open_count = doc["summary"]["findings_by_status"]["fail"]
    assert text.startswith(f"## kubecomply: {open_count} open finding(s)\n")
    assert "| pss\\-baseline |" not in text and "| pss-baseline | 58% | 75% | 100% of 12 |" in text
    assert "| CRITICAL | privileged\\-containers |" not in text
    assert "| CRITICAL | privileged-containers | StatefulSet/payments/payments-api | examples/manifests/payments/payments-api.yaml:24 |" in text
    assert f"**Gaps:** 0 · **Waived:** {doc['summary']['findings_by_status']['waived']}" in text
    assert text.rstrip().endswith("Full report: see the kubecomply report artifact of this run.")


def test_scan_and_report_give_the_same_markdown(demo_result):
    scanned = run(DEMO_ARGS + ["-f", "markdown"]).stdout
    assert scanned == run(["report", str(demo_result), "-f", "markdown"]).stdout


def test_report_url_is_the_last_line(demo_result):
    text = run(["report", str(demo_result), "-f", "markdown", "--report-url", "https://ci.example.com/runs/7#artifacts"]).stdout
    assert text.rstrip().splitlines()[-1] == "Full report: [ci.example.com](https://ci.example.com/runs/7#artifacts)"
    odd = run(["report", str(demo_result), "-f", "markdown", "--report-url", "javascript:alert(1)"]).stdout
    assert "](javascript" not in odd and odd.rstrip().endswith("Full report: javascript:alert(1)")


def test_rows_are_capped_with_a_count_of_the_rest(tmp_path):
    write(tmp_path, "pods.yaml", privileged_pods(MAX_ROWS + 7))
    text = run(["scan", "manifests", str(tmp_path), "--framework", "pss-baseline", "-f", "markdown"]).stdout
    rows = [line for line in text.splitlines() if line.startswith("| CRITICAL |")]
    assert len(rows) == MAX_ROWS
    assert "... and 7 more" in text


def test_total_length_is_capped_and_the_pointer_survives(tmp_path, monkeypatch):
    monkeypatch.setattr(markdown, "MAX_ROWS", 10_000)  # so the character budget, not the row cap, decides
    long_name = lambda i: f"p{i:03d}-" + "x" * 240  # noqa: E731 - names near the 253-character limit
    write(tmp_path, "pods.yaml", privileged_pods(400, long_name))
    write(tmp_path / "deep" / ("d" * 200) / ("e" * 200), "more.yaml", privileged_pods(400, lambda i: f"q{i:03d}-" + "y" * 240))
    text = run(["scan", "manifests", str(tmp_path), "--framework", "pss-baseline", "-f", "markdown", "--report-url", "https://ci.example.com/r"]).stdout
    assert MAX_CHARS - 2_000 < len(text) <= MAX_CHARS
    shown = sum(1 for line in text.splitlines() if line.startswith("| CRITICAL |"))
    assert 50 < shown < 800
    assert f"... and {800 - shown} more" in text
    assert text.rstrip().endswith("(https://ci.example.com/r)")


def test_values_from_manifests_cannot_inject_markup(tmp_path):
    evil = "x|y`z<img src=x onerror=alert(1)>*b*_i_[l](http://e)@octocat\nnext"
    doc = {
        "schema_version": "1.0", "scan": {"version": "0"}, "summary": {}, "gaps": [], "frameworks": [], "waivers": [],
        "findings": [{
            "policy": "check|<b>", "severity": "high", "title": "t", "message": "m", "status": "fail", "controls": {},
            "resource": {"apiVersion": "v1", "kind": "Pod", "namespace": "ns", "name": evil},
            "origin": {"type": "file", "path": "a|b`.yaml", "line": 3},
        }],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    text = run(["report", str(path), "-f", "markdown"]).stdout
    [row] = [line for line in text.splitlines() if line.startswith("| HIGH |")]
    assert row.count("|") - row.count("\\|") == 5  # still exactly four cells
    assert "<" not in row and ">" not in row and "`" not in row.replace("\\`", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in row
    assert "\\*b\\*" in row and "\\_i\\_" in row and "\\[l\\]" in row
    assert "@octocat" not in row and "@\u200boctocat" in row
    assert "\n" not in row and "next" in row


@pytest.mark.parametrize("value, expected", [("a|b", "a\\|b"), ("<x>", "&lt;x&gt;"), ("a&b", "a&amp;b"), ("~~s~~", "\\~\\~s\\~\\~"), ("plain-name.yaml:3", "plain-name.yaml:3")])
def test_escape(value, expected):
    assert escape(value) == expected


def test_baseline_and_changed_since_appear(tmp_path):
    k8s = tmp_path / "k8s"
    write(k8s, "pods.yaml", privileged_pods(2))
    baseline = tmp_path / "b.json"
    run(["baseline", "create", str(k8s), "--framework", "pss-baseline", "-o", str(baseline)])
    write(k8s, "new.yaml", privileged_pods(1, lambda i: "fresh"))
    text = run(["scan", "manifests", str(k8s), "--framework", "pss-baseline", "--baseline", str(baseline), "-f", "markdown"]).stdout
    assert text.startswith("## kubecomply: 1 new finding(s)")
    assert "### New findings" in text and "Pod/shop/fresh" in text and "Pod/shop/pod-0000" not in text
    assert "**Baselined:** 2 · **Resolved baseline entries:** 0" in text
    assert "- ❌ fail-on: 1 open finding(s) at or above low" in text

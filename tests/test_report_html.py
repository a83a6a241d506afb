"""The HTML report without a browser: sections, escaping of hostile inputs, CSP, no external
references, Korean, the integrity digest, and `report` from a saved result."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT, check_module, write, DEMO_ARGS
from scanner.cli import main
from scanner.model import ScanResult
from scanner.reports import i18n
from scanner.reports.control_view import anchor
from scanner.reports.html import CSP, SECTIONS, render_html, result_digest
from scanner.reports.json_report import render_json

EXAMPLES = REPO_ROOT / "examples"
TEMPLATES = REPO_ROOT / "scanner" / "reports" / "templates"

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "</title><svg onload=alert(1)>"
PAYLOADS = (SCRIPT, IMG, SVG)


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input, catch_exceptions=False)


class Page(HTMLParser):
    """Every start tag with its attributes, the section ids in order, and the <title> text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[str] = []
        self.title = ""
        self._in_title = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self.sections.append(attributes.get("id") or "")
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def assert_no_injected_markup(page: Page, lang: str = "en") -> None:
    """Only the report's own elements: no script, img, iframe, object, embed, form, link,
    base; svg only as the summary chart; no event-handler attributes anywhere."""
    for tag in ("script", "img", "iframe", "object", "embed", "form", "link", "base", "frame", "audio", "video"):
        assert not page.named(tag), tag
    for attrs in page.named("svg"):
        assert attrs.get("class") == "chart", attrs
    for tag, attrs in page.tags:
        assert not any(name.lower().startswith("on") for name in attrs), (tag, attrs)
    assert page.title == i18n.MESSAGES[lang]["report_title"]


def assert_self_contained(text: str, page: Page) -> None:
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "srcset", "poster", "data", "xlink:href"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith("#") or value.startswith("data:"), (tag, name, value)
    assert "@import" not in text
    assert not re.search(r"url\((?!\s*['\"]?data:)", text), "CSS url() pointing outside the page"
    metas = [m for m in page.named("meta") if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1 and metas[0]["content"] == CSP
    assert "default-src 'none'" in CSP and "script-src" not in CSP


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_json):
    """The demo scan saved as JSON by -f json, and the HTML report rendered from it by `report`."""
    folder = tmp_path_factory.mktemp("html")
    saved = demo_json
    html_path = folder / "report.html"
    out = run(["report", str(saved), "-f", "html", "-o", str(html_path)])
    assert out.exit_code == 0, out.output
    return {"saved": saved, "html": html_path.read_text(encoding="utf-8"), "folder": folder}


def test_sections_in_order_each_with_a_heading(demo):
    page = Page(demo["html"])
    assert page.sections == list(SECTIONS) == [
        "cover", "summary", "scope", "frameworks", "findings", "waivers", "gaps", "method", "signoff",
        "appendix-checks", "appendix-inventory", "appendix-scope", "integrity",
    ]
    for number, section in enumerate(SECTIONS, start=1):
        block = demo["html"].split(f'<section id="{section}"', 1)[1].split("</section>", 1)[0]
        heading = i18n.MESSAGES["en"][f"sec_{section}"]
        assert re.search(rf'<h2><span class="num">{number}</span>{re.escape(heading)}</h2>', block), section


def test_demo_content_for_an_auditor(demo):
    data = json.loads(demo["saved"].read_text())
    html = demo["html"]
    scan = data["scan"]
    for value in (scan["policy_bundle"], scan["targets"][0]["git_commit"], scan["engine_version"], scan["version"], "Files only"):
        assert value in html
    for fw in data["frameworks"]:
        assert fw["title"] in html
        for control in fw["controls"]:
            row = html.split(f'<tr class="row-{control["status"]}" id="{anchor(fw["id"], control["id"])}">', 1)[1].split("</tr>", 1)[0]
            assert f">{control['id']}</span></strong>" in row
    for check in data["checks"]:
        assert check["id"] in html.split('<section id="method"', 1)[1]
    findings = html.split('<section id="findings"', 1)[1].split("</section>", 1)[0]
    assert findings.count('<tr class="row-') == len(data["findings"])
    assert "examples/manifests/payments/payments-api.yaml:24" in findings
    assert "spec.template.spec.containers[0].securityContext.privileged" in findings
    waivers = html.split('<section id="waivers"', 1)[1].split("</section>", 1)[0]
    assert waivers.count("<tr class=\"row-w-") == len(data["waivers"])
    assert 'badge st-expired' in waivers and "SEC-1042" in waivers and "2027-06-30" in waivers
    assert "Expired: no longer applies" in waivers
    # the executive summary's charts: one per framework, pass and fail segments
    summary = html.split('<section id="summary"', 1)[1].split("</section>", 1)[0]
    assert summary.count('<svg class="chart"') == len(data["frameworks"])
    assert 'class="seg-pass"' in summary and 'class="seg-fail"' in summary


def test_self_contained_and_strict_csp(demo):
    page = Page(demo["html"])
    assert_self_contained(demo["html"], page)
    assert_no_injected_markup(page)
    assert "<style>" in demo["html"] and "@page" in demo["html"]
    assert "thead { display: table-header-group; }" in demo["html"]
    assert "break-inside: avoid" in demo["html"]


def test_integrity_digest_is_sha256_of_the_json_file(demo):
    saved_bytes = demo["saved"].read_bytes()
    digest = hashlib.sha256(saved_bytes).hexdigest()
    integrity = demo["html"].split('<section id="integrity"', 1)[1]
    assert f"sha256:{digest}" in integrity
    assert f"{digest}  results.json" in integrity
    result = ScanResult.from_dict(json.loads(saved_bytes))
    assert render_json(result) == saved_bytes
    assert result_digest(result) == digest


def test_scan_html_digest_matches_its_own_json(tmp_path):
    """`scan -f html` embeds the digest of exactly the JSON the same result renders to."""
    out = run(DEMO_ARGS + ["-f", "html", "-o", str(tmp_path / "r.html")])
    assert out.exit_code == 1
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    digest = re.search(r'<p class="digest mono">sha256:([0-9a-f]{64})</p>', html).group(1)
    assert Page(html).sections == list(SECTIONS)
    # re-render the same report from its JSON twin: the scan times differ between runs, so
    # compare through a saved result instead
    saved = tmp_path / "results.json"
    run(DEMO_ARGS + ["-f", "json", "-o", str(saved)])
    again = run(["report", str(saved), "-f", "html"]).stdout
    assert hashlib.sha256(saved.read_bytes()).hexdigest() in again
    assert len(digest) == 64


def test_report_renders_deterministically(demo):
    again = run(["report", str(demo["saved"]), "-f", "html"])
    assert again.exit_code == 0
    assert again.stdout == demo["html"]


def test_korean(demo):
    out = run(["report", str(demo["saved"]), "-f", "html", "--lang", "ko"])
    assert out.exit_code == 0
    html = out.stdout
    page = Page(html)
    assert page.sections == list(SECTIONS)
    assert '<html lang="ko">' in html
    for key in ("report_title", "sec_cover", "sec_summary", "sec_findings", "sec_waivers", "sec_integrity", "st_fail", "st_pass"):
        assert i18n.MESSAGES["ko"][key] in html
    for key in ("sec_cover", "sec_summary", "sec_frameworks", "sec_waivers", "sec_gaps", "sec_method", "integrity_p1", "findings_intro"):
        assert i18n.MESSAGES["en"][key] not in html, key
    # framework and control titles stay as the mapping gives them
    assert "Kubernetes Pod Security Standards - Baseline" in html
    assert_self_contained(html, page)


def test_catalogue_has_every_key_in_both_languages():
    en, ko = i18n.MESSAGES["en"], i18n.MESSAGES["ko"]
    assert set(en) == set(ko)
    assert set(i18n.MESSAGES) == set(i18n.LANGUAGES)
    for key in en:
        assert en[key].strip() and ko[key].strip(), key
        assert re.findall(r"\{(\w+)\}", en[key]) == re.findall(r"\{(\w+)\}", ko[key]), key


def test_template_uses_only_catalogue_keys():
    """Every literal key the templates ask for exists, and so does every key built from a prefix."""
    text = "".join(p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.j2"))
    literal = {k for k in re.findall(r"\bt\('([a-z_-]+)'", text) if not k.endswith("_")}
    assert literal and literal <= set(i18n.MESSAGES["en"])
    assert set(re.findall(r"\bt\('([a-z]+_)' ~", text)) == {"sec_", "sev_", "st_", "auto_"}
    built = [f"sec_{s}" for s in SECTIONS] + [f"sev_{s}" for s in ("critical", "high", "medium", "low", "info")]
    built += [f"st_{s}" for s in ("pass", "fail", "not-assessed", "manual", "waived", "applied", "unused", "expired", "invalid")]
    built += [f"auto_{a}" for a in ("automated", "partial", "manual")]
    for key in built:
        assert key in i18n.MESSAGES["en"], key


def test_unknown_language_is_refused(demo):
    out = run(["report", str(demo["saved"]), "-f", "html", "--lang", "fr"])
    assert out.exit_code == 2
    with pytest.raises(ValueError):
        render_html(ScanResult.from_dict(json.loads(demo["saved"].read_text())), "fr")


def hostile_scan(tmp_path: Path) -> Path:
    """A manifest whose names, labels, annotations, inline waiver and a custom check's
    message carry HTML and script payloads; a waivers file with payloads too."""
    root = tmp_path / "hostile"
    policies = tmp_path / "policies"
    write(policies, "echo.rego", check_module("echo-note", "custom.echo_note", """
        deny contains result if {
            note := input.metadata.annotations.note
            result := {"msg": sprintf("note says %s and name %s", [note, input.metadata.name]), "path": ["metadata", "annotations", "note"]}
        }
    """, kinds="[Deployment]", severity="high"))
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": f"web{SCRIPT}",
            "namespace": f"ns{IMG}",
            "labels": {"team": SVG, "app": IMG},
            "annotations": {
                "note": f"{SCRIPT}{IMG}{SVG}",
                "kubecomply.io/waive.privileged-containers": json.dumps({"justification": f"approved {SCRIPT} {IMG} {SVG}", "approved_by": f"{SCRIPT}", "expires": "2099-01-01", "ticket": f"{IMG}"}),
            },
        },
        "spec": {"template": {"metadata": {"labels": {"app": SVG}}, "spec": {"containers": [
            {"name": f"c{IMG}", "image": f"img{SCRIPT}", "securityContext": {"privileged": True, "capabilities": {"add": [SVG]}}},
        ]}}},
    }
    root.mkdir()
    (root / 'evil"><img src=x onerror=alert(1)>.yaml').write_text(json.dumps(manifest), encoding="utf-8")
    write(tmp_path, "waivers.yaml", f"""
        waivers:
          - check: host-namespaces
            match: {{kind: Deployment, name: "{SCRIPT}"}}
            justification: '{IMG} {SVG}'
            approved_by: '{SCRIPT}'
            ticket: '{SVG}'
            expires: 2099-01-01
    """)
    return root


def test_payloads_never_become_markup(tmp_path):
    root = hostile_scan(tmp_path)
    out_path = tmp_path / "hostile.html"
    result = run(["scan", "manifests", str(root), "--policy-dir", str(tmp_path / "policies"), "--waivers", str(tmp_path / "waivers.yaml"), "-f", "html", "-o", str(out_path)])
    assert result.exit_code == 1, result.output
    html = out_path.read_text(encoding="utf-8")
    page = Page(html)
    assert page.sections == list(SECTIONS)
    assert_no_injected_markup(page)
    assert_self_contained(html, page)
    # the payloads are shown, as text: in the custom check's message, names, the inline
    # waiver's justification and the waivers file
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/title&gt;&lt;svg onload=alert(1)&gt;" in html
    for payload in PAYLOADS:
        assert payload not in html
    waivers = html.split('<section id="waivers"', 1)[1].split("</section>", 1)[0]
    assert "approved &lt;script&gt;" in waivers
    findings = html.split('<section id="findings"', 1)[1].split("</section>", 1)[0]
    assert "note says &lt;script&gt;" in findings and "echo-note" in findings
    # Korean renders the same data just as safely
    ko = render_html(ScanResult.from_dict(json.loads(run(["scan", "manifests", str(root), "--policy-dir", str(tmp_path / "policies"), "-f", "json"]).stdout)), "ko")
    ko_page = Page(ko)
    for attrs in ko_page.named("svg"):
        assert attrs.get("class") == "chart"
    assert not ko_page.named("script") and not ko_page.named("img")


def test_pdf_needs_output_and_chromium(demo, monkeypatch):
    out = run(["report", str(demo["saved"]), "-f", "pdf"])
    assert out.exit_code == 2 and "-f pdf needs -o" in out.output
    import scanner.reports.pdf as pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    out = run(["report", str(demo["saved"]), "-f", "pdf", "-o", str(demo["folder"] / "x.pdf")])
    assert out.exit_code == 2
    lines = [line for line in out.output.splitlines() if line]
    assert len(lines) == 1 and "Chromium" in lines[0] and "apt-get install chromium" in lines[0]
    assert not (demo["folder"] / "x.pdf").exists()
    out = run(DEMO_ARGS + ["-f", "pdf", "-o", str(demo["folder"] / "y.pdf")])
    assert out.exit_code == 2 and "apt-get install chromium" in out.output


def test_csv_controls_still_refused_with_html(demo):
    out = run(["report", str(demo["saved"]), "-f", "html", "--csv-controls"])
    assert out.exit_code == 2


def test_gaps_manual_and_not_assessed_controls_and_an_older_result(demo):
    """Everything the demo does not exercise: each gap type, a check that could not run,
    manual and not-assessed controls, unused and invalid waivers, a result without the
    `checks` and `resources` catalogues."""
    data = json.loads(demo["saved"].read_text())
    data["gaps"] = [
        {"type": "file", "path": "chart/templates/deployment.yaml", "line": 4, "reason": "looks like a Helm template"},
        {"type": "check", "check": "my-check", "reason": "evaluation error at my.rego:12"},
        {"type": "kind", "cluster": "prod-eu", "apiVersion": "v1", "kind": "Secret", "reason": "forbidden"},
    ]
    data["summary"]["documents_skipped"] = {"empty document": 2}
    controls = data["frameworks"][0]["controls"]
    controls[0].update(status="manual", automation="manual", manual_evidence="Interview the platform team")
    controls[1].update(status="not-assessed", reason="no pod in scope")
    data["waivers"][0]["status"] = "unused"
    data["waivers"][1]["status"] = "invalid"
    del data["checks"], data["resources"]
    html = render_html(ScanResult.from_dict(data))
    page = Page(html)
    assert page.sections == list(SECTIONS)
    gaps = html.split('<section id="gaps"', 1)[1].split("</section>", 1)[0]
    for text in ("chart/templates/deployment.yaml", "looks like a Helm template", "my-check", "evaluation error at my.rego:12", "prod-eu", "forbidden", "empty document"):
        assert text in gaps
    frameworks = html.split('<section id="frameworks"', 1)[1].split("</section>", 1)[0]
    assert "Evidence to collect by hand:</span> Interview the platform team" in frameworks
    assert "Not assessed:</span> no pod in scope" in frameworks
    assert "badge st-manual" in frameworks and "badge st-not-assessed" in frameworks
    waivers = html.split('<section id="waivers"', 1)[1].split("</section>", 1)[0]
    assert "Unused: matched no finding" in waivers and "Invalid: could not be applied" in waivers
    method = html.split('<section id="method"', 1)[1].split("</section>", 1)[0]
    assert "predates the check catalogue" in method and "privileged-containers" in method
    assert '<span class="badge st-not-assessed">5</span>' in html  # 3 gaps + 2 skipped documents, on the cover
    assert Page(render_html(ScanResult.from_dict(data), "ko")).sections == list(SECTIONS)

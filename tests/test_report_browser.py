"""The HTML report in a real browser: headless Chromium renders the demo report and a report
of hostile inputs, with every host name resolving to nothing.  Skipped when Chromium is not on
the PATH (.ci/run installs Debian's chromium)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.reports.html import SECTIONS
from scanner.reports.pdf import chromium_command, find_chromium
from scanner.reports import i18n
from test_report_html import Page, assert_no_injected_markup, assert_self_contained, hostile_scan

BROWSER = find_chromium()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="Chromium is not on the PATH (apt-get install chromium; .ci/run installs it)")

# Chromium's own services that it calls at start-up even with background networking off;
# they fail here (every host maps to nothing) and are not requests of the page.
BROWSER_SERVICES = re.compile(r"^[a-z]+://([a-z0-9.-]+\.)?(google\.com|googleapis\.com|gstatic\.com|gvt1\.com|~notfound)(?=[/:\s<]|$)")


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def chromium(page: Path, *args: str, netlog: Path | None = None) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="kubecomply-test-chromium-") as profile:
        extra = [f"--log-net-log={netlog}"] if netlog else []
        command = chromium_command(BROWSER, profile, "--hide-scrollbars", *extra, *args, page.as_uri())
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def page_requests(netlog: Path, page: Path) -> set[str]:
    """Every URL in Chromium's network log that is neither the page itself nor a browser service."""
    urls: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and re.match(r"^[a-z][a-z0-9+.-]*://", value):
            urls.add(value)

    walk(json.loads(netlog.read_text(encoding="utf-8")).get("events", []))
    return {u for u in urls if u != page.as_uri() and not BROWSER_SERVICES.match(u)}


@pytest.fixture(scope="module")
def pages(tmp_path_factory, demo_json):
    folder = tmp_path_factory.mktemp("browser")
    saved = demo_json
    demo = folder / "report.html"
    assert run(["report", str(saved), "-f", "html", "-o", str(demo)]).exit_code == 0
    demo_ko = folder / "report-ko.html"
    assert run(["report", str(saved), "-f", "html", "--lang", "ko", "-o", str(demo_ko)]).exit_code == 0
    root = hostile_scan(folder)
    hostile = folder / "hostile.html"
    out = run(["scan", "manifests", str(root), "--policy-dir", str(folder / "policies"), "--waivers", str(folder / "waivers.yaml"), "-f", "html", "-o", str(hostile)])
    assert out.exit_code == 1, out.output
    return {"folder": folder, "saved": saved, "demo": demo, "demo-ko": demo_ko, "hostile": hostile}


def test_network_detector_sees_a_fetch(pages):
    """Control: a page that does fetch something shows up in the network log."""
    bad = pages["folder"] / "fetches.html"
    bad.write_text('<!DOCTYPE html><title>x</title><img src="http://example.invalid/pixel.png"><img src="x.png">', encoding="utf-8")
    netlog = pages["folder"] / "fetches-netlog.json"
    chromium(bad, "--dump-dom", netlog=netlog)
    requests = page_requests(netlog, bad)
    assert any("example.invalid" in u for u in requests), requests


@pytest.mark.parametrize("name", ["demo", "demo-ko", "hostile"])
def test_dom_has_every_section_and_nothing_injected_and_no_request(pages, name):
    page = pages[name]
    netlog = pages["folder"] / f"{name}-netlog.json"
    dom = chromium(page, "--dump-dom", netlog=netlog).stdout
    parsed = Page(dom)
    assert parsed.sections == list(SECTIONS)
    assert_no_injected_markup(parsed, "ko" if name == "demo-ko" else "en")
    assert_self_contained(dom, parsed)
    assert page_requests(netlog, page) == set()
    if name.startswith("demo"):
        assert_auditor_sections(dom, json.loads(pages["saved"].read_text()), "ko" if name == "demo-ko" else "en")
    if name == "hostile":
        assert "<script>alert(1)</script>" not in dom
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_screenshot_of_the_first_page(pages):
    shot = pages["folder"] / "report.png"
    chromium(pages["demo"], f"--screenshot={shot}", "--window-size=1280,1600")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 1600)
    assert len(data) > 20_000  # a rendered page, not a blank one


def assert_auditor_sections(dom: str, data: dict, lang: str) -> None:
    """The sections an auditor files, as the browser built them: headings in the report's language,
    one inventory row per resource, one control row per control, the sign-off lines."""
    def block(name: str) -> str:
        return dom.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]

    for name in ("scope", "signoff", "appendix-checks", "appendix-inventory", "appendix-scope"):
        assert i18n.MESSAGES[lang][f"sec_{name}"] in block(name), name
    assert len(re.findall(r'<tr><td class="r muted">\d+</td>', block("appendix-inventory"))) == len(data["resources"])
    assert len(re.findall(r'<tr class="row-[a-z-]+" id="ctl-', block("frameworks"))) == sum(len(fw["controls"]) for fw in data["frameworks"])
    assert block("signoff").count('class="blank sign"') == 2
    scope = block("scope")
    for fw in data["frameworks"]:
        assert fw["title"] in scope


def pdf_pages(pdf: Path) -> list[str]:
    """The text of every page (pdftotext, one call per page so page boundaries are exact)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for n in range(1, count + 1)
    ]


@pytest.fixture(scope="module")
def pdfs(pages):
    """The demo report printed once per language through the CLI, with its pages' text and size."""
    if shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdfinfo, pdftotext) is not installed; .ci/run installs it")
    out = {}
    for lang in ("en", "ko"):
        pdf = pages["folder"] / f"report-{lang}.pdf"
        result = run(["report", str(pages["saved"]), "-f", "pdf", "--lang", lang, "-o", str(pdf)])
        assert result.exit_code == 0, result.output
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        out[lang] = {"pdf": pdf, "info": info, "pages": pdf_pages(pdf), "html": (pages["demo"] if lang == "en" else pages["demo-ko"]).read_text(encoding="utf-8")}
    return out


@pytest.mark.parametrize("lang, paper", [("en", "letter"), ("ko", "A4")])
def test_demo_pdf_is_short_on_the_right_paper(pdfs, lang, paper):
    printed = pdfs[lang]
    assert printed["pdf"].read_bytes().startswith(b"%PDF-")
    assert f"({paper})" in re.search(r"^Page size:.*$", printed["info"], re.M).group(0)
    assert 1 < len(printed["pages"]) < 25, len(printed["pages"])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_page_has_the_footer(pdfs, lang):
    printed = pdfs[lang]
    html = printed["html"]
    digest = re.search(r'<p class="digest mono">sha256:([0-9a-f]{64})</p>', html).group(1)
    report_id = re.search(r"KC-[0-9A-F]{10}", html).group(0)
    total = len(printed["pages"])
    for number, page in enumerate(printed["pages"], start=1):
        assert report_id in page and f"sha256:{digest[:12]}" in page, number
        assert re.search(rf"\b{number} / {total}\s*$", page.rstrip()), number


def test_no_check_id_is_broken_across_lines(pages, pdfs):
    """A check id wrapped at a hyphen reads as two ids ("apiserver-" / "profiling"): the layout never does that.

    pdftotext joins a word broken at a line-end hyphen and drops the hyphen
    ("apiserver-auditlog"), so a broken id shows as the id with one hyphen missing,
    or as a line ending in the first half of an id."""
    checks = {c["id"] for c in json.loads(pages["saved"].read_text())["checks"]}
    for lang in ("en", "ko"):
        raw = subprocess.run(["pdftotext", str(pdfs[lang]["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
        words = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", raw))
        broken = {c for c in checks for i, ch in enumerate(c) if ch == "-" and c[:i] + c[i + 1:] in words and c[:i] + c[i + 1:] not in checks}
        lines = raw.splitlines()
        for line, following in zip(lines, lines[1:]):
            end, start = line.split(), following.split()
            if end and start and end[-1].endswith("-") and (end[-1] + start[0]).rstrip(",;.:") in checks:
                broken.add(end[-1] + start[0])
        assert not broken, (lang, sorted(broken))

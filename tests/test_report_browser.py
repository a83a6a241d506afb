"""The HTML report in a real browser: headless Chromium renders the demo report and a report
of hostile inputs, with every host name resolving to nothing.  Skipped when Chromium is not on
the PATH (.ci/run installs Debian's chromium)."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.reports.html import SECTIONS
from scanner.reports.pdf import chromium_command, find_chromium
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
    root = hostile_scan(folder)
    hostile = folder / "hostile.html"
    out = run(["scan", "manifests", str(root), "--policy-dir", str(folder / "policies"), "--waivers", str(folder / "waivers.yaml"), "-f", "html", "-o", str(hostile)])
    assert out.exit_code == 1, out.output
    return {"folder": folder, "saved": saved, "demo": demo, "hostile": hostile}


def test_network_detector_sees_a_fetch(pages):
    """Control: a page that does fetch something shows up in the network log."""
    bad = pages["folder"] / "fetches.html"
    bad.write_text('<!DOCTYPE html><title>x</title><img src="http://example.invalid/pixel.png"><img src="x.png">', encoding="utf-8")
    netlog = pages["folder"] / "fetches-netlog.json"
    chromium(bad, "--dump-dom", netlog=netlog)
    requests = page_requests(netlog, bad)
    assert any("example.invalid" in u for u in requests), requests


@pytest.mark.parametrize("name", ["demo", "hostile"])
def test_dom_has_every_section_and_nothing_injected_and_no_request(pages, name):
    page = pages[name]
    netlog = pages["folder"] / f"{name}-netlog.json"
    dom = chromium(page, "--dump-dom", netlog=netlog).stdout
    parsed = Page(dom)
    assert parsed.sections == list(SECTIONS)
    assert_no_injected_markup(parsed)
    assert_self_contained(dom, parsed)
    assert page_requests(netlog, page) == set()
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


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_print_to_pdf_through_the_cli(pages, lang):
    pdf = pages["folder"] / f"report-{lang}.pdf"
    out = run(["report", str(pages["saved"]), "-f", "pdf", "--lang", lang, "-o", str(pdf)])
    assert out.exit_code == 0, out.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages_in_pdf = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    assert pages_in_pdf > 1

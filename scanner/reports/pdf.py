"""``-f pdf``: the HTML report printed to PDF by a headless Chromium.

The report is written to a temporary file and printed with ``--print-to-pdf``;
Chromium runs with networking effectively off (every host name maps to
nothing, no background services), so printing cannot fetch anything even if
the page asked to.  Without Chromium on the PATH this is a clear error, never a
silent fallback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from ..atomic import write_atomic
from ..model import ScanResult
from .attestation import Attestation
from .fonts import MissingFontError, require_font
from .html import DEFAULT_MAX_ROWS, html_chunks

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120


class PdfError(Exception):
    """The PDF could not be written (no Chromium, or Chromium failed)."""


def find_chromium() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(browser: str, profile_dir: str, *args: str) -> list[str]:
    """Chromium headless, offline, with a throwaway profile; ``--no-sandbox`` only as root."""
    command = [
        browser, "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--disable-default-apps", "--mute-audio",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile_dir}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--no-sandbox")
    return command + list(args)


def write_pdf(result: ScanResult, output: str, lang: str = "en", attestation: Attestation | None = None, paper: str | None = None, max_rows: int = DEFAULT_MAX_ROWS) -> None:
    """The auditor's report as PDF: the page size and the footer (report id, digest, page n / N) come from the page's @page rule;
    ``max_rows`` caps the findings and the inventory as in the HTML report (0: every row)."""
    try:
        require_font(lang)  # never a PDF of empty boxes: Chromium prints those and succeeds
    except MissingFontError as exc:
        raise PdfError(str(exc)) from None
    print_html(html_chunks(result, lang, attestation=attestation, paper=paper, max_rows=max_rows), output)


def print_html(html: str | Iterable[bytes], output: str) -> None:
    """Print a self-contained HTML page (text, or UTF-8 chunks written as they come) to a PDF file (the period report uses it too)."""
    browser = find_chromium()
    if browser is None:
        raise PdfError("-f pdf needs Chromium on the PATH; install it (for example: apt-get install chromium) or use -f html and print from a browser")
    with tempfile.TemporaryDirectory(prefix="kubecomply-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        if isinstance(html, str):
            page.write_text(html, encoding="utf-8")
        else:
            with page.open("wb") as fh:
                for chunk in html:
                    fh.write(chunk)
        # Printed beside the page, then put in place whole (scanner.atomic): Chromium killed
        # half-way must not leave a half PDF where the previous report was.
        target = Path(tmp) / "report.pdf"
        command = chromium_command(browser, str(Path(tmp) / "profile"), "--no-pdf-header-footer", f"--print-to-pdf={target}", page.as_uri())
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"Chromium could not print the report: {exc}") from exc
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            detail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise PdfError(f"Chromium could not print the report (exit {done.returncode}): {detail[0]}")
        try:
            write_atomic(output, target.read_bytes())
        except OSError as exc:
            raise PdfError(f"cannot write {output}: {exc.strerror or exc}") from None

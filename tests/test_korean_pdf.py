"""-f pdf --lang ko: refused without a Korean font (exit 2, the package named), Korean glyphs with one.

The refusal is tested for real: fontconfig is pointed (FONTCONFIG_FILE) at a configuration with
no font folders, which is what a machine without fonts looks like to both fc-list and Chromium.
The fallback for machines without fc-list is tested by taking fc-list off the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.reports import fonts
from scanner.reports.pdf import find_chromium

EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="Chromium is not on the PATH (.ci/run installs it)")


@pytest.fixture
def no_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    conf = tmp_path / "fonts.conf"
    conf.write_text(EMPTY_FONTCONFIG.format(cache=tmp_path / "cache"), encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    return conf


@needs_chromium
@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's fc-list is not installed (the fallback is tested below)")
def test_korean_pdf_without_a_font_is_an_error(demo_json: Path, tmp_path: Path, no_fonts: Path) -> None:
    assert subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, env=os.environ).stdout.strip() == ""
    target = tmp_path / "report.pdf"
    result = CliRunner().invoke(main, ["report", str(demo_json), "-f", "pdf", "--lang", "ko", "-o", str(target)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "fonts-noto-cjk" in lines[0] and "--lang ko" in lines[0], result.output
    assert not target.exists()


def test_english_needs_no_font_of_its_own(no_fonts: Path) -> None:
    fonts.require_font("en")  # Latin text: Chromium always has a fallback, nothing to check


def test_without_fc_list_the_known_font_files_decide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)  # no fontconfig tools on this machine
    assert fonts.fontconfig_has("ko") is None
    monkeypatch.setattr(fonts, "KNOWN_FONT_FILES", (str(tmp_path / "fonts" / "NotoSansCJK*"),))
    with pytest.raises(fonts.MissingFontError, match="apt-get install fonts-noto-cjk"):
        fonts.require_font("ko")
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "NotoSansCJK-Regular.ttc").write_bytes(b"font")
    fonts.require_font("ko")


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed (.ci/run installs it)")
def test_korean_pdf_with_the_font_prints_korean_text(demo_json: Path, tmp_path: Path) -> None:
    if fonts.fontconfig_has("ko") is False:
        pytest.skip("no Korean font installed (apt-get install fonts-noto-cjk; .ci/run installs it)")
    target = tmp_path / "report.pdf"
    result = CliRunner().invoke(main, ["report", str(demo_json), "-f", "pdf", "--lang", "ko", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True).stdout
    # Fixed strings, a check title and its remediation, and a reason: real glyphs, read back as Korean.
    for needle in ("쿠버네티스 컴플라이언스 평가 보고서", "특권 컨테이너", "모집단에 해당하는 리소스가 없습니다"):
        assert needle in " ".join(text.split()) or needle.replace(" ", "") in "".join(text.split()), needle

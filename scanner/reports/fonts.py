"""Is there a font for the report's script?  A PDF printed without one shows empty boxes.

Chromium prints whatever fonts fontconfig offers it, and when none covers Korean it
prints a box (tofu) for every Hangul character and still succeeds: a report nobody can
read, written with exit code 0.  So before printing a report in a language whose script
the usual Latin fonts do not cover, ask fontconfig (``fc-list :lang=ko``, the same
library Chromium asks, honouring ``FONTCONFIG_FILE``), and where ``fc-list`` is not
installed look for the font files distributions ship.  No font is an error that names
the package to install.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

# Languages whose script needs a font of its own, with the Debian/Ubuntu package that has one.
NEEDS_FONT: dict[str, str] = {"ko": "fonts-noto-cjk"}

# Where distributions put fonts that cover Hangul, for machines without fc-list.
KNOWN_FONT_FILES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK*",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSerifCJK*",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK*",  # Fedora
    "/usr/share/fonts/google-noto-sans-cjk-vf-fonts/*",
    "/usr/share/fonts/noto-cjk/NotoSansCJK*",  # Arch
    "/usr/share/fonts/truetype/nanum/*",  # fonts-nanum
    "/usr/share/fonts/truetype/unfonts-core/*",
    "/System/Library/Fonts/AppleSDGothicNeo.ttc",  # macOS
    "/Library/Fonts/NanumGothic*",
    os.path.expandvars(r"%WINDIR%\Fonts\malgun.ttf"),  # Windows
)
TIMEOUT = 30


class MissingFontError(Exception):
    """No installed font covers the report's language; ``str()`` is the one-line message."""


def fontconfig_has(lang: str) -> bool | None:
    """Whether fontconfig lists a font for ``lang``; None when fc-list is not installed or fails."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        done = subprocess.run([fc_list, f":lang={lang}", "family"], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return bool(done.stdout.strip())


def known_font_present(patterns: tuple[str, ...] | None = None) -> bool:
    """Whether one of the font files distributions ship (``KNOWN_FONT_FILES``) is installed."""
    return any(glob.glob(pattern) for pattern in (KNOWN_FONT_FILES if patterns is None else patterns))


def require_font(lang: str) -> None:
    """Raise MissingFontError when ``lang`` needs a font of its own and none is installed."""
    package = NEEDS_FONT.get(lang)
    if package is None:
        return
    found = fontconfig_has(lang)
    if found is None:
        found = known_font_present()
    if not found:
        raise MissingFontError(
            f"-f pdf --lang {lang} needs a font with {lang} glyphs and none is installed (the PDF would show empty boxes); "
            f"install one, for example: apt-get install {package}"
        )

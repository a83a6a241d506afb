"""Reports and stderr under hostile names, and outputs that are never half written (issue 15, items 13 and 14)."""

from __future__ import annotations

import re
import json
import os
import resource
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT

from scanner.cli import main
from scanner.textsafe import safe_text

ESC = "\x1b"
RLO = "\u202e"
ZWSP = "\u200b"
# A name that would set the terminal title, clear the screen and read right to left.
HOSTILE_NAME = f"cart{ESC}]0;pwned\x07{ESC}[2J{RLO}lmay.{ZWSP}x"
HOSTILE_YAML = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: "cart\\e]0;pwned\\a\\e[2J\\u202Elmay.\\u200Bx"
  namespace: "shop\\u2066\\r"
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
          securityContext: {privileged: true}
'''


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


def raw_controls(text: str) -> list[str]:
    """Control and invisible formatting characters left raw in text meant for people.

    Newlines and tabs are allowed; so is the zero-width space Markdown puts after ``@``
    on purpose (so a name cannot mention anyone).
    """
    bad = set()
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in "\n\t") or category in ("Cf", "Zl", "Zp"):
            if ch == ZWSP and i and text[i - 1] == "@":
                continue
            bad.add(hex(ord(ch)))
    return sorted(bad)


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "app.yaml").write_text(HOSTILE_YAML, encoding="utf-8")
    (folder / f"evil{ESC}[31m{RLO}.yaml").write_text("kind: [unclosed\n", encoding="utf-8")  # a file gap with a hostile file name
    return folder


def test_safe_text_shows_controls_and_invisible_characters():
    assert safe_text(HOSTILE_NAME) == "cart\\x1b]0;pwned\\x07\\x1b[2J<U+202E>lmay.<U+200B>x"
    assert safe_text("a\nb") == "a\\x0ab" and safe_text("a\nb", keep_newlines=True) == "a\nb"
    assert safe_text("plain ünïcödé 名前") == "plain ünïcödé 名前"
    assert safe_text("\x9b31m") == "\\x9b31m"  # C1 CSI, which some terminals obey


def test_table_and_stderr_never_print_raw_controls(hostile):
    out = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["scan", "manifests", str(hostile)])
    assert out.exit_code == 2  # the unparseable file
    assert raw_controls(out.stdout) == [] and raw_controls(out.stderr) == []
    # Escaped before it is measured: the whole label fits a 200-column line, shown safely.
    assert "Deployment/shop<U+2066>\\x0d/cart\\x1b]0;pwned\\x07\\x1b[2J<U+202E>lmay.<U+200B>x" in out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 200
    assert "<U+202E>" in out.stdout
    assert "evil\\x1b[31m<U+202E>.yaml" in out.stdout  # the gap names the file, safely


def test_one_line_errors_are_safe(tmp_path):
    bogus = tmp_path / f"snap{ESC}]0;x\x07\n.json.gz"
    bogus.write_text("not gzip")
    out = run(["scan", "snapshot", bogus])
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and raw_controls(out.stderr) == []
    assert "snap\\x1b]0;x\\x07\\x0a.json.gz" in lines[0]


def test_markdown_and_html_show_bidi_and_zero_width_characters(hostile, tmp_path):
    md = run(["scan", "manifests", hostile, "-f", "markdown"])
    assert raw_controls(md.stdout) == []
    assert "&lt;U+202E&gt;lmay." in md.stdout and "&lt;U+200B&gt;x" in md.stdout
    html_file = tmp_path / "report.html"
    run(["scan", "manifests", hostile, "-f", "html", "-o", html_file])
    html = html_file.read_text(encoding="utf-8")
    assert raw_controls(html) == [] and ZWSP not in html
    assert "&lt;U+202E&gt;lmay.&lt;U+200B&gt;x" in html and "\\x1b]0;pwned" in html


# ------------------------------------------------------------------ item 14: atomic outputs


def previous_and_scan(tmp_path: Path, target_name: str = "results.json") -> tuple[Path, str, list[str]]:
    target = tmp_path / "out" / target_name
    target.parent.mkdir()
    previous = json.dumps({"previous": "result", "pad": "x" * 50}) + "\n"
    target.write_text(previous)
    folder = tmp_path / "manifests"
    folder.mkdir()
    for i in range(40):  # a result of some 100 KB, so a write cut at 16 KB is a half file
        (folder / f"app{i}.yaml").write_text(HOSTILE_YAML.replace("cart", f"cart{i}"))
    # Python ignores SIGXFSZ from startup; this entry point restores the default, so the
    # process really is killed by the kernel the moment a write passes the limit.
    entry = "import signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL if sys.argv.pop(1) == 'kill' else signal.SIG_IGN); from scanner.cli import main; main()"
    return target, previous, [sys.executable, "-c", entry, "MODE", "scan", "manifests", str(folder), "-f", "json", "-o", str(target)]


def limited_writes() -> None:
    """Files this process writes may not grow past 16 KB: a kill in mid-write (SIGXFSZ), or a full disk (EFBIG)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))


def test_a_scan_killed_while_writing_leaves_the_previous_result(tmp_path):
    target, previous, command = previous_and_scan(tmp_path)
    command[command.index("MODE")] = "kill"
    proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, preexec_fn=limited_writes, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == -signal.SIGXFSZ, proc.stderr  # killed in the middle of writing the report
    assert target.read_text() == previous  # not empty, not half


def test_a_write_that_fails_exits_2_with_one_line_and_leaves_nothing_behind(tmp_path):
    target, previous, command = previous_and_scan(tmp_path)
    command[command.index("MODE")] = "fail"  # the write fails with EFBIG instead
    proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, preexec_fn=limited_writes, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    # One error line, last; before it only progress lines of finished phases (scanner.progress).
    assert lines[-1].startswith(f"kubecomply: error: cannot write {target}: "), lines
    assert all(re.fullmatch(r"kubecomply: .* in \d+\.\d s", line) for line in lines[:-1]), lines
    assert target.read_text() == previous
    assert sorted(p.name for p in target.parent.iterdir()) == ["results.json"]  # no temporary file left


def test_outputs_are_complete_and_keep_the_mode_of_the_file_they_replace(tmp_path):
    target, _previous, command = previous_and_scan(tmp_path)
    command[command.index("MODE")] = "fail"
    target.chmod(0o640)
    proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(target.read_text())["schema_version"]
    assert (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["results.json"]


ENTRY = "import signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL if sys.argv.pop(1) == 'kill' else signal.SIG_IGN); from scanner.cli import main; main()"


def run_limited(args, mode: str, limit: int) -> subprocess.CompletedProcess:
    """kubecomply ARGS in a process whose files may not grow past ``limit`` bytes (see limited_writes)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-c", ENTRY, mode, *[str(a) for a in args]], cwd=REPO_ROOT, capture_output=True, text=True,
                          preexec_fn=apply, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, timeout=300)


@pytest.mark.parametrize("mode", ["kill", "fail"])
def test_baseline_create_is_atomic(tmp_path, mode):
    target, previous, _command = previous_and_scan(tmp_path, "baseline.json")
    proc = run_limited(["baseline", "create", tmp_path / "manifests", "-o", target], mode, 4_000)
    assert proc.returncode == (-signal.SIGXFSZ if mode == "kill" else 2), proc.stderr
    assert target.read_text() == previous
    if mode == "fail":
        assert sorted(p.name for p in target.parent.iterdir()) == ["baseline.json"]


@pytest.mark.parametrize("limit,shown", [("1MB", "1 MB"), ("1MiB", "1 MiB"), ("1500KB", "1.5 MB")])
def test_size_cap_message_uses_the_units_the_option_was_given_in(tmp_path, limit, shown):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 2_000_000 + "\n")
    out = run(["scan", "manifests", big, "--max-file-size", limit, "-f", "json", "--allow-empty"])
    reasons = [g["reason"] for g in json.loads(out.stdout)["gaps"]]
    assert reasons == [f"file is 2 MB, over the {shown} limit (--max-file-size)"]

"""Files are read again after evaluation to find lines: only if they are still what was read (issue 15, item 15).

The swap happens at the worst moment, between evaluation and line resolution: the
test's entry point wraps the engine's evaluate() so that, once it returns, the file is
replaced by a named pipe or edited.  Subprocess with a timeout: before the fix, the
named pipe hung the scan.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
          securityContext:
            privileged: true
"""

SWAP = """
import os, sys
from scanner.engine.embedded import EmbeddedEngine
mode, target = sys.argv.pop(1), sys.argv.pop(1)
original = EmbeddedEngine.evaluate
def evaluate(self, *args, **kwargs):
    out = original(self, *args, **kwargs)
    if mode == "fifo":
        os.unlink(target)
        os.mkfifo(target)
    elif mode == "edit":
        with open(target, "w") as fh:
            fh.write("# ten new lines at the top\\n" * 10 + open(target + ".orig").read())
    return out
EmbeddedEngine.evaluate = evaluate
from scanner.cli import main
main()
"""


def scan_with_swap(tmp_path, mode: str) -> subprocess.CompletedProcess:
    target = tmp_path / "app.yaml"
    target.write_text(DEPLOYMENT)
    (tmp_path / "app.yaml.orig").write_text(DEPLOYMENT)
    command = [sys.executable, "-c", SWAP, mode, str(target), "scan", "manifests", str(target), "-f", "json"]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("mode", ["fifo", "edit"])
def test_file_swapped_after_evaluation_is_a_gap_not_a_hang_or_wrong_lines(tmp_path, mode):
    proc = scan_with_swap(tmp_path, mode)  # a hang fails here with TimeoutExpired
    assert proc.returncode == 2, proc.stderr  # an incomplete scan, said so
    doc = json.loads(proc.stdout)
    gaps = [g for g in doc["gaps"] if g["type"] == "file"]
    assert len(gaps) == 1 and gaps[0]["path"].endswith("app.yaml") and "changed while it was scanned" in gaps[0]["reason"]
    privileged = next(f for f in doc["findings"] if f["policy"] == "privileged-containers")
    assert privileged["origin"]["line"] == 1  # the document start, never a line of other bytes (13 was right, 23 would be wrong)


def test_unchanged_file_gets_exact_lines(tmp_path):
    proc = scan_with_swap(tmp_path, "none")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert not doc["gaps"]
    assert next(f for f in doc["findings"] if f["policy"] == "privileged-containers")["origin"]["line"] == 13

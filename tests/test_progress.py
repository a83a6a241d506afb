"""Progress on stderr (issue 19): a live line on a terminal, one line per phase elsewhere, nothing with --quiet.

The CLI is run as a subprocess with stderr on a pseudo-terminal or on a pipe,
as a user's shell or a CI runner would give it, and stdout (the report) is
compared between the modes.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scanner import progress

ROOT = Path(__file__).resolve().parent.parent
PHASE_LINE = re.compile(r"^kubecomply: (loaded|read|evaluated|rolled up|wrote the) .* in \d+\.\d s$")
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: a{i}}}}}
  template:
    metadata: {{labels: {{app: a{i}}}}}
    spec:
      containers:
      - name: c
        image: nginx:1.25
        securityContext: {{privileged: {privileged}}}
"""
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: shop}}\ndata: {{k: v}}\n"


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three files, 7 resources: 5 Deployments (two privileged) and 2 ConfigMaps."""
    folder = tmp_path_factory.mktemp("manifests")
    (folder / "a.yaml").write_text("---\n".join(DEPLOYMENT.format(i=i, privileged=str(i < 2).lower()) for i in range(3)))
    (folder / "b.yaml").write_text("---\n".join(DEPLOYMENT.format(i=i, privileged="false") for i in range(3, 5)))
    (folder / "c.yaml").write_text("---\n".join(CONFIGMAP.format(i=i) for i in range(2)))
    return folder


def kubecomply(args: list[str], *, tty: bool, env: dict[str, str] | None = None, stdin: int | None = None) -> tuple[int, bytes, str]:
    """Run the CLI; stderr on a pseudo-terminal when ``tty``.  Returns (exit code, stdout bytes, stderr text)."""
    environ = {k: v for k, v in os.environ.items() if k != progress.ENV}
    environ.update(env or {})
    if not tty:
        done = subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, env=environ, cwd=ROOT, stdin=stdin, timeout=120)
        return done.returncode, done.stdout, done.stderr.decode()
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "scanner", *args], stdout=subprocess.PIPE, stderr=slave, env=environ, cwd=ROOT, stdin=stdin)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    stdout = proc.stdout.read() if proc.stdout else b""
    code = proc.wait(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    # A terminal turns "\n" into "\r\n"; undo that so lines compare as on a pipe.
    return code, stdout, b"".join(chunks).decode().replace("\r\n", "\n")


def summary_lines(stderr: str) -> list[str]:
    """The lines that stay on screen: for each line, what follows the last live redraw."""
    return [line.rsplit("\r\x1b[K", 1)[-1] for line in stderr.split("\n") if line.rsplit("\r\x1b[K", 1)[-1]]


def check_phase_lines(lines: list[str]) -> None:
    """One line per phase, in order, with the counts of the manifests above, then the exit line."""
    phases = [line for line in lines if PHASE_LINE.match(line)]
    # "loaded N checks" is a --verbose line: quick, and an input error right after it stays one line.
    assert [PHASE_LINE.match(line).group(1) for line in phases] == ["read", "evaluated", "rolled up", "wrote the"], lines
    assert phases[0].startswith("kubecomply: read 3 files (7 resources) in ")
    evaluated = re.match(r"kubecomply: evaluated 7 resources x (\d+) checks \((\d+) findings\) in ", phases[1])
    assert evaluated and int(evaluated.group(1)) > 50 and int(evaluated.group(2)) > 0, phases[1]
    assert phases[3].startswith("kubecomply: wrote the json report in ")
    assert lines[-1].startswith("kubecomply: exit 1: ")


def test_plain_lines_without_a_terminal(manifests: Path) -> None:
    code, _stdout, stderr = kubecomply(["scan", "manifests", str(manifests), "-f", "json"], tty=False)
    assert code == 1
    assert "\r" not in stderr and "\x1b" not in stderr
    lines = stderr.splitlines()
    check_phase_lines(lines)
    assert len(lines) == 5  # four phases and the exit line, nothing else


def test_live_line_on_a_terminal_collapses_to_summaries(manifests: Path) -> None:
    code, _stdout, stderr = kubecomply(["scan", "manifests", str(manifests), "-f", "json"], tty=True)
    assert code == 1
    assert "\r\x1b[K" in stderr  # redrawn in place
    assert re.search(r"\r\x1b\[K[|/\\-] reading files \| \d+\.\d s", stderr), stderr  # no counts yet
    # Evaluation runs in guarded forked workers (--check-timeout), which report their counts when they
    # return, so the live line shows the phase while they run; the counts are in its summary line.
    assert re.search(r"\r\x1b\[K[|/\\-] evaluating", stderr), stderr
    lines = summary_lines(stderr)
    check_phase_lines(lines)
    assert len(lines) == 5
    assert not stderr.endswith("\x1b[K")  # the live line is gone at the end


@pytest.mark.parametrize("tty,setting,live", [(True, "0", False), (False, "1", True)])
def test_environment_overrides_the_terminal_detection(manifests: Path, tty: bool, setting: str, live: bool) -> None:
    _code, _stdout, stderr = kubecomply(["scan", "manifests", str(manifests), "-f", "json"], tty=tty, env={progress.ENV: setting})
    assert ("\r\x1b[K" in stderr) is live
    check_phase_lines(summary_lines(stderr))


@pytest.mark.parametrize("tty", [True, False])
def test_quiet_prints_only_the_exit_line(manifests: Path, tty: bool) -> None:
    code, _stdout, stderr = kubecomply(["scan", "manifests", str(manifests), "-f", "json", "--quiet"], tty=tty, env={progress.ENV: "1"})
    assert code == 1
    assert stderr.splitlines() == [stderr.splitlines()[-1]] and stderr.startswith("kubecomply: exit 1: ")


def test_quiet_still_prints_errors(tmp_path: Path) -> None:
    bad = tmp_path / "waivers.yaml"
    bad.write_text("not: [a, waivers, file")
    (tmp_path / "m.yaml").write_text(CONFIGMAP.format(i=1))
    code, _stdout, stderr = kubecomply(["scan", "manifests", str(tmp_path / "m.yaml"), "--waivers", str(bad), "-q"], tty=False)
    assert code == 2
    assert stderr.startswith("kubecomply: error: ") and len(stderr.splitlines()) == 1


def test_verbose_adds_kinds_and_timings(manifests: Path) -> None:
    _code, _stdout, stderr = kubecomply(["scan", "manifests", str(manifests), "-f", "json", "--verbose"], tty=False)
    lines = stderr.splitlines()
    assert re.fullmatch(r"kubecomply: loaded \d+ checks \(\d+ frameworks\) in \d+\.\d s", lines[0]), lines
    assert "kubecomply:   by kind: ConfigMap 2, Deployment 5" in lines
    assert any(re.match(r"kubecomply: files: 7 resources, engine \d+\.\d s, \d+ findings resolved to lines in \d+\.\d s$", line) for line in lines), lines
    timings = [line for line in lines if line.startswith("kubecomply: timings: ")]
    assert len(timings) == 1
    for label in ("loading checks", "reading files", "evaluating", "rolling up", "writing the report"):
        assert re.search(rf"{label} \d+\.\d s", timings[0]), timings[0]


def without_times(raw: bytes) -> dict:
    doc = json.loads(raw)
    for key in ("started", "finished", "result_digest"):  # the digest covers the times
        doc["scan"].pop(key)
    return doc


def test_stdout_is_the_same_report_with_progress_on_and_off(manifests: Path) -> None:
    args = ["scan", "manifests", str(manifests), "-f", "json"]
    reports = [
        kubecomply(args, tty=True)[1],
        kubecomply(args + ["--verbose"], tty=True, env={progress.ENV: "1"})[1],
        kubecomply(args, tty=False)[1],
        kubecomply(args + ["--quiet"], tty=False)[1],
    ]
    assert all(b"\x1b" not in r and b"kubecomply: " not in r for r in reports)
    docs = [without_times(r) for r in reports]
    assert docs[0]["findings"] and all(d == docs[0] for d in docs)
    # Byte for byte once the two times are set alike: nothing else differs, not even whitespace.
    times = json.loads(reports[0])["scan"]
    pinned = []
    for raw in reports:
        text = raw.decode()
        other = json.loads(raw)["scan"]
        for key in ("started", "finished", "result_digest"):
            text = text.replace(f'"{key}": "{other[key]}"', f'"{key}": "{times[key]}"')
        pinned.append(text)
    assert all(p == pinned[0] for p in pinned)


def test_ctrl_c_names_the_phase(tmp_path: Path) -> None:
    """A scan waiting on stdin is interrupted while reading files, and says so."""
    read_fd, write_fd = os.pipe()
    environ = {k: v for k, v in os.environ.items() if k != progress.ENV}
    environ[progress.ENV] = "1"  # the live line tells when the read has started
    proc = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "manifests", "-"], stdin=read_fd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, cwd=ROOT)
    os.close(read_fd)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"reading files" not in seen and time.monotonic() < deadline:
            chunk = os.read(proc.stderr.fileno(), 4096)  # type: ignore[union-attr]
            if not chunk:
                break
            seen += chunk
        assert b"reading files" in seen, seen
        # Let it block in read(): a signal that lands just before the read starts is only seen
        # once the read returns (a race of the test, not of the scan).
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        os.close(write_fd)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    lines = (seen + err).decode().replace("\r\x1b[K", "\n").splitlines()
    assert "kubecomply: interrupted (SIGINT) while reading files: the scan did not finish" in lines, lines


def test_interrupted_phase_inside_a_session() -> None:
    stream = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        with progress.session(stream=stream, environ={progress.ENV: "0"}):
            with progress.phase("evaluating", "evaluated", ("resources",)) as step:
                step.advance(resources=10)
                raise KeyboardInterrupt
    assert stream.getvalue() == ""  # plain style: no summary for a phase that did not finish; the CLI prints the interrupt line
    assert progress.current() is None and progress.current_phase() == "evaluating"


def test_nothing_reports_outside_a_session() -> None:
    assert progress.active() is progress.NULL_PHASE
    with progress.phase("reading files", "read", ("files",)) as step:
        step.advance(files=3)
        assert step is progress.NULL_PHASE and progress.active() is progress.NULL_PHASE
    assert progress.NULL_PHASE.counts == {}


def test_threads_count_into_one_phase() -> None:
    """Fleet clusters and kinds are collected in threads; every advance lands in the open phase."""
    stream = io.StringIO()
    with progress.session(stream=stream, environ={progress.ENV: "0"}):
        with progress.phase("collecting", "collected", ("kinds", "objects"), rate="objects") as step:
            threads = [threading.Thread(target=lambda: [progress.active().advance(kinds=1, objects=5) for _ in range(100)]) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    assert step.counts == {"kinds": 400, "objects": 2000}
    assert re.fullmatch(r"kubecomply: collected 400 kinds \(2,000 objects\) in \d+\.\d s\n", stream.getvalue())


def test_fleet_prints_a_line_per_cluster_as_it_finishes(tmp_path: Path) -> None:
    """Each cluster's line (ok or gaps, objects, kinds; or failed with the reason), then the collection's summary."""
    import shutil

    pytest.importorskip("kubernetes")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the fixture server's certificates")
    from click.testing import CliRunner
    from cluster_helpers import cluster_objects
    from k8s_fixture_server import K8sFixture, make_tls, merge_kubeconfigs

    from scanner.cli import main

    tls = make_tls(tmp_path / "tls")
    with K8sFixture(cluster_objects(), tls=tls) as eu, K8sFixture(cluster_objects(), tls=tls) as us:
        configs = [eu.kubeconfig(tmp_path / "kc-eu", context="prod-eu"), us.kubeconfig(tmp_path / "kc-us", context="prod-us")]
        down = eu.kubeconfig(tmp_path / "kc-down", context="down")
        down.write_text(down.read_text().replace(eu.url, "https://127.0.0.1:9"))
        config = merge_kubeconfigs(tmp_path / "kubeconfig", [*configs, down], current="prod-eu")
        out = CliRunner().invoke(main, ["scan", "cluster", "--kubeconfig", str(config), "--all-contexts", "-f", "json", "--request-timeout", "2"], catch_exceptions=False)
    lines = out.stderr.splitlines()
    objects = len(json.loads(out.stdout)["resources"])
    for name in ("prod-eu", "prod-us"):
        mine = [line for line in lines if line.startswith(f"kubecomply: cluster {name}: ")]
        assert len(mine) == 1 and re.fullmatch(rf"kubecomply: cluster {name}: (ok|\d+ gaps?), [\d,]+ objects, \d+ kinds in \d+\.\d s", mine[0]), lines
    failed = [line for line in lines if line.startswith("kubecomply: cluster down: failed: ")]
    assert len(failed) == 1 and "cannot" in failed[0], lines
    collected = [line for line in lines if line.startswith("kubecomply: collected ")]
    assert len(collected) == 1 and re.fullmatch(r"kubecomply: collected 3 clusters \(\d+ kinds, [\d,]+ objects\) in \d+\.\d s", collected[0]), lines
    # The cluster lines come before the collection's summary, which comes before evaluation.
    assert lines.index(failed[0]) < lines.index(collected[0]) < next(i for i, line in enumerate(lines) if line.startswith("kubecomply: evaluated "))
    assert re.search(rf"kubecomply: evaluated {objects:,} resources x", out.stderr), lines

"""Whole-process benchmark: what a user waits for, per output format, against the parse floor.

``bench_manifests.py`` times the pipeline inside one process; this one times
``kubecomply scan manifests DIR -f FORMAT -o FILE`` as a user runs it: start-up,
loading the checks, the scan, and rendering and writing the report.  The
corpus is findings-heavy (``generate.py --unhardened 0.4``: about five
findings per resource over the bundled checks), because the output stage grows with
findings, not with resources.

Each round runs, one after another: the floor (a process that parses the same
files with ``yaml.load_all(..., Loader=yaml.CSafeLoader)``), one scan per
format, a start-up run (one small file) and, when ``checkov`` is on the PATH,
Checkov on the same folder.  Times are the best of ``--repeat`` rounds, so a
slow spell of the shared machine falls on every step alike; ratios are to the
floor of the same run.  Peak RSS is each child's own (``os.wait4``): with
worker processes, that of the largest process of the scan (the workers are
forked and share most of their pages with it).

    python bench/bench_e2e.py [--sizes 10000,100000] [--repeat 3] [--formats json,table,sarif,html] [--against ../main]

``--against DIR`` times each format a second time with the code of another
checkout first on PYTHONPATH, in the same rounds, for a before/after.  Its
``scanner`` package must find its bundled checks as an installed one does:
link ``DIR/scanner/_bundled/policies`` and ``.../mappings`` to ``DIR/policies``
and ``DIR/mappings`` (with an empty ``__init__.py`` beside them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

HEAVY = 0.4  # share of unhardened workloads: about five findings per resource

FLOOR = r"""
import sys
from pathlib import Path
import yaml
count = 0
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    for _ in yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
        count += 1
print(count)
"""

SMALL = """apiVersion: v1
kind: Pod
metadata:
  name: small
  namespace: bench
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
"""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output_mb: float | None = None


def kubecomply() -> str:
    """The kubecomply beside this Python (the project's virtualenv), else the one on the PATH."""
    beside = Path(sys.executable).with_name("kubecomply")
    return str(beside) if beside.exists() else (shutil.which("kubecomply") or "kubecomply")


def timed(command: list[str], ok_codes: tuple[int, ...] = (0, 1), output: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` to the end: wall time and the child's peak RSS (its own, from wait4)."""
    if output is not None and output.exists():
        output.unlink()
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=HERE.parent, env=env)
    stderr = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in ok_codes:
        raise SystemExit(f"{' '.join(command)} exited {child.returncode}:\n{stderr.decode(errors='replace')[-2000:]}")
    size = output.stat().st_size / 1e6 if output is not None and output.exists() else None
    return Run(seconds, usage.ru_maxrss / 1024, size)


def steps(folder: Path, small: Path, out: Path, formats: list[str], checkov: str | None, against: Path | None) -> dict[str, tuple]:
    """Each step's command, output file, accepted exit codes and environment, in the order a round runs them.

    With ``against`` (a checkout of other code, e.g. main), each format runs
    a second time with that checkout first on PYTHONPATH: before and after
    in the same rounds.
    """
    tool = kubecomply()
    plan: dict[str, tuple] = {"floor": ([sys.executable, "-c", FLOOR, str(folder)], None, (0,), None)}
    other = {**os.environ, "PYTHONPATH": str(against)} if against else None
    for fmt in formats:
        target = out / f"result.{fmt}"
        command = [tool, "scan", "manifests", str(folder), "-f", fmt, "-o", str(target), "--quiet"]
        plan[fmt] = (command, target, (0, 1), None)
        if other:
            plan[f"{fmt} ({against.name})"] = (command, target, (0, 1), other)
    plan["start-up"] = ([tool, "scan", "manifests", str(small), "-f", "json", "-o", str(out / "small.json"), "--quiet"], out / "small.json", (0, 1), None)
    if checkov:
        plan["checkov"] = ([checkov, "-d", str(folder), "--framework", "kubernetes", "-o", "json", "--quiet", "--compact"], None, (0, 1), None)
    return plan


def measure(size: int, data: Path, repeat: int, formats: list[str], checkov: str | None, against: Path | None = None) -> dict[str, Run]:
    folder = data / f"heavy-n{size}"
    generate(size, folder, unhardened=HEAVY)
    with tempfile.TemporaryDirectory(prefix="kubecomply-bench-e2e-") as tmp:
        out = Path(tmp)
        small = out / "small.yaml"
        small.write_text(SMALL, encoding="utf-8")
        plan = steps(folder, small, out, formats, checkov, against)
        runs: dict[str, list[Run]] = {name: [] for name in plan}
        for _ in range(repeat):
            for name, (command, target, codes, env) in plan.items():
                runs[name].append(timed(command, codes, target, env))
    best: dict[str, Run] = {}
    for name, measured in runs.items():
        fastest = min(measured, key=lambda r: r.seconds)
        best[name] = Run(fastest.seconds, max(r.peak_mb for r in measured), fastest.output_mb)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="comma-separated resource counts (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each step's best is kept (default 3)")
    parser.add_argument("--formats", default="json,table,sarif,html", help="output formats to time (default json,table,sarif,html)")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where the corpus is generated")
    parser.add_argument("--no-checkov", action="store_true", help="leave Checkov out even when it is on the PATH")
    parser.add_argument("--against", type=Path, help="a checkout of other code (e.g. a worktree at main): each format also runs with it on PYTHONPATH, interleaved")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    checkov = None if args.no_checkov else shutil.which("checkov")
    load = os.getloadavg()
    # Which scanner the children import (PYTHONPATH first, as for them; not the working directory).
    code = subprocess.run([sys.executable, "-c", "import scanner; print(scanner.__file__)"], capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout.strip()
    print(f"kubecomply {kubecomply()} (code: {code}); {os.cpu_count()} cores; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; best of {args.repeat}")
    for size in (int(s) for s in args.sizes.split(",") if s):
        best = measure(size, args.data, args.repeat, formats, checkov, args.against.resolve() if args.against else None)
        floor = best["floor"]
        print(f"\n{size:,} resources (findings-heavy); floor {floor.seconds:.2f} s, peak RSS {floor.peak_mb:.0f} MB")
        width = max(len(name) for name in best)
        print(f"  {'step':<{width}} {'seconds':>8} {'x floor':>8} {'peak RSS MB':>12} {'output MB':>10}")
        for name, run in best.items():
            if name == "floor":
                continue
            ratio = "" if name == "start-up" else f"{run.seconds / floor.seconds:.2f}"
            output = f"{run.output_mb:.1f}" if run.output_mb is not None else ""
            print(f"  {name:<{width}} {run.seconds:>8.2f} {ratio:>8} {run.peak_mb:>12.0f} {output:>10}")
        if "checkov" in best and "json" in best:
            print(f"  kubecomply -f json is {best['checkov'].seconds / best['json'].seconds:.1f}x faster than Checkov on the same files")
    load = os.getloadavg()
    print(f"\nload average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

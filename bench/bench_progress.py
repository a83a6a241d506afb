"""What progress reporting costs: the same manifest scan with progress live, plain, quiet and (optionally) without the code at all.

Runs are interleaved (one of each per round) so the machine's slow and fast
spells fall on every variant; each run is a fresh ``python -m scanner``
process writing the JSON report to /dev/null, timed from outside.  The live
variant forces the status line (KUBECOMPLY_PROGRESS=1) into a file, so every
redraw is really written.  ``--baseline-src`` names a source tree of the
scanner from before progress existed (``git archive <commit> | tar -x -C DIR``)
to time the code's cost when it is off.

    python bench/bench_progress.py FOLDER [--rounds 5] [--baseline-src DIR]
    python bench/bench_progress.py FOLDER --calls [--workers N]

``--calls`` instead times the progress calls themselves inside one scan (live
style into /dev/null, every redraw written): on a noisy machine whole runs
differ by far more than progress can cost, while this share is exact.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(folder: str, cwd: Path, env: dict[str, str], extra: list[str]) -> float:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scanner", "scan", "manifests", folder, "-f", "json", "-o", os.devnull, *extra],
                       cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err, check=False)
        return time.perf_counter() - start


def time_calls(folder: str, workers: int | None) -> None:
    """One in-process scan with Phase.advance timed: the share of the scan spent counting and redrawing."""
    sys.path.insert(0, str(ROOT))
    from scanner import progress
    from scanner.pipeline import ScanOptions, scan_manifests

    spent = {"calls": 0, "seconds": 0.0}
    advance = progress.Phase.advance

    def timed(self: progress.Phase, **counts: int) -> None:
        start = time.perf_counter()
        advance(self, **counts)
        spent["seconds"] += time.perf_counter() - start
        spent["calls"] += 1

    progress.Phase.advance = timed  # type: ignore[method-assign]
    with open(os.devnull, "w") as sink:
        start = time.perf_counter()
        with progress.session(stream=sink, environ={progress.ENV: "1"}):
            scan_manifests([folder], ScanOptions(workers=workers))
        total = time.perf_counter() - start
    print(f"scan {total:.2f} s; {spent['calls']} advance calls took {spent['seconds'] * 1000:.1f} ms: {spent['seconds'] / total * 100:.3f}% of the scan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-src", default=None)
    parser.add_argument("--calls", action="store_true", help="time the progress calls inside one scan instead")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    if args.calls:
        time_calls(args.folder, args.workers)
        return
    base_env = {k: v for k, v in os.environ.items() if k != "KUBECOMPLY_PROGRESS"}
    variants = {
        "live": (ROOT, {**base_env, "KUBECOMPLY_PROGRESS": "1"}, []),
        "plain": (ROOT, {**base_env, "KUBECOMPLY_PROGRESS": "0"}, []),
        "quiet": (ROOT, base_env, ["--quiet"]),
    }
    if args.baseline_src:
        variants["before"] = (Path(args.baseline_src), base_env, [])
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(args.rounds):
        for name, (cwd, env, extra) in variants.items():
            times[name].append(run(args.folder, cwd, env, extra))
        print(f"round {round_ + 1}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()), flush=True)
    reference = "before" if "before" in times else "quiet"
    for name, values in times.items():
        print(f"{name:6}: best {min(values):.2f} s, median {statistics.median(values):.2f} s, "
              f"best/best vs {reference} {min(values) / min(times[reference]):.3f}, "
              f"median/median {statistics.median(values) / statistics.median(times[reference]):.3f}")


if __name__ == "__main__":
    main()

"""Time and memory per pipeline phase of one manifest scan, in this process.

For each phase of ``scanner.pipeline.scan`` (read, engine, findings, the rest
of the evaluation, roll-up) and for what the CLI does after it (rendering,
and writing the output to /dev/null: a streamed format does its work there), print the seconds it took, the resident set when it ended
and the peak so far; forked readers and evaluation workers are counted in
"children peak".  Run it once per corpus in a fresh process:

    .venv/bin/python bench/heavy_corpus.py 10000 /tmp/c10k
    .venv/bin/python bench/bench_memory.py /tmp/c10k [--format table|json|sarif|html|none]

``--tracemalloc`` also prints the Python heap peak per phase (slow: use at
most a few thousand resources).
"""

from __future__ import annotations

import argparse
import os
import threading
import resource
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner import pipeline  # noqa: E402

ROWS: list[tuple[str, float, float, float, float, float]] = []
PAGE = resource.getpagesize()


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 1e6


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1e3


class TreeSampler(threading.Thread):
    """The largest proportional set size (PSS) of this process and its children together, sampled.

    What a container's memory limit counts: forked workers share the parent's
    pages until they touch them, so adding up their RSS would count the shared
    pages twice, and the parent's peak alone leaves the workers out.
    """

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        self.interval, self.peak, self.running = interval, 0.0, True

    @staticmethod
    def tree_pss() -> float:
        pids, total = [os.getpid()], 0.0
        try:
            with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as fh:
                pids += [int(p) for p in fh.read().split()]
        except OSError:
            pass
        for pid in pids:
            try:
                with open(f"/proc/{pid}/smaps_rollup") as fh:
                    for line in fh:
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]) / 1e3
                            break
            except OSError:
                continue
        return total

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.tree_pss())
            time.sleep(self.interval)


@contextmanager
def phase(name: str):
    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        yield
    finally:
        traced = tracemalloc.get_traced_memory()[1] / 1e6 if tracemalloc.is_tracing() else 0.0
        ROWS.append((name, time.perf_counter() - started, rss_mb(), peak_mb(), peak_mb(resource.RUSAGE_CHILDREN), traced))


def wrap(owner, name: str, label: str) -> None:
    inner = getattr(owner, name)

    def timed(*args, **kwargs):
        with phase(label):
            return inner(*args, **kwargs)

    setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--format", default="table", choices=["table", "json", "sarif", "html", "none"])
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--kubeconfig", help="scan the cluster of this kubeconfig (e.g. bench_cluster.py --serve) instead of files")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()
    from scanner.sources.cluster import ClusterOptions
    from scanner.sources.clusters import ClusterSource, ClusterTarget
    from scanner.sources.files import ManifestSource

    wrap(ManifestSource, "read", "read")
    wrap(ClusterSource, "read", "read")
    wrap(pipeline, "evaluate_resources", "engine")
    wrap(pipeline, "make_findings", "findings")
    wrap(pipeline, "combine", "roll-up")
    sampler = TreeSampler()
    sampler.start()
    options = pipeline.ScanOptions(workers=args.workers)
    with phase("bundle"):
        bundle = pipeline.load_bundle(options)
    started = time.perf_counter()
    with phase("scan (all)"):
        if args.kubeconfig:
            source = ClusterSource([ClusterTarget(None, args.kubeconfig)], ClusterOptions())
        else:
            source = pipeline.manifest_source(args.targets, options)
        result = pipeline.scan(source, options, bundle)
    total = time.perf_counter() - started
    if args.format != "none":
        from scanner.reports import renderer_for

        # Rendered and written to /dev/null: a streaming renderer (json, sarif) gives an iterator
        # of chunks, which costs nothing until it is consumed, so the write is where its memory shows.
        with phase(f"render {args.format}"):
            out = renderer_for(args.format, False, "en", None)(result)
        with phase("write"):
            with open(os.devnull, "wb") as sink:
                for chunk in [out] if isinstance(out, (str, bytes)) else out:
                    sink.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    resources = result.summary.get("resources") or len(result.resources)
    print(f"{resources:,} resources, {len(result.findings):,} findings, scan {total:.2f} s")
    print(f"{'phase':<14} {'seconds':>8} {'RSS MB':>8} {'peak MB':>8} {'children':>9} {'py peak':>8}")
    for name, secs, rss, peak, child, traced in ROWS:
        print(f"{name:<14} {secs:8.2f} {rss:8.0f} {peak:8.0f} {child:9.0f} {traced:8.0f}")
    sampler.running = False
    print(f"peak RSS {max(peak_mb(), peak_mb(resource.RUSAGE_CHILDREN)):.0f} MB (largest process); peak PSS of the process tree {sampler.peak:.0f} MB")


if __name__ == "__main__":
    main()

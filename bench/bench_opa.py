"""The OPA engine against the embedded one, end to end, in the same run.

Default (real OPA): full ``kubecomply scan manifests`` runs over the generated 10,000-resource
corpus (bench/generate.py), each in its own process, with ``--engine embedded`` (default
workers, and one worker) and ``--engine opa`` (a local ``opa run --server`` that the scanner
starts: the pinned OPA `make tools` builds, found first on PATH, its start-up included).
Rounds interleave the three so the machine's slow spells fall on all of them; the best of
``--repeat`` is kept, and the two engines' findings must be identical.

    python bench/bench_opa.py [--resources 10000] [--repeat 3] [--opa-batch-bytes 4MB]

``--fixture``: the older measurement of the protocol alone, against tests/opa_fixture.py
(which answers queries with regorus): (OPA engine time - embedded time) over the same batches
is what serialising, the requests and parsing the answers cost, per batch size.

    python bench/bench_opa.py --fixture [--resources 2500] [--batch-bytes 256KB,1MB,4MB]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from generate import generate  # noqa: E402
from opa_fixture import OpaFixture  # noqa: E402
from scanner.engine.embedded import EmbeddedEngine  # noqa: E402
from scanner.engine.opa_server import OpaServerEngine  # noqa: E402
from scanner.policies import load_policies  # noqa: E402
from scanner.engine.inventory import build_inventory  # noqa: E402
from scanner.sources.manifests import load_manifests  # noqa: E402
from tools import tool_path, tools_bin  # noqa: E402

SIZES = {"KB": 1024, "MB": 1024 * 1024}


def size(text: str) -> int:
    for unit, factor in SIZES.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def fixture_overhead(args: argparse.Namespace) -> None:
    """The protocol fixture's answers: what the client side and the wire cost, per batch size."""
    folder = ROOT / "bench" / "data" / "n10000"
    generate(10000, folder)
    load = load_manifests([str(folder)])
    resources = load.resources[: args.resources]
    objs = [r.obj for r in resources]
    inventory = build_inventory(resources)
    policy_set = load_policies()

    embedded = EmbeddedEngine(workers=1)
    embedded.load(policy_set)
    t = time.perf_counter()
    expected = embedded.evaluate(objs, inventory)
    embedded_s = time.perf_counter() - t
    print(f"{len(objs)} resources, {len(policy_set.policies)} checks; embedded (1 worker): {embedded_s:.3f} s")
    print("| batch limit | batches | load (PUT modules) | evaluate | embedded | overhead | per batch | close (DELETE) | requests |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for limit in args.batch_bytes.split(","):
        with OpaFixture() as fixture:
            engine = OpaServerEngine(fixture.url, batch_bytes=size(limit))
            t0 = time.perf_counter()
            engine.load(policy_set)
            t1 = time.perf_counter()
            result = engine.evaluate(objs, inventory)
            t2 = time.perf_counter()
            engine.close()
            t3 = time.perf_counter()
            batches = len(fixture.requests("POST"))
            assert len(result.violations) == len(expected.violations) and not result.failed_checks
            # the same batches through regorus directly: what evaluation alone costs for them
            direct = EmbeddedEngine(workers=1, batch_size=max(1, -(-len(objs) // batches)))
            direct.load(policy_set)
            t4 = time.perf_counter()
            direct.evaluate(objs, inventory)
            direct_s = time.perf_counter() - t4
            overhead = (t2 - t1) - direct_s
            print(f"| {limit} | {batches} | {t1 - t0:.3f} s | {t2 - t1:.3f} s | {direct_s:.3f} s | {overhead:.3f} s | {overhead / batches * 1000:.1f} ms | {t3 - t2:.3f} s | {engine.requests_sent} |")


def scan_once(folder: Path, engine_args: list[str]) -> tuple[float, list]:
    """One full CLI scan in its own process; wall time and the findings of its JSON result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        env = {**os.environ, "PATH": f"{tools_bin()}{os.pathsep}{os.environ.get('PATH', '')}"}
        argv = [sys.executable, "-m", "scanner", "scan", "manifests", str(folder), *engine_args, "-f", "json", "-o", str(out)]
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"scan {' '.join(engine_args)} failed (exit {done.returncode}): {done.stderr.strip()}")
        return elapsed, json.loads(out.read_text(encoding="utf-8"))["findings"]


def real_opa(args: argparse.Namespace) -> None:
    opa = tool_path("opa")
    if opa is None:
        raise SystemExit("no pinned opa: run `make tools` first (tests/tools/build.sh)")
    source = ROOT / "bench" / "data" / "n10000"
    generate(10000, source)
    folder = source
    if args.resources < 10000:  # the first N resources' files (50 documents each)
        folder = Path(tempfile.mkdtemp(prefix="bench-opa-"))
        for path in sorted(source.glob("*.yaml"))[: max(1, args.resources // 50)]:
            (folder / path.name).write_bytes(path.read_bytes())
    modes = {
        "embedded (default workers)": ["--engine", "embedded"],
        "embedded (1 worker)": ["--engine", "embedded", "--workers", "1"],
        "opa (local server)": ["--engine", "opa", "--opa-batch-bytes", args.opa_batch_bytes],
    }
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    findings: dict[str, list] = {}
    for _ in range(args.repeat):
        for mode, engine_args in modes.items():
            seconds, found = scan_once(folder, engine_args)
            times[mode].append(seconds)
            findings[mode] = found
    reference = findings["embedded (default workers)"]
    assert all(found == reference for found in findings.values()), "the engines' findings differ"
    best = {mode: min(values) for mode, values in times.items()}
    print(f"{folder}: {len(reference)} findings, identical from both engines; {opa} (best of {args.repeat}, wall time of the whole CLI run)")
    print("| engine | best | all runs | vs embedded (default workers) |")
    print("| --- | ---: | --- | ---: |")
    for mode, seconds in best.items():
        runs = ", ".join(f"{t:.2f}" for t in times[mode])
        print(f"| {mode} | {seconds:.2f} s | {runs} | {seconds / best['embedded (default workers)']:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixture", action="store_true", help="measure the protocol against tests/opa_fixture.py instead of a real OPA")
    parser.add_argument("--resources", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--opa-batch-bytes", default="4MB")
    parser.add_argument("--batch-bytes", default="256KB,1MB,4MB", help="with --fixture: the batch limits to compare")
    args = parser.parse_args()
    if args.fixture:
        args.resources = args.resources or 2500
        fixture_overhead(args)
    else:
        args.resources = args.resources or 10000
        real_opa(args)


if __name__ == "__main__":
    main()

"""Overhead of the OPA engine per batch, against the protocol fixture (tests/opa_fixture.py).

The fixture answers queries with regorus, so (OPA engine time - embedded time) over the same
batches is what the HTTP protocol costs: serialising each batch, the request, the fixture's
JSON decoding and encoding, and parsing the answer.  A real OPA evaluates at its own speed on
top of that; this measures the client side and the wire, not OPA.

    python bench/bench_opa.py [--resources 2000] [--batch-bytes 1MB,4MB]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from opa_fixture import OpaFixture  # noqa: E402
from scanner.engine.embedded import EmbeddedEngine  # noqa: E402
from scanner.engine.opa_server import OpaServerEngine  # noqa: E402
from scanner.policies import load_policies  # noqa: E402
from scanner.engine.inventory import build_inventory  # noqa: E402
from scanner.sources.manifests import load_manifests  # noqa: E402

SIZES = {"KB": 1024, "MB": 1024 * 1024}


def size(text: str) -> int:
    for unit, factor in SIZES.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=2500)
    parser.add_argument("--batch-bytes", default="256KB,1MB,4MB")
    args = parser.parse_args()
    load = load_manifests([str(ROOT / "bench" / "data" / "n10000")])
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


if __name__ == "__main__":
    main()

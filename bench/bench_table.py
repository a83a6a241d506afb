"""Time the terminal table alone on a saved result: what ``scan`` adds after the JSON is built.

    python bench/generate.py 10000 /tmp/x
    kubecomply scan manifests /tmp/x -f json -o /tmp/x.json
    python bench/bench_table.py /tmp/x.json --width 120

Prints the load time (``ScanResult.from_dict``), then the rendering time with the
default cap and with ``--max-rows 0`` (every finding), best of ``--repeat`` runs,
with the lines and the widest line of each.
"""

from __future__ import annotations

import argparse
import json
import time

from scanner.model import ScanResult
from scanner.reports.table import DEFAULT_MAX_ROWS, render_table


def best(repeat: int, func):
    times, out = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result", help="a JSON result (kubecomply scan ... -f json -o FILE)")
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    with open(args.result, encoding="utf-8") as handle:
        result = ScanResult.from_dict(json.load(handle))
    print(f"load: {time.perf_counter() - start:.2f} s, {len(result.findings)} findings")
    for max_rows in (DEFAULT_MAX_ROWS, 0):
        seconds, out = best(args.repeat, lambda: render_table(result, max_rows=max_rows, width=args.width))
        lines = out.splitlines()
        print(f"table --max-rows {max_rows}: {seconds:.2f} s, {len(lines)} lines, widest {max(len(line) for line in lines)} (width {args.width})")


if __name__ == "__main__":
    main()

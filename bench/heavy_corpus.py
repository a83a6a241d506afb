"""A findings-heavy corpus for the memory benchmark: every workload violates several checks.

``bench/generate.py`` hardens two thirds of the workloads, as a well-kept
repository would; memory per finding only shows when findings are many, so
here every workload is left unhardened (about five findings or more per
resource with the bundled checks).  Deterministic, 50 documents per file,
or every document in one file with ``--one-file`` (the single large manifest
case of issue 15).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

from generate import resource  # noqa: E402  (bench/ is the working folder of bench scripts)

DOCS_PER_FILE = 50


class _Unhardened(random.Random):
    """A Random that answers 0.0 to ``share`` of its draws: pod_spec then leaves that workload unhardened.

    (Its draws are ``hardened = random() > 0.33`` and, when unhardened, privileged
    and hostNetwork, so such a workload violates many checks at once.)
    """

    share = 0.25

    def random(self) -> float:  # noqa: D401
        draw = super().random()
        return 0.0 if draw < self.share else super().random()


def heavy_resources(count: int, seed: int = 7, share: float = 0.25):
    rng = _Unhardened(seed)
    rng.share = share
    for i in range(count):
        yield resource(rng, i)


def write(count: int, out: Path, one_file: bool = False, pods: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    docs = list(_pods(count) if pods else heavy_resources(count))
    size = count if one_file else DOCS_PER_FILE
    files = []
    for start in range(0, count, size):
        path = out / f"resources-{start // size:05d}.yaml"
        path.write_text(yaml.dump_all(docs[start : start + size], Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
        files.append(path)
    return files


def _pods(count: int):
    """Small, unhardened pods (the issue's 40,000 pods in 6 MB of YAML)."""
    for i in range(count):
        yield {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "namespace": f"ns{i % 20}"},
               "spec": {"containers": [{"name": "c", "image": f"nginx:1.{i % 30}"}]}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--one-file", action="store_true", help="every document in one file")
    parser.add_argument("--pods", action="store_true", help="small unhardened pods only")
    args = parser.parse_args()
    files = write(args.count, args.out, args.one_file, args.pods)
    print(f"wrote {len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB, to {args.out}")

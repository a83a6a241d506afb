"""Cost of each bundled check per resource, in the engine's combined evaluation.

Policy authors: run this after changing a check. Each check is timed alone
(with the shared library) over the same generated workloads, and the cost of
an empty check is subtracted, so the number is what the check itself adds.

    python bench/bench_checks.py [--resources 3000] [--check ID ...] [--applies]

--applies also evaluates each check's `applies` rule (its population, see
docs/policies.md), as an engine that counts populations must, and prints
what that adds per resource for the checks that define one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import regorus  # noqa: E402

from generate import resource  # noqa: E402
from scanner.policies import load_policies  # noqa: E402


def workloads(count: int) -> list[dict]:
    import random

    rng = random.Random(11)
    out = []
    i = 0
    while len(out) < count:
        obj = resource(rng, i)
        i += 1
        if obj["kind"] in ("Deployment", "StatefulSet", "Pod", "CronJob", "DaemonSet"):
            out.append(obj)
    return out


APPLIES_RULE = re.compile(r"^applies\b", re.MULTILINE)


def time_checks(modules: list[tuple[str, str]], packages: list[str], objs: list[dict], repeat: int = 3, applies: tuple[str, ...] = ()) -> float:
    engine = regorus.Engine()
    for path, text in modules:
        engine.add_policy(path, text)
    lines = ["package bench_checks", "import rego.v1", "results contains v if {", "\tsome r in input.batch", "\tsome v in all with input as r", "}"]
    lines += [f"all contains v if {{ some v in data.{pkg}.deny }}" for pkg in packages]
    lines += [f"all contains {json.dumps(pkg)} if data.{pkg}.applies" for pkg in applies]
    engine.add_policy("bench.rego", "\n".join(lines))
    engine.set_input_json(json.dumps({"batch": objs}))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        engine.eval_rule_as_json("data.bench_checks.results")
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=3000)
    parser.add_argument("--check", action="append", default=[])
    parser.add_argument("--applies", action="store_true", help="also time each check's applies rule")
    args = parser.parse_args()
    policy_set = load_policies()
    libraries = [(m.path, m.text) for m in policy_set.modules if "/lib/" in m.path.replace("\\", "/")]
    objs = workloads(args.resources)
    # The baseline touches the shared library, which the engine computes once per
    # resource for all checks together, so each row is the check's own cost.
    empty = (
        "empty.rego",
        "package bench_empty\nimport rego.v1\nimport data.kubecomply.lib.workloads\n"
        "deny contains 1 if { some c in workloads.containers; c.container.name == {} }\n",
    )
    base = time_checks(libraries + [empty], ["bench_empty"], objs)
    rows = []
    for policy in policy_set.policies:
        if args.check and policy.id not in args.check:
            continue
        module = next((m.path, m.text) for m in policy_set.modules if m.path == policy.file)
        cost = time_checks(libraries + [module], [policy.package], objs) - base
        if args.applies and APPLIES_RULE.search(module[1]):
            extra = time_checks(libraries + [module], [policy.package], objs, applies=(policy.package,)) - base - cost
            rows.append((cost, f"{policy.id} (applies +{extra / len(objs) * 1e6:.1f} us)"))
            continue
        rows.append((cost, policy.id))
    everything = [(m.path, m.text) for m in policy_set.modules]
    total = time_checks(everything, [p.package for p in policy_set.policies], objs)
    for cost, check in sorted(rows, reverse=True):
        print(f"{check:28} {cost / len(objs) * 1e6:7.1f} us/resource")
    print(f"{'baseline (library + rule)':28} {base / len(objs) * 1e6:7.1f} us/resource")
    print(f"{'all checks together':28} {total / len(objs) * 1e6:7.1f} us/resource ({len(objs)} workloads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

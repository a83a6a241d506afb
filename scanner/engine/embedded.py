"""The default engine: regorus, the Rego interpreter from microsoft/regorus, in process.

Chosen over a server or regopy for speed and strictness (see design.md): every
module is loaded once per scan, each batch is set as input once, and checks
are evaluated through the generated wrapper, so the cost grows with the number
of resources, not with resources x checks x calls.  The checks are spread over
a few regorus engines ("lanes", about a dozen checks each, libraries in every
one), because regorus' cost per check grows with the number of modules an
engine holds: on 10,000 resources with the 82 bundled checks this cut
evaluation from 17 s to 10-11 s.  On machines with more than one core, large
scans are split across forked worker processes that inherit the loaded
engines, since the interpreter itself is single-threaded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
import re
from typing import Any, Sequence

import regorus

from .. import progress
from ..model import Policy
from ..policies import ALL_KINDS, PolicyError, PolicySet
from . import EngineError, Evaluation, UnevaluableInput
from . import shipped_facts
from .ast_facts import module_facts
from .builtins import check_builtins
from ..forking import DIED, OK, TIMEOUT, WorkerError, default_workers, map_forked, run_guarded, slices
from .data_refs import libraries_needed, modules_reading_inventory
from .inventory_kinds import inventory_kinds, trim_inventory
from .lazy_engine import LazyEngine
from .wrapper import Wrapper, build_wrapper, group_by_kind, parse_result, resource_label

DEFAULT_BATCH_SIZE = 2000
# Limits for user Rego (see _evaluate_guarded).  Generous: all 80-odd bundled
# checks take about 2 s together on a batch of 2,000 resources on a slow machine.
DEFAULT_CHECK_TIMEOUT = 60.0  # seconds per check and batch
DEFAULT_MEMORY_LIMIT = 4 * 2**30  # address space an evaluation worker may add to what it inherits
LANE_SIZE = 12  # checks per regorus engine; see lane_plan
# Below this many resources a worker process costs more than it saves.
PARALLEL_MINIMUM = 1000
_LOCATION = re.compile(r"-->\s*(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)")
_ERROR = re.compile(r"^error:\s*(?P<msg>.+)$", re.MULTILINE)


def engine_error_text(exc: BaseException) -> tuple[str | None, int | None, str]:
    """Reduce a regorus error (a source excerpt plus, with RUST_BACKTRACE, a stack) to file, line, message."""
    text = str(exc).split("Stack backtrace:", 1)[0]
    location = _LOCATION.search(text)
    error = _ERROR.search(text)
    message = error.group("msg").strip() if error else (text.strip().splitlines() or ["unknown error"])[-1]
    if location:
        return location.group("file"), int(location.group("line")), message
    return None, None, message


def regorus_version() -> str | None:
    """The installed regorus build, for the scan record.

    Read from the name of its ``.dist-info`` folder beside the package when it
    is there (a wheel install): importing importlib.metadata (and the email
    package it pulls in) was a sixth of a small scan's start-up.
    """
    folder = os.path.dirname(os.path.dirname(os.path.abspath(regorus.__file__ or "")))
    try:
        found = [n for n in os.listdir(folder) if n.startswith("gordon_to_regorus-") and n.endswith(".dist-info")]
    except OSError:
        found = []
    if len(found) == 1:
        return "regorus " + found[0][len("gordon_to_regorus-") : -len(".dist-info")]
    from importlib import metadata

    try:
        return "regorus " + metadata.version("gordon-to-regorus")
    except metadata.PackageNotFoundError:
        return None


@dataclass
class _Lane:
    """One regorus engine holding a few checks (and the libraries), with its generated wrapper."""

    engine: Any
    wrapper: Wrapper
    kinds: set[str] | None  # the kinds its checks evaluate; None: every kind
    reads_inventory: bool
    fallback_loaded: bool = False  # the per-check rules, loaded the first time a batch needs them
    policies: tuple[Policy, ...] = ()
    pins: dict[str, dict[str, str]] = field(default_factory=dict)  # check id -> {its own rule: check id}, see _evaluate_each_check
    pin_scopes: dict[str, str] = field(default_factory=dict)  # check id -> its own population rule, for checks with applies
    prepared: bool = True  # False after modules were added and before the engine compiled them


def lane_plan(policies: Sequence[Policy], size: int) -> list[list[Policy]]:
    """Checks split into lanes of at most ``size`` that declare the same kinds.

    regorus' cost per check and resource grows with the number of modules
    loaded in the engine (measured: about 18 us per workload for a check
    loaded alone, 41 us with 45 workload checks loaded together), so the
    checks are spread over several small engines.  Lanes cost a little each
    (the libraries are computed once per lane and resource, and every lane
    is given its input), which is why they are not one check each.
    """
    groups: dict[tuple[str, ...], list[Policy]] = {}
    for policy in policies:
        groups.setdefault(tuple(policy.kinds), []).append(policy)
    lanes: list[list[Policy]] = []
    for members in groups.values():
        count = -(-len(members) // size)
        per_lane = -(-len(members) // count)
        lanes += [members[i : i + per_lane] for i in range(0, len(members), per_lane)]
    return lanes


def _dumps(value: Any) -> str:
    """JSON for the engine; NaN and infinities (which JSON has not) raise UnevaluableInput."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        raise UnevaluableInput("a resource holds NaN or an infinity, which JSON cannot carry") from None


class EmbeddedEngine:
    name = "embedded"

    def __init__(
        self, batch_size: int = DEFAULT_BATCH_SIZE, workers: int | None = None, config: dict[str, Any] | None = None, lane_size: int = LANE_SIZE,
        check_timeout: float | None = DEFAULT_CHECK_TIMEOUT, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    ):
        self.version = regorus_version()
        # None or 0 turns a limit off; with both off (or without fork) evaluation runs unguarded, partly in process.
        self.check_timeout = check_timeout or None
        self.memory_limit = memory_limit or None
        self.config = config or {}  # --data, seen by checks as data.kubecomply.config
        self.batch_size = batch_size
        self.lane_size = max(1, lane_size)
        self.workers = default_workers() if workers is None else max(1, workers)
        self._lanes: list[_Lane] = []
        self._loaded = False
        self._inventory_kinds: set[str] | None = None  # None: hand over every kind

    def load(self, policy_set: PolicySet) -> None:
        # Vet everything once: syntax (file and line), unknown builtins, whether
        # anything may read data.inventory.  Bundled modules whose exact text
        # is known come with shipped facts (parsed at build time); the rest are
        # parsed here, in one engine of their own.
        facts, unknown = shipped_facts.split(policy_set.modules)
        if unknown:
            facts.update(module_facts(self._new_engine(unknown).get_ast_as_json()))
            facts = {m.path: facts[m.path] for m in policy_set.modules if m.path in facts}  # load order, as the checks report
        check_builtins(policy_set.modules, facts)
        readers = modules_reading_inventory(facts)
        check_files = {p.file for p in policy_set.policies}
        libraries = [m.path for m in policy_set.modules if m.path not in check_files]
        by_file = {m.path: m for m in policy_set.modules}
        lanes = []
        bases: dict[tuple[str, ...], Any] = {}  # libraries -> an engine holding just them, cloned for each lane
        for members in lane_plan(policy_set.policies, self.lane_size):
            files = [p.file for p in members]
            # Only the libraries these checks reach: regorus' cost per data
            # reference grows with the modules an engine holds.
            needed = tuple(libraries_needed(files, libraries, facts))
            wrapper = build_wrapper(members, combined=True)
            # Built when the lane is first evaluated: a scan uses only the lanes its kinds reach.
            engine = LazyEngine(lambda needed=needed, files=files, wrapper=wrapper: self._lane_engine(bases, by_file, needed, files, wrapper))
            kinds = None if any(ALL_KINDS in p.kinds for p in members) else {k for p in members for k in p.kinds}
            reads_inventory = any(f in readers for f in needed + tuple(files))
            lanes.append(_Lane(engine, wrapper, kinds, reads_inventory, policies=tuple(members)))
        self._inventory_kinds = inventory_kinds(policy_set)
        self._lanes = lanes
        self._loaded = True

    def _lane_engine(
        self, bases: dict[tuple[str, ...], Any], by_file: dict[str, Any], libraries: tuple[str, ...], checks: Sequence[str], wrapper: Wrapper,
    ) -> Any:
        """A lane's engine: a clone of the one holding its libraries (parsed once; most lanes share one or two), then its checks and wrapper."""
        if libraries not in bases:
            bases[libraries] = self._new_engine([by_file[f] for f in libraries])
        engine = self._new_engine([by_file[f] for f in checks], bases[libraries].clone())
        for name, text in wrapper.modules:
            engine.add_policy(name, text)
        return engine

    @staticmethod
    def _new_engine(modules: Sequence[Any], engine: Any = None) -> Any:
        """``engine`` (a new one by default) with ``modules`` added; a module that does not parse is a PolicyError."""
        engine = regorus.Engine() if engine is None else engine
        for module in modules:
            try:
                engine.add_policy(module.path, module.text)
            except Exception as exc:  # regorus raises plain exceptions with a source excerpt
                file, line, message = engine_error_text(exc)
                raise PolicyError(file or module.path, line, message) from None
        return engine

    def evaluate(self, resources: Sequence[dict[str, Any]], inventory: dict[str, Any]) -> Evaluation:
        if not self._loaded:
            raise RuntimeError("load() must be called before evaluate()")
        inventory_json = None
        config_json = json.dumps({"kubecomply": {"config": self.config}}, allow_nan=False) if self.config else None
        for lane in self._lanes:
            lane.engine.clear_data()
            if lane.reads_inventory:
                inventory_json = inventory_json or _dumps({"inventory": trim_inventory(inventory, self._inventory_kinds)})
                lane.engine.add_data_json(inventory_json)
            if config_json:
                lane.engine.add_data_json(config_json)
        workers = min(self.workers, max(1, len(resources) // PARALLEL_MINIMUM))
        if (self.check_timeout or self.memory_limit) and hasattr(os, "fork"):
            return self._evaluate_guarded(resources, workers)
        if workers == 1:
            return self._evaluate_range(resources, 0, len(resources))
        return self._evaluate_forked(resources, workers)

    # -- guarded evaluation: time and memory limits ----------------------------

    def _budget(self, start: int, end: int) -> float | None:
        """Seconds a slice may take: the per-check limit for each of its batches (all checks together on the fast path)."""
        if not self.check_timeout:
            return None
        return self.check_timeout * max(1, -(-(end - start) // self.batch_size))

    def _evaluate_guarded(self, resources: Sequence[dict[str, Any]], workers: int) -> Evaluation:
        """Every slice in a forked child with a deadline and a memory limit; the parent only waits.

        regorus cannot be interrupted and holds the interpreter while it runs,
        so a check that never ends (or eats all memory) could otherwise hang
        or kill the scan.  The fast path runs all checks together and gives a
        slice the per-check limit for each of its batches.  A slice that
        overstays or dies is run again one check at a time, each with that
        limit, which names the culprit: it becomes a check that could not run
        (a gap, exit 2) and every other check's results are kept.
        """
        bounds = slices(len(resources), workers)
        timeout = max(self._budget(start, end) or 0 for start, end in bounds) or None
        tasks = [lambda start=start, end=end: self._evaluate_range(resources, start, end) for start, end in bounds]
        result = Evaluation()
        failed: list[tuple[int, int]] = []
        for (start, end), (status, value) in zip(bounds, run_guarded(tasks, timeout, self.memory_limit)):
            if status == OK:
                result.merge(value)  # type: ignore[arg-type]
            elif status in (TIMEOUT, DIED):
                failed.append((start, end))
            else:
                text = str(value)
                if text.startswith(UnevaluableInput.__name__ + ":"):
                    raise UnevaluableInput(text.split(":", 1)[1].strip())
                raise EngineError(f"evaluation worker failed: {text}")
        if failed:
            result.merge(self._evaluate_each_check(resources, failed))
        return result

    def _evaluate_each_check(self, resources: Sequence[dict[str, Any]], ranges: list[tuple[int, int]]) -> Evaluation:
        """The slices that failed, one check at a time (each check over the slices at once, in guarded children).

        The slow path that pins a culprit; the per-check rules are compiled
        here, once, so the children inherit them.
        """
        result = Evaluation()
        timeout = max(self._budget(start, end) or 0 for start, end in ranges) or None
        pairs = [(lane, policy) for lane in self._lanes for policy in lane.policies]
        for number, (lane, policy) in enumerate(pairs):
            # A package of its own per check: regorus evaluates every rule of a
            # package when one is referenced, so the lane's per-check rules
            # (one package) would run the culprit again for every check.
            if policy.id not in lane.pins:
                pin = build_wrapper([policy], package=f"kubecomply_pin_{number}")
                lane.engine.add_policy(f"kubecomply-pin-{number}.rego", pin.fallback[1])
                lane.pins[policy.id] = pin.rules
                if pin.scope is not None:  # its population, so a re-run check is not counted over resources outside it
                    scope_text = next(text for name, text in pin.modules if name == "kubecomply-scope.rego")
                    lane.engine.add_policy(f"kubecomply-pin-{number}-scope.rego", scope_text)
                    lane.pin_scopes[policy.id] = pin.scope
                lane.prepared = False
        for lane in self._lanes:
            if lane.pins and not lane.prepared:
                # regorus compiles an engine's modules on the first evaluation after a
                # change; done here once, not again in every child that inherits it.
                lane.engine.set_input_json('{"kinds": {}}')
                lane.engine.eval_rule_as_json(next(iter(next(iter(lane.pins.values())))))
                lane.prepared = True
        for lane, policy in pairs:
            names = lane.pins[policy.id]
            (rule, check_id), = names.items()
            tasks = [lambda lane=lane, rule=rule, names=names, start=start, end=end: self._evaluate_rule(lane, rule, names, resources, start, end) for start, end in ranges]
            reasons = []
            for (start, end), (status, value) in zip(ranges, run_guarded(tasks, timeout, self.memory_limit)):
                where = f"resources #{start + 1}-#{end}"
                if status == OK:
                    result.merge(value)  # type: ignore[arg-type]
                elif status == TIMEOUT:
                    reasons.append(
                        f"evaluation took longer than the limit of {self.check_timeout:g} s per batch of up to {self.batch_size} resources "
                        f"(--check-timeout) on {where}, and was stopped; its results there are not used"
                    )
                elif status == DIED:
                    limit = f" (limit: {self.memory_limit / 2**20:,.0f} MiB beyond the scan's own, --eval-memory)" if self.memory_limit else ""
                    reasons.append(f"evaluation worker {value} on {where}, most likely out of memory{limit}; its results there are not used")
                else:
                    reasons.append(f"evaluation failed on {where}: {value}")
            if reasons:
                result.merge(Evaluation(failed_checks={check_id: "; ".join(reasons)}))
        return result

    def _evaluate_rule(self, lane: "_Lane", rule: str, names: dict[str, str], resources: Sequence[dict[str, Any]], first: int, last: int) -> Evaluation:
        """One check's rule (loaded in the lane already; ``names``: rule -> check id) over resources[first:last]."""
        check_id = names[rule]
        result = Evaluation()
        for start in range(first, last, self.batch_size):
            batch = resources[start : min(start + self.batch_size, last)]
            kinds, index = group_by_kind(batch, start)
            present = sorted(kinds if lane.kinds is None else lane.kinds.intersection(kinds))
            if not present:
                continue
            lane.engine.set_input_json('{"kinds": {' + ", ".join(f"{json.dumps(k)}: {_dumps(kinds[k])}" for k in present) + "}}")
            try:
                values = json.loads(lane.engine.eval_rule_as_json(rule))
            except Exception:
                self._isolate_errors(lane, [rule], batch, start, result, names)
                continue
            for kind, position, value in values or ():
                result.violations.append(parse_result(check_id, index[kind][position], value))
            scope = lane.pin_scopes.get(check_id)
            if scope is not None:
                try:
                    result.add_outside(json.loads(lane.engine.eval_rule_as_json(scope)), index)
                except Exception as exc:
                    _file, _line, message = engine_error_text(exc)
                    result.merge(Evaluation(failed_checks={check_id: f"its applies rule could not be evaluated: {message}"}))
        return result

    def _evaluate_forked(self, resources: Sequence[dict[str, Any]], workers: int) -> Evaluation:
        """Split the resources into contiguous slices; the children inherit the loaded engine by fork."""
        try:
            parts = map_forked(lambda start, end: self._evaluate_range(resources, start, end), len(resources), workers)
        except WorkerError as exc:
            if str(exc).startswith(UnevaluableInput.__name__ + ":"):
                raise UnevaluableInput(str(exc).split(":", 1)[1].strip()) from None
            raise EngineError(f"evaluation worker failed: {exc}") from None
        result = parts[0]
        for value in parts[1:]:
            result.merge(value)
        return result

    def _evaluate_range(self, resources: Sequence[dict[str, Any]], first: int, last: int) -> Evaluation:
        result = Evaluation()
        step = progress.active()  # a forked worker's is the no-op: the parent counts for the terminal
        for start in range(first, last, self.batch_size):
            batch = resources[start : min(start + self.batch_size, last)]
            kinds, index = group_by_kind(batch, start)
            # Each kind's objects are serialised once per batch and each lane's
            # input is put together from them: lanes see different sets of
            # kinds, and serialising the batch for each set cost 0.4 s on
            # 10,000 resources.
            serialised: dict[str, str] = {}  # kind -> '"Kind": [objects]'
            inputs: dict[tuple[str, ...], str] = {}  # lanes over the same kinds share one input
            for lane in self._lanes:
                present = tuple(sorted(kinds if lane.kinds is None else lane.kinds.intersection(kinds)))
                if not present:
                    continue
                if present not in inputs:
                    for kind in present:
                        if kind not in serialised:
                            serialised[kind] = f"{json.dumps(kind)}: {_dumps(kinds[kind])}"
                    inputs[present] = '{"kinds": {' + ", ".join(serialised[k] for k in present) + "}}"
                lane.engine.set_input_json(inputs[present])
                try:
                    answers = [json.loads(lane.engine.eval_rule_as_json(group)) for group in lane.wrapper.groups]
                except Exception:
                    self._evaluate_each(lane, batch, start, index, result)
                    continue
                for values in answers:
                    for kind, position, found, outside in values or ():
                        resource_index = index[kind][position]
                        for check_id, violations in found.items():  # every check of the group, mostly empty
                            for value in violations:
                                result.violations.append(parse_result(check_id, resource_index, value))
                        for check_id in outside:
                            result.not_applicable.setdefault(check_id, set()).add(resource_index)
            step.advance(resources=len(batch))
        return result

    def _evaluate_each(self, lane: "_Lane", batch: Sequence[dict[str, Any]], start: int, index: dict, result: Evaluation) -> None:
        """The fast path failed for this lane and batch: run each check alone to find which one, and where.

        The batch is still the lane's input (a failed query does not change it).
        The fast path also answers populations, so those are asked apart
        first, one check at a time: a failing ``applies`` marks only its own check.
        """
        if not lane.fallback_loaded:
            lane.engine.add_policy(*lane.wrapper.fallback)
            for module in lane.wrapper.scope_modules:
                lane.engine.add_policy(*module)
            lane.fallback_loaded = True
        for rule, check_id in lane.wrapper.scopes.items():
            try:
                outside = json.loads(lane.engine.eval_rule_as_json(rule))
            except Exception as exc:
                file, line, message = engine_error_text(exc)
                where = f" at {file}:{line}" if file else ""
                result.merge(Evaluation(failed_checks={check_id: f"its applies rule could not be evaluated{where}: {message}"}))
                continue
            result.add_outside([[check_id, kind, position] for kind, position in outside or ()], index)
        isolate: list[str] = []
        for rule, check_id in lane.wrapper.rules.items():
            try:
                values = json.loads(lane.engine.eval_rule_as_json(rule))
            except Exception:
                isolate.append(rule)
                continue
            for kind, position, value in values or ():
                result.violations.append(parse_result(check_id, index[kind][position], value))
        if isolate:
            self._isolate_errors(lane, isolate, batch, start, result)

    def _isolate_errors(self, lane: "_Lane", rules: list[str], batch: Sequence[dict[str, Any]], start: int, result: Evaluation, names: dict[str, str] | None = None) -> None:
        """A check that errors on a batch is run again one resource at a time.

        regorus raises (rather than returning undefined) when a builtin gets a
        value of the wrong type, so one odd manifest would otherwise stop a
        check for every resource in the batch.  Evaluating alone keeps every
        result that can be had and names exactly the resources that could not
        be evaluated; the check is still reported as not having run fully.
        """
        errors: dict[str, list[str]] = {}
        for offset, obj in enumerate(batch):
            kind = str(obj.get("kind", ""))
            if lane.kinds is not None and kind not in lane.kinds:
                continue
            lane.engine.set_input_json(json.dumps({"kinds": {kind: [obj]}}))
            for rule in rules:
                check_id = (names or lane.wrapper.rules)[rule]
                try:
                    values = json.loads(lane.engine.eval_rule_as_json(rule))
                except Exception as exc:
                    file, line, message = engine_error_text(exc)
                    where = f" at {file}:{line}" if file else ""
                    errors.setdefault(check_id, []).append(f"resource #{start + offset + 1} ({resource_label(obj)}): evaluation error{where}: {message}")
                    continue
                for _kind, _position, value in values or ():
                    result.violations.append(parse_result(check_id, start + offset, value))
        for check_id, messages in errors.items():
            more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
            previous = result.failed_checks.get(check_id)
            result.failed_checks[check_id] = (previous + "; " if previous else "") + messages[0] + more

    def close(self) -> None:
        self._lanes = []

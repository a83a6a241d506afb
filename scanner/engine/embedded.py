"""The default engine: regorus, the Rego interpreter from microsoft/regorus, in process.

Chosen over a server or regopy for speed and strictness (see design.md): every
module is loaded once per scan, each batch is set as input once, and checks
are evaluated through the generated wrapper, so the cost grows with the number
of resources, not with resources x checks x calls.  On machines with more than
one core, large scans are split across forked worker processes that inherit
the loaded engine, since the interpreter itself is single-threaded.
"""

from __future__ import annotations

import json
from importlib import metadata
import re
from typing import Any, Sequence

import regorus

from ..policies import PolicyError, PolicySet
from . import EngineError, Evaluation
from .builtins import check_builtins
from .. import forking
from ..forking import WorkerError, map_forked
from .data_refs import reads_inventory
from .inventory_kinds import inventory_kinds, trim_inventory
from .wrapper import Wrapper, build_wrapper, group_by_kind, parse_result, resource_label

DEFAULT_BATCH_SIZE = 2000
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


def default_workers() -> int:
    return forking.default_workers()


def regorus_version() -> str | None:
    """The installed regorus build, for the scan record."""
    try:
        return "regorus " + metadata.version("gordon-to-regorus")
    except metadata.PackageNotFoundError:
        return None


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE, workers: int | None = None, config: dict[str, Any] | None = None):
        self.version = regorus_version()
        self.config = config or {}  # --data, seen by checks as data.kubecomply.config
        self.batch_size = batch_size
        self.workers = default_workers() if workers is None else max(1, workers)
        self._engine: regorus.Engine | None = None
        self._wrapper: Wrapper | None = None
        self._reads_inventory = True
        self._inventory_kinds: set[str] | None = None  # None: hand over every kind

    def load(self, policy_set: PolicySet) -> None:
        engine = regorus.Engine()
        for module in policy_set.modules:
            try:
                engine.add_policy(module.path, module.text)
            except Exception as exc:  # regorus raises plain exceptions with a source excerpt
                file, line, message = engine_error_text(exc)
                raise PolicyError(file or module.path, line, message) from None
        ast_json = engine.get_ast_as_json()
        check_builtins(policy_set.modules, ast_json)
        self._reads_inventory = reads_inventory(ast_json)
        self._inventory_kinds = inventory_kinds(policy_set)
        wrapper = build_wrapper(policy_set.policies)
        for name, text in wrapper.modules:
            engine.add_policy(name, text)
        self._engine = engine
        self._wrapper = wrapper

    def evaluate(self, resources: Sequence[dict[str, Any]], inventory: dict[str, Any]) -> Evaluation:
        if self._engine is None or self._wrapper is None:
            raise RuntimeError("load() must be called before evaluate()")
        self._engine.clear_data()
        if self._reads_inventory:
            self._engine.add_data_json(json.dumps({"inventory": trim_inventory(inventory, self._inventory_kinds)}))
        if self.config:
            self._engine.add_data_json(json.dumps({"kubecomply": {"config": self.config}}))
        workers = min(self.workers, max(1, len(resources) // PARALLEL_MINIMUM))
        if workers == 1:
            return self._evaluate_range(resources, 0, len(resources))
        return self._evaluate_forked(resources, workers)

    def _evaluate_forked(self, resources: Sequence[dict[str, Any]], workers: int) -> Evaluation:
        """Split the resources into contiguous slices; the children inherit the loaded engine by fork."""
        try:
            parts = map_forked(lambda start, end: self._evaluate_range(resources, start, end), len(resources), workers)
        except WorkerError as exc:
            raise EngineError(f"evaluation worker failed: {exc}") from None
        result = parts[0]
        for value in parts[1:]:
            result.violations.extend(value.violations)
            for check_id, reason in value.failed_checks.items():
                previous = result.failed_checks.get(check_id)
                result.failed_checks[check_id] = f"{previous}; {reason}" if previous else reason
        return result

    def _evaluate_range(self, resources: Sequence[dict[str, Any]], first: int, last: int) -> Evaluation:
        assert self._engine is not None and self._wrapper is not None
        engine, wrapper = self._engine, self._wrapper
        result = Evaluation()
        for start in range(first, last, self.batch_size):
            batch = resources[start : min(start + self.batch_size, last)]
            kinds, index = group_by_kind(batch, start)
            engine.set_input_json(json.dumps({"kinds": kinds}))
            try:
                found = [json.loads(engine.eval_rule_as_json(group)) for group in wrapper.groups]
            except Exception:
                self._evaluate_each(batch, start, index, result)
                continue
            for values in found:
                for kind, position, check_id, value in values or ():
                    result.violations.append(parse_result(check_id, index[kind][position], value))
        return result

    def _evaluate_each(self, batch: Sequence[dict[str, Any]], start: int, index: dict, result: Evaluation) -> None:
        """The fast path failed for this batch: run each check alone to find which one, and where.

        The batch is still the engine's input (a failed query does not change it).
        """
        assert self._engine is not None and self._wrapper is not None
        engine, wrapper = self._engine, self._wrapper
        isolate: list[str] = []
        for rule, check_id in wrapper.rules.items():
            try:
                values = json.loads(engine.eval_rule_as_json(rule))
            except Exception:
                isolate.append(rule)
                continue
            for kind, position, value in values or ():
                result.violations.append(parse_result(check_id, index[kind][position], value))
        if isolate:
            self._isolate_errors(isolate, batch, start, result)

    def _isolate_errors(self, rules: list[str], batch: Sequence[dict[str, Any]], start: int, result: Evaluation) -> None:
        """A check that errors on a batch is run again one resource at a time.

        regorus raises (rather than returning undefined) when a builtin gets a
        value of the wrong type, so one odd manifest would otherwise stop a
        check for every resource in the batch.  Evaluating alone keeps every
        result that can be had and names exactly the resources that could not
        be evaluated; the check is still reported as not having run fully.
        """
        assert self._engine is not None and self._wrapper is not None
        engine, wrapper = self._engine, self._wrapper
        errors: dict[str, list[str]] = {}
        for offset, obj in enumerate(batch):
            engine.set_input_json(json.dumps({"kinds": {str(obj.get("kind", "")): [obj]}}))
            for rule in rules:
                check_id = wrapper.rules[rule]
                try:
                    values = json.loads(engine.eval_rule_as_json(rule))
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
        self._engine = None
        self._wrapper = None

"""The default engine: regorus, the Rego interpreter from microsoft/regorus, in process.

Chosen over a server or regopy for speed and strictness (see docs/design notes):
every module is loaded once per scan, each batch is set as input once, and each
check is evaluated through the generated wrapper so the cost grows with the
number of resources, not with resources x checks x calls.
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

import regorus

from ..policies import PolicyError, PolicySet
from . import Evaluation
from .builtins import check_builtins
from .wrapper import Wrapper, build_wrapper, group_by_kind, parse_result, resource_label

DEFAULT_BATCH_SIZE = 5000
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


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE):
        self.batch_size = batch_size
        self._engine: regorus.Engine | None = None
        self._wrapper: Wrapper | None = None

    def load(self, policy_set: PolicySet) -> None:
        engine = regorus.Engine()
        for module in policy_set.modules:
            try:
                engine.add_policy(module.path, module.text)
            except Exception as exc:  # regorus raises plain exceptions with a source excerpt
                file, line, message = engine_error_text(exc)
                raise PolicyError(file or module.path, line, message) from None
        check_builtins(policy_set.modules, engine.get_ast_as_json())
        wrapper = build_wrapper(policy_set.policies)
        engine.add_policy("kubecomply-wrapper.rego", wrapper.text)
        self._engine = engine
        self._wrapper = wrapper

    def evaluate(self, resources: Sequence[dict[str, Any]], inventory: dict[str, Any]) -> Evaluation:
        if self._engine is None or self._wrapper is None:
            raise RuntimeError("load() must be called before evaluate()")
        engine, wrapper = self._engine, self._wrapper
        engine.clear_data()
        engine.add_data_json(json.dumps({"inventory": inventory}))
        result = Evaluation()
        for start in range(0, max(len(resources), 1), self.batch_size):
            batch = resources[start : start + self.batch_size]
            kinds, index = group_by_kind(batch, start)
            engine.set_input_json(json.dumps({"kinds": kinds}))
            isolate: list[str] = []
            for rule, check_id in wrapper.rules.items():
                try:
                    values = json.loads(engine.eval_rule_as_json(wrapper.rule_ref(rule)))
                except Exception:
                    isolate.append(rule)
                    continue
                for kind, position, value in values or ():
                    result.violations.append(parse_result(check_id, index[kind][position], value))
            if isolate:
                self._isolate_errors(isolate, batch, start, result)
        return result

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
                    values = json.loads(engine.eval_rule_as_json(wrapper.rule_ref(rule)))
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

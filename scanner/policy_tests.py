"""Run Rego unit tests (``*_test.rego``, rules named ``test_*``) the way ``opa test`` does.

A test passes only when its rule evaluates to true; undefined or false is a
failure and an evaluation error is reported as an error, so a test that cannot
run never counts as passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regorus

from .engine.ast_facts import module_facts
from .engine.builtins import check_builtins
from .engine.embedded import engine_error_text
from .policies import PACKAGE_LINE, PolicyError, PolicySet

TEST_RULE = re.compile(r"^(test_\w+)\s*(?:if\b|:=|=|\{)", re.MULTILINE)


@dataclass
class TestOutcome:
    file: str
    rule: str
    status: str  # pass, fail, error
    detail: str | None = None


@dataclass
class TestReport:
    outcomes: list[TestOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and self.count("pass") == len(self.outcomes)

    def summary_line(self) -> str:
        if not self.outcomes:
            return "0 passed, 0 failed: no test_ rules found"
        return f"{self.count('pass')} passed, {self.count('fail') + self.count('error')} failed"


def run_policy_tests(policy_set: PolicySet) -> TestReport:
    engine = regorus.Engine()
    modules = policy_set.modules + policy_set.test_modules
    for module in modules:
        try:
            engine.add_policy(module.path, module.text)
        except Exception as exc:
            file, line, message = engine_error_text(exc)
            raise PolicyError(file or module.path, line, message) from None
    check_builtins(modules, module_facts(engine.get_ast_as_json()))
    engine.set_input({})
    report = TestReport()
    for module in policy_set.test_modules:
        package = PACKAGE_LINE.search(module.text)
        if package is None:
            raise PolicyError(module.path, 1, "no 'package' declaration")
        for rule in dict.fromkeys(TEST_RULE.findall(module.text)):
            try:
                value = engine.eval_rule(f"data.{package.group(1)}.{rule}")
            except Exception as exc:
                _, line, message = engine_error_text(exc)
                report.outcomes.append(TestOutcome(module.path, rule, "error", f"line {line}: {message}" if line else message))
                continue
            status = "pass" if value is True else "fail"
            report.outcomes.append(TestOutcome(module.path, rule, status, None if value is True else f"got {value!r}"))
    return report

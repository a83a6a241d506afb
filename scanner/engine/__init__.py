"""Policy engines: the in-process regorus engine (default) and an OPA server (``opa_server.py``).

Every engine implements :class:`Engine`: load a PolicySet once, then evaluate
batches of resources against it with the scanned set as ``data.inventory``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

# regorus attaches a Rust backtrace to every error when RUST_BACKTRACE is set
# (it is on many developer machines and CI images), and capturing one costs
# milliseconds: the builtin probes at load went from 2 ms to 60-140 ms with it.
# We never show those backtraces (engine_error_text drops them), so Rust
# library backtraces are off unless the user asks for them explicitly.  This
# must run before regorus raises its first error in this process.
os.environ.setdefault("RUST_LIB_BACKTRACE", "0")

from ..model import Violation
from ..policies import PolicySet


class EngineError(Exception):
    """The engine could not load or run policies; ``str()`` is one line for the user."""


@dataclass
class Evaluation:
    """What one evaluation produced: violations, and the checks that could not run (id -> reason)."""

    violations: list[Violation] = field(default_factory=list)
    failed_checks: dict[str, str] = field(default_factory=dict)
    # check id -> indexes of resources of its kinds that are outside its population (its ``applies`` is not true)
    not_applicable: dict[str, set[int]] = field(default_factory=dict)

    def merge(self, other: "Evaluation") -> None:
        """Add another slice's results (forked workers, batches)."""
        self.violations.extend(other.violations)
        for check_id, reason in other.failed_checks.items():
            previous = self.failed_checks.get(check_id)
            self.failed_checks[check_id] = f"{previous}; {reason}" if previous else reason
        for check_id, indexes in other.not_applicable.items():
            self.not_applicable.setdefault(check_id, set()).update(indexes)

    def add_outside(self, values: Any, index: dict[str, list[int]]) -> None:
        """Record the ``scope.outside`` results of one batch: [check id, kind, position in the batch's kind group]."""
        for check_id, kind, position in values or ():
            self.not_applicable.setdefault(check_id, set()).add(index[kind][position])


class Engine(Protocol):
    name: str

    def load(self, policy_set: PolicySet) -> None:
        """Load every module once; raise PolicyError naming file and line on any problem."""

    def evaluate(self, resources: Sequence[dict[str, Any]], inventory: dict[str, Any]) -> Evaluation:
        """Run every loaded check on the resources of the kinds it declares."""

    def close(self) -> None:
        """Release what the engine holds (servers, pushed policies)."""


def create_engine(name: str, **options: Any) -> Engine:
    if name == "embedded":
        from .embedded import EmbeddedEngine

        return EmbeddedEngine(**options)
    if name == "opa":
        from .opa_server import OpaServerEngine

        return OpaServerEngine(**options)
    raise EngineError(f"unknown engine {name!r}; available: embedded, opa")

"""Builtins a check may not call unless its module says so: their answer is not a fact about the input.

regorus ships ``http.send`` and ``opa.runtime`` as stubs that return nothing,
so a check built on them is "evaluated, no finding" and the controls it backs
pass on nothing.  Others (``time.now_ns``, ``rand.intn``, ``uuid.rfc4122``,
``net.lookup_ip_addr``) do answer, but differently from run to run or machine to
machine, so a result could not be re-performed by an auditor from the same
inputs.  Both kinds are refused when the policies load (file and line); a module
that accepts the consequence lists the names in its package METADATA
(``custom.allow_builtins``), where the choice is reviewed with the code and
applies to that module only.
"""

from __future__ import annotations

from typing import Any

# name -> why it is refused (completes "... is refused: <why>")
NOT_OFFLINE: dict[str, str] = {
    "http.send": "it reaches the network, and the embedded engine only has a stub that returns nothing",
    "opa.runtime": "it describes the engine process, not the input, and the embedded engine returns nothing for it",
    "net.lookup_ip_addr": "its answer depends on DNS at the time of the scan",
    "rand.intn": "its answer is random",
    "uuid.rfc4122": "its answer is random",
    "time.now_ns": "its answer depends on the clock, so the same inputs give different results",
}


def allowed_builtins(custom: Any) -> tuple[frozenset[str], str | None]:
    """``custom.allow_builtins`` of a METADATA block as a set, or an error message."""
    if not isinstance(custom, dict) or custom.get("allow_builtins") in (None, []):
        return frozenset(), None
    raw = custom["allow_builtins"]
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(n, str) and n for n in raw):
        return frozenset(), "custom.allow_builtins must be a list of builtin names, e.g. [time.now_ns]"
    unknown = sorted(set(raw) - set(NOT_OFFLINE))
    if unknown:
        return frozenset(), f"custom.allow_builtins names {', '.join(unknown)}, which need no allowing; it takes only {', '.join(sorted(NOT_OFFLINE))}"
    return frozenset(raw), None


def refusal(name: str) -> str:
    """The one-line message for a call to ``name`` that its module did not allow."""
    return (
        f"{name}() is refused: {NOT_OFFLINE[name]}; a check must give the same answer for the same input offline. "
        f"To accept that anyway, add it to the module's package METADATA: custom.allow_builtins: [{name}]"
    )

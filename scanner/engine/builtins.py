"""Catch calls to builtins that regorus does not provide, before any resource is evaluated.

regorus reports an unknown function only when evaluation reaches the call, so
a check whose body stops early (no matching resource) would silently pass with
a call it cannot run.  We therefore list every call in every module from the
parsed AST, leave out the functions the policies define themselves, and ask
regorus about each remaining name once with a probe that always reaches it.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import regorus

from ..offline_builtins import NOT_OFFLINE, refusal
from ..policies import AtLineStart, Module, PolicyError
from .ast_facts import ModuleFacts, module_facts

FUNCTION_DEFINITION = AtLineStart(r"([A-Za-z_][\w]*)\s*\(")
IMPORT_LINE = AtLineStart(r"import\s+(data\.[\w.]+)(?:\s+as\s+(\w+))?")
UNKNOWN_FUNCTION = "could not find function"
_known: dict[str, bool] = {}


def _import_aliases(text: str) -> set[str]:
    aliases = set()
    for match in IMPORT_LINE.finditer(text):
        aliases.add(match.group(2) or match.group(1).rsplit(".", 1)[-1])
    return aliases


def _is_builtin(name: str) -> bool:
    if name not in _known:
        engine = regorus.Engine()
        engine.add_policy("probe.rego", f"package kubecomply_probe\n\nx if {{ {name}(input.a) }}\n")
        engine.set_input({"a": 1})
        try:
            engine.eval_rule("data.kubecomply_probe.x")
            _known[name] = True
        except Exception as exc:  # regorus raises plain exceptions
            _known[name] = UNKNOWN_FUNCTION not in str(exc)
    return _known[name]


def check_offline(modules: Iterable[Module], facts: dict[str, ModuleFacts]) -> None:
    """Raise PolicyError (file:line) for the first call to a builtin whose answer is not a fact about the input.

    Independent of the engine: the OPA server engine calls it too, because a
    real ``http.send`` is no more re-performable than regorus' stub.
    """
    allowed = {m.path: m.allow_builtins for m in modules}
    for path, fact in sorted(facts.items()):
        if path not in allowed:
            continue
        for name, line in sorted(fact.calls, key=lambda c: c[1]):
            if name in NOT_OFFLINE and name not in allowed[path]:
                raise PolicyError(path, line, refusal(name))


def check_builtins(modules: Iterable[Module], facts: dict[str, ModuleFacts]) -> None:
    """Raise PolicyError (file:line) for the first call to an unknown or refused builtin."""
    modules = list(modules)
    check_offline(modules, facts)
    texts = {m.path: m.text for m in modules}
    defined = {name for text in texts.values() for name in FUNCTION_DEFINITION.findall(text)}
    for path, fact in facts.items():
        if path not in texts:
            continue
        aliases = _import_aliases(texts[path])
        for name, line in fact.calls:
            head = name.split(".", 1)[0]
            if head == "data" or head in aliases or name in defined:
                continue
            if not _is_builtin(name):
                raise PolicyError(path, line, f"unknown builtin function {name}() (not provided by the embedded regorus engine)")


def vet_offline(modules: Sequence[Module]) -> None:
    """check_offline for engines that do not parse the modules with regorus themselves (OPA server).

    The modules are parsed by regorus only to list their calls; a module it
    cannot parse (a feature OPA has and regorus lacks) is scanned as text
    instead, comments left out, so the refusal never depends on the engine.
    """
    engine = regorus.Engine()
    parsed: list[Module] = []
    for module in modules:
        try:
            engine.add_policy(module.path, module.text)
            parsed.append(module)
        except Exception:  # regorus raises plain exceptions
            _scan_text(module)
    check_offline(parsed, module_facts(engine.get_ast_as_json()))


_CALL = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in NOT_OFFLINE) + r")\s*\(")


def _scan_text(module: Module) -> None:
    for number, line in enumerate(module.text.splitlines(), start=1):
        code = line.split("#", 1)[0]  # good enough: '#' inside a string only hides a call on that line
        for match in _CALL.finditer(code):
            if match.group(1) not in module.allow_builtins:
                raise PolicyError(module.path, number, refusal(match.group(1)))

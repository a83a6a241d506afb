"""What each loaded module reads from ``data``, and what follows from it.

* The inventory is the whole scanned set, serialised once more for the
  engine; on 10,000 resources that is a quarter of a second that checks
  looking at one object at a time never need.  The answer must never be a
  wrong "no" (a cross-resource check would then see an empty inventory and
  pass), so every reference to ``data`` that is not plainly
  ``data.<something other than inventory>`` (``data["inventory"]`` counts as
  plain, ``data[x]`` and iterating ``data`` do not) counts as reading it.
* regorus pays, for every reference into ``data`` in every ``with`` scope, a
  little for each module it holds; a lane therefore loads only the library
  modules its checks can reach.  Any reference whose static part is a prefix
  of a library's package (``data.kubecomply.lib``, ``data[x]``) reaches it.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from .ast_facts import ModuleFacts

INVENTORY = "inventory"


def modules_reading_inventory(facts: dict[str, ModuleFacts]) -> set[str]:
    """The files of the modules that may read ``data.inventory`` (conservatively)."""
    return {file for file, fact in facts.items() if any(not ref or ref[0] == INVENTORY for ref in fact.data_refs)}


def _reaches(ref: tuple[str, ...], package: tuple[str, ...]) -> bool:
    shorter = min(len(ref), len(package))
    return ref[:shorter] == package[:shorter]


def libraries_needed(files: Iterable[str], libraries: Sequence[str], facts: dict[str, ModuleFacts]) -> list[str]:
    """The library files (in ``libraries`` order) that the modules ``files`` reach, directly or through each other.

    A module without facts (not in the AST) is taken to need every library.
    """
    wanted: set[str] = set()
    todo = list(files)
    while todo:
        fact = facts.get(todo.pop())
        for library in libraries:
            if library in wanted:
                continue
            package = facts[library].package if library in facts else None
            if fact is None or package is None or any(_reaches(ref, package) for ref in fact.data_refs):
                wanted.add(library)
                todo.append(library)
    return [library for library in libraries if library in wanted]

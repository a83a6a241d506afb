"""Control statuses as open strings, ordered by how bad they are.

The set of statuses grows (``pass-with-exceptions`` joined ``pass``, ``fail``,
``not-assessed`` and ``manual``), so nothing here enumerates it: only ``pass``
and ``pass-with-exceptions`` count as passed, ``fail``-like statuses are
failures, and a status this code does not know ranks worse than every passed
status, so a new status can never be read as an improvement by mistake.
"""

from __future__ import annotations

PASSED = ("pass", "pass-with-exceptions")
_RANK = {"pass": 0, "pass-with-exceptions": 1, "manual": 2, "not-assessed": 3}
_UNKNOWN_RANK = 3
_FAIL_RANK = 4


def passed(status: str | None) -> bool:
    return status in PASSED


def failed(status: str | None) -> bool:
    """A failure, as opposed to merely not passed (not assessed, manual)."""
    return bool(status) and (status == "fail" or str(status).startswith("fail"))


def rank(status: str | None) -> int:
    """Higher is worse; ``None`` (control absent from a result) ranks with unknown statuses."""
    if status is None:
        return _UNKNOWN_RANK
    if failed(status):
        return _FAIL_RANK
    return _RANK.get(status, _UNKNOWN_RANK)


def worse(old: str | None, new: str | None) -> bool:
    return rank(new) > rank(old)

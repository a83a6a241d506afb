"""The project's JSON bytes, written fast: orjson where it gives exactly the stdlib's bytes.

Every JSON output is ``json.dumps(value, indent=2, sort_keys=True,
ensure_ascii=False) + "\\n"`` and the result digest covers the compact form
(``separators=(",", ":")``).  With ``indent`` the stdlib falls back to its
pure-Python encoder, which took 1.6 s and most of the peak memory for a 10,000
resource result (it holds every fragment before joining them).  orjson writes
the same bytes for the same values 20-30x faster, into one ``bytes``, with
these exceptions, measured against the stdlib:

- a float whose ``repr`` has an exponent (``1e-05``, ``1e+16``) is written
  without one or with another spelling (``0.00001``, ``1e16``); NaN and
  infinities become ``null`` where the stdlib writes ``NaN``/``Infinity``;
- integers outside 64 bits, keys that are not strings, lone surrogates and
  types it does not know are refused (``TypeError``).

Refusals fall back to the stdlib.  Floats are checked before encoding
(``float_safe``); a value holding one orjson would spell differently goes to
the stdlib, so the bytes never depend on which encoder ran.  A caller that
knows where floats can be (a result's big lists are typed by the model and
hold none) checks only there and says so with ``checked=True``.
"""

from __future__ import annotations

import json
import math
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

try:  # a declared dependency; the stdlib path stays correct without it
    import orjson
except ImportError:  # pragma: no cover - exercised only where orjson cannot be installed
    orjson = None  # type: ignore[assignment]

_PRETTY = (orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE) if orjson else 0
_COMPACT = orjson.OPT_SORT_KEYS if orjson else 0


def _float_ok(value: float) -> bool:
    """orjson writes this float as the stdlib does: finite and without an exponent in its repr."""
    return math.isfinite(value) and "e" not in repr(value)


def float_safe(value: Any) -> bool:
    """No float in ``value`` that orjson would write differently from the stdlib."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, int)):  # the common case first (bool is an int)
            continue
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, float):
            if type(item) is not float or not _float_ok(item):  # a float subclass: let the stdlib decide
                return False
    return True


def pretty(value: Any, checked: bool = False) -> bytes:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\\n"`` as UTF-8 bytes.

    ``checked``: the caller has already made sure (``float_safe``) that no
    float would be written differently, so the whole value is not walked here.
    """
    if orjson is not None and (checked or float_safe(value)):
        try:
            return orjson.dumps(value, option=_PRETTY)
        except TypeError:
            pass  # ints beyond 64 bits, non-string keys, unknown types: the stdlib's bytes instead
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def compact(value: Any, checked: bool = False) -> bytes:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` as UTF-8 bytes."""
    if orjson is not None and (checked or float_safe(value)):
        try:
            return orjson.dumps(value, option=_COMPACT)
        except TypeError:
            pass
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def uids_safe(refs: Iterable[dict[str, Any]]) -> bool:
    """The resource identities hold no float orjson would write differently (a ``uid`` is whatever the YAML said)."""
    for ref in refs:
        uid = ref.get("uid")
        if uid is not None and type(uid) is not str and not float_safe(uid):
            return False
    return True


# --- Streaming: a large value written in pieces, never as one ``bytes`` ------------------
#
# A 100,000-resource result is some 600 MB of JSON.  Encoding it whole holds the
# encoded text (twice over for the indented and the compact forms, and again for
# any slice of them), which was most of the peak memory of ``-f json``.
# ``stream`` walks the value's big containers itself, in the stdlib's key order
# and layout, and hands every small subtree (a resource, a batch of 4,000 indexes)
# to ``pretty``/``compact`` above; the pieces' concatenations are exactly
# ``pretty(value)`` without its final newline and ``compact(value)``.

SPLIT = 4096  # a container with more elements than this is written in pieces
_SMALL = 64  # a list whose first and last items are flat lists of at most this many scalars is batched by count
_INDENT = b"  "
_SCALARS = (str, int, float, bool, type(None))


class Lazy:
    """A list whose items are made one at a time while it is written (findings, resources).

    ``batch``: items encoded per call.  ``checked``: given a batch, whether its
    floats are known to be safe (``float_safe``) without walking it; None: walk it.
    The items are consumed once: a ``Lazy`` can be written once.
    """

    __slots__ = ("items", "batch", "checked")

    def __init__(self, items: Iterable[Any], batch: int = 2000, checked: Callable[[list[Any]], bool] | None = None):
        self.items, self.batch, self.checked = iter(items), max(1, batch), checked


def _unchecked(batch: list[Any]) -> bool:
    return False


def _size(value: Any, limit: int | None = None) -> int:
    """How many elements ``value`` holds, counted until the count passes ``limit`` (cheap on big values).

    A list whose first and last items are flat (indexes, ranges) is counted
    from its length without a look at each item, as ``stream`` batches it.
    """
    if isinstance(value, _SCALARS):
        return 1
    if limit is None:
        limit = SPLIT
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(v for v in item.values() if not isinstance(v, _SCALARS))
        elif isinstance(item, (list, tuple)):
            if not item:
                continue
            first, last = _flat(item[0]), _flat(item[-1])
            if first and last:
                count += len(item) * max(first, last)
            else:
                count += len(item)
                if count <= limit:
                    stack.extend(v for v in item if not isinstance(v, _SCALARS))
        elif isinstance(item, Lazy):
            return limit + 1
    return count


def _flat(value: Any) -> int:
    """Elements in a scalar (1) or a short list of scalars (an index range); 0 for anything else.

    A long list whose first and last items are flat is taken to hold only
    flat items (the model's index and range lists do) and is batched by
    count; were a big item hidden in the middle, the bytes would be the same,
    only that batch larger.
    """
    if isinstance(value, _SCALARS):
        return 1
    if isinstance(value, (list, tuple)) and len(value) <= _SMALL and all(isinstance(v, _SCALARS) for v in value):
        return len(value) + 1
    return 0


def stream(value: Any, checked: bool = False, depth: int = 0) -> Iterator[tuple[bytes, bytes]]:
    """(indented piece, compact piece) pairs: joined, ``pretty(value)[:-1]`` and ``compact(value)``.

    ``depth``: the indentation level ``value`` starts at (its first line is not
    indented; the caller wrote that).  ``checked`` as for ``pretty``; a
    ``Lazy`` anywhere is written item by item.
    """
    if isinstance(value, Lazy):
        yield from _stream_items(value.items, depth, checked, value.batch, value.checked or _unchecked)
    elif isinstance(value, dict) and value and all(type(k) is str for k in value) and _size(value) > SPLIT:
        yield from members(value, checked, depth, True)
        yield b"\n" + _INDENT * depth + b"}", b"}"
    elif isinstance(value, (list, tuple)) and value and _size(value) > SPLIT:
        first, last = _flat(value[0]), _flat(value[-1])
        if first and last:  # indexes or [first, last] ranges: batches by count, no look at each item
            yield from _stream_items(iter(value), depth, checked, max(1, SPLIT // max(first, last)), None)
        else:  # objects (controls, frameworks): each sized, the big ones written in pieces of their own
            yield from _stream_items(iter(value), depth, checked, 0, None)
    else:
        yield pretty(value, checked)[:-1].replace(b"\n", b"\n" + _INDENT * depth), compact(value, checked)


def members(value: dict[str, Any], checked: bool, depth: int, first: bool) -> Iterator[tuple[bytes, bytes]]:
    """An object's members in key order, as (indented, compact) pieces, without its closing brace.

    ``first``: no member of the object was written before (the pieces then
    open it); a writer that splits one object's members in two parts (the
    result's, around its digest) calls this once per part.
    """
    inner = b"\n" + _INDENT * (depth + 1)
    for key in sorted(value):
        name = compact(key, True)  # a str: no float to look for
        opening = b"{" if first else b","
        yield opening + inner + name + b": ", opening + name + b":"
        yield from stream(value[key], checked, depth + 1)
        first = False


def _stream_items(
    items: Iterator[Any], depth: int, checked: bool, count: int, batch_checked: Callable[[list[Any]], bool] | None,
) -> Iterator[tuple[bytes, bytes]]:
    """A list's items: in batches of ``count`` (0: by size, each big item written in pieces of its own)."""
    inner = _INDENT * depth
    opening = [b"[\n", b"["]  # what goes before the next element: the bracket, then commas

    def flush(batch: list[Any]) -> tuple[bytes, bytes]:
        safe = batch_checked(batch) if batch_checked is not None else checked
        text = pretty(batch, safe)[2:-3].replace(b"\n", b"\n" + inner)  # "[\n  a,\n  b\n]\n" -> "  a,\n  b"
        pieces = opening[0] + inner + text, opening[1] + compact(batch, safe)[1:-1]
        opening[:] = [b",\n", b","]
        return pieces

    batch: list[Any] = []
    if count:  # batches taken whole (islice), not item by item: index lists run to millions
        while batch := list(islice(items, count)):
            yield flush(batch)
    weight = 0
    for item in items:  # (nothing left after count batches)
        size = _size(item)
        if size > SPLIT:  # big on its own: its own pieces, after what was batched before it
            if batch:
                yield flush(batch)
                batch, weight = [], 0
            yield opening[0] + inner + _INDENT, opening[1]
            opening[:] = [b",\n", b","]
            yield from stream(item, checked, depth + 1)
            continue
        batch.append(item)
        weight += size
        if weight > SPLIT:
            yield flush(batch)
            batch, weight = [], 0
    if batch:
        yield flush(batch)
    if opening[1] == b"[":
        yield b"[]", b"[]"
    else:
        yield b"\n" + inner + b"]", b"]"

"""Run a function over contiguous slices in forked processes, the parent taking the first.

A scan holds everything in memory already (resources, the loaded engine, the
manifest text), so forked children need nothing sent to them: they inherit it,
work on their slice and pipe back a pickled answer.  Used for the two costly
steps that split cleanly by resource: policy evaluation and finding lines.
"""

from __future__ import annotations

import os
import pickle
from typing import Callable, TypeVar

T = TypeVar("T")


class WorkerError(Exception):
    """A forked worker failed; ``str()`` is its error in one line."""


def default_workers() -> int:
    """One worker per usable core, at most four; 1 where fork is unavailable."""
    if not hasattr(os, "fork"):
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def slices(count: int, workers: int) -> list[tuple[int, int]]:
    step = -(-count // max(1, workers)) if count else 1
    return [(start, min(start + step, count)) for start in range(0, count, step)] or [(0, 0)]


def map_forked(work: Callable[[int, int], T], count: int, workers: int) -> list[T]:
    """``work(start, end)`` for each of ``workers`` slices of ``range(count)``, in slice order."""
    bounds = slices(count, workers)
    children: list[tuple[int, int]] = []
    for start, end in bounds[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: one slice, send the answer, never return into the caller
            os.close(read_fd)
            status = 0
            try:
                payload = pickle.dumps(("ok", work(start, end)))
            except BaseException as exc:  # report anything to the parent rather than die silently
                payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
                status = 1
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
            os._exit(status)
        os.close(write_fd)
        children.append((pid, read_fd))
    try:
        first = work(*bounds[0])
    finally:
        # Collected even when the parent's own slice raised: a child left
        # unread would block on a full pipe forever and never be reaped.
        answers = [_collect(pid, read_fd) for pid, read_fd in children]
    results = [first]
    errors = []
    for status, value in answers:
        if status != "ok":
            errors.append(value)
            continue
        results.append(value)
    if errors:
        raise WorkerError(errors[0])
    return results


def _collect(pid: int, read_fd: int) -> tuple[str, object]:
    """A child's ("ok", value) or ("error", message), after it has ended."""
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    try:
        return pickle.loads(data)
    except Exception:
        return "error", "worker process ended without a result"

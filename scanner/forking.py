"""Run a function over contiguous slices in forked processes, the parent taking the first.

A scan holds everything in memory already (resources, the loaded engine, the
manifest text), so forked children need nothing sent to them: they inherit it,
work on their slice and pipe back a pickled answer.  Used for the two costly
steps that split cleanly by resource: policy evaluation and finding lines.
"""

from __future__ import annotations

import os
import pickle
import signal
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
    """``work(start, end)`` for each of ``workers`` slices of ``range(count)``, in slice order.

    If the parent fails or is interrupted (Ctrl-C, SIGTERM) while children run,
    the children are killed and reaped before the exception goes on: an
    interrupted scan must not leave workers burning CPU behind it.
    """
    bounds = slices(count, workers)
    children: list[tuple[int, int]] = []
    try:
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
                try:
                    with os.fdopen(write_fd, "wb") as pipe:
                        pipe.write(payload)
                finally:
                    os._exit(status)
            os.close(write_fd)
            children.append((pid, read_fd))
        results = [work(*bounds[0])]
        errors = []
        while children:
            pid, read_fd = children[0]
            with os.fdopen(read_fd, "rb") as pipe:
                data = pipe.read()
            os.waitpid(pid, 0)
            children.pop(0)
            try:
                status, value = pickle.loads(data)
            except Exception:
                status, value = "error", "worker process ended without a result"
            if status != "ok":
                errors.append(value)
                continue
            results.append(value)
    except BaseException:
        _end_children(children)
        raise
    if errors:
        raise WorkerError(errors[0])
    return results


def _end_children(children: list[tuple[int, int]]) -> None:
    """Kill and reap workers whose answers will never be read."""
    for pid, read_fd in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.close(read_fd)
        except OSError:
            pass  # already closed by the fdopen that was reading it
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

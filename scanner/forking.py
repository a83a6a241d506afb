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


# ---------------------------------------------------------------------------- guarded children
#
# The embedded engine cannot be interrupted: regorus has no time limit, and a
# call into it holds the interpreter until it returns.  A check that loops for
# ever, or asks for all the memory there is, can only be stopped from outside
# the process that runs it, so guarded work runs in forked children only: the
# parent waits with a deadline, kills a child that overstays, and the kernel
# refuses a child more address space than it was allowed.

OK, ERROR, TIMEOUT, DIED = "ok", "error", "timeout", "died"


def _limit_memory(extra: int) -> None:
    """Allow this process ``extra`` bytes of address space beyond what it maps now (inherited pages included)."""
    import resource

    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # no way to tell the current size: no limit rather than a wrong one
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def run_guarded(tasks: list[Callable[[], T]], timeout: float | None, memory: int | None) -> list[tuple[str, object]]:
    """Run every task at once, each in its own forked child; the outcome of each, in order.

    An outcome is (``ok``, value), (``error``, "ExcType: message"), (``timeout``,
    seconds) when the child did not finish within ``timeout`` seconds and was
    killed, or (``died``, description) when it ended without an answer (killed
    by a signal: Rust aborts when an allocation fails under the memory limit).
    ``memory`` is the address space each child may add, in bytes.
    """
    import select
    import signal
    import time

    children: list[tuple[int, int]] = []
    for task in tasks:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            # Everything the child has to say goes back through the pipe; what the
            # engine prints when it aborts (Rust's "memory allocation failed") would
            # only garble the scan's one-line errors.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            import faulthandler

            faulthandler.disable()  # an abort here is expected and reported; no dump on the parent's stderr
            try:
                if memory:
                    _limit_memory(memory)
                payload = pickle.dumps((OK, task()))
            except MemoryError:
                payload = pickle.dumps((DIED, "ran out of memory"))
            except BaseException as exc:  # everything goes back to the parent as one line
                payload = pickle.dumps((ERROR, f"{type(exc).__name__}: {exc}"))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view):]
            os._exit(0)
        os.close(write_fd)
        children.append((pid, read_fd))

    deadline = time.monotonic() + timeout if timeout else None
    chunks: dict[int, list[bytes]] = {fd: [] for _pid, fd in children}
    waiting = {fd for _pid, fd in children}
    while waiting:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            break
        ready, _w, _x = select.select(list(waiting), [], [], remaining)
        for fd in ready:
            chunk = os.read(fd, 1 << 20)
            if chunk:
                chunks[fd].append(chunk)
            else:
                waiting.discard(fd)
    outcomes: list[tuple[str, object]] = []
    for pid, fd in children:
        if fd in waiting:  # overstayed
            os.kill(pid, signal.SIGKILL)
        os.close(fd)
        _pid, status = os.waitpid(pid, 0)
        if fd in waiting:
            outcomes.append((TIMEOUT, timeout))
            continue
        try:
            outcomes.append(pickle.loads(b"".join(chunks[fd])))
        except Exception:
            how = f"signal {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}"
            outcomes.append((DIED, f"ended by {how} without an answer"))
    return outcomes

"""Run I/O-bound work in threads that never keep an interrupted scan alive.

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the ``with``
block ends and again when the interpreter exits, so a Ctrl-C during cluster
collection waited for every request in flight (each up to the request
timeout) and then for the kinds still queued.  ``map_threads`` uses daemon
threads instead: on an exception or an interrupt in the caller it sets
``cancel`` (the workers take no new item, and the API client makes no new
request), and returns at once; a request already in flight ends on its own
deadline in the background or with the process.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")
POLL_SECONDS = 0.2  # how often the waiting caller wakes up, so signals are handled promptly


def map_threads(fn: Callable[[T], R], items: Iterable[T], workers: int, cancel: threading.Event | None = None, name: str = "kubecomply") -> list[R]:
    """``[fn(item) for item in items]`` on up to ``workers`` daemon threads, in order.

    The first exception a call raised is raised again here (after every call
    ended or was cancelled).  ``cancel`` is set when the caller is interrupted.
    """
    todo = list(items)
    if workers <= 1 or len(todo) <= 1:
        return [fn(item) for item in todo]
    cancel = cancel if cancel is not None else threading.Event()
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(todo)):
        pending.put(index)
    finished: queue.SimpleQueue[tuple[int, bool, object]] = queue.SimpleQueue()
    started = [0]
    lock = threading.Lock()

    def worker() -> None:
        while not cancel.is_set():
            with lock:
                try:
                    index = pending.get_nowait()
                except queue.Empty:
                    return
                started[0] += 1
            try:
                finished.put((index, True, fn(todo[index])))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                finished.put((index, False, exc))

    for number in range(min(workers, len(todo))):
        threading.Thread(target=worker, name=f"{name}-{number}", daemon=True).start()
    results: dict[int, tuple[bool, object]] = {}
    try:
        while len(results) < len(todo):
            if cancel.is_set():
                with lock:
                    if len(results) >= started[0]:
                        break  # every call that started has reported; the rest never will
            try:
                index, ok, value = finished.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            results[index] = (ok, value)
            if not ok:
                cancel.set()  # start nothing more; the calls in flight still report
    except BaseException:
        cancel.set()
        raise
    for index in sorted(results):
        ok, value = results[index]
        if not ok:
            raise value  # type: ignore[misc]
    if len(results) < len(todo):
        raise RuntimeError("cancelled before every item was processed")
    return [results[i][1] for i in range(len(todo))]  # type: ignore[misc]

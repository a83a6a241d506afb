"""Telling the user what a scan is doing: which phase, how far along, how long each phase took.

One reporter is chosen per command (``session``) and kept in a module global,
so sources, the engine and the pipeline report with ``progress.phase(...)``
and ``progress.active().advance(...)`` without an argument threaded through
every call.  A global, not a ``ContextVar``: fleet clusters and kinds are
collected in worker threads, which do not inherit context variables but must
count into the same phase.  Forked workers (evaluation, parallel reading) get
the silent reporter (``os.register_at_fork``): the terminal and the counters
belong to the parent, which counts the workers' share when it gets it back.

Styles, chosen once by ``choose_style``:

* ``live``: stderr is a terminal.  One status line is redrawn in place with
  ``\\r`` (counts, rate, elapsed time) and replaced by a one-line summary when
  the phase ends.  Written by hand: a status line is a few dozen lines of code,
  and ``rich``/``tqdm`` would add a dependency (and, for rich, its own console
  handling of stdout) to every install for that.
* ``plain``: not a terminal (CI logs, pipes).  One line per finished phase
  with its counts and duration, nothing in between.
* ``quiet``: nothing; errors, the exit line and the interrupt line (which names the
  phase, ``current_phase``) are printed by the CLI whatever the style.

``KUBECOMPLY_PROGRESS=0`` turns the live display off (plain lines even on a
terminal); ``=1`` turns it on without a terminal.  ``--quiet`` wins over both.

Nothing is ever written to stdout: the report there is byte-identical
whatever the style.  Counts are updated per file, per kind or list page and
per engine batch, never per resource, and redraws are throttled, so the cost
stays far below the scan's; with no session the calls hit a shared no-op.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

ENV = "KUBECOMPLY_PROGRESS"
PREFIX = "kubecomply: "
REDRAW_EVERY = 0.1  # seconds between live redraws; advances in between only count
_SPINNER = "|/-\\"


def choose_style(quiet: bool, stream: TextIO, environ: Mapping[str, str] | None = None) -> str:
    """``quiet``, ``live`` or ``plain``: --quiet first, then KUBECOMPLY_PROGRESS, then whether ``stream`` is a terminal."""
    if quiet:
        return "quiet"
    setting = (environ if environ is not None else os.environ).get(ENV, "").strip()
    if setting == "0":
        return "plain"
    if setting == "1":
        return "live"
    try:
        return "live" if stream.isatty() else "plain"
    except (AttributeError, ValueError):
        return "plain"


def number(value: int) -> str:
    return f"{value:,}"


def counted(value: int, unit: str) -> str:
    """``1 file``, ``3,400 resources``: units are given in the plural."""
    return f"{number(value)} {unit[:-1] if value == 1 and unit.endswith('s') else unit}"


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


class Phase:
    """The counters of one phase.  ``advance`` adds to them; call it per batch, not per resource."""

    def __init__(self, reporter: "Reporter | None", label: str, verb: str, units: tuple[str, ...], note: str = "", rate: str | None = None, live: bool = True, verbose_only: bool = False):
        self.reporter = reporter
        self.label = label  # "reading files": the live line and "interrupted while ..."
        self.verb = verb  # "read": the summary line
        self.units = units  # counted units, in display order; the first is the headline
        self.note = note  # after the counts, e.g. "x 84 checks"
        self.rate_unit = rate or (units[0] if units else None)
        self.live = live  # False: no live line (the report is being written to the same terminal)
        self.verbose_only = verbose_only  # its summary line only with --verbose (quick setup steps)
        self.counts: dict[str, int] = dict.fromkeys(units, 0)
        self.verbose = bool(reporter and reporter.verbose)  # whether per-kind counts are worth computing
        self.by_kind: dict[str, int] = {}
        self._lock = threading.Lock()
        self.started = time.monotonic()
        self.ended: float | None = None

    def advance(self, **counts: int) -> None:
        """Add to the named counts (``files=1, resources=12``)."""
        with self._lock:  # kinds and clusters are counted from worker threads
            for unit, value in counts.items():
                self.counts[unit] = self.counts.get(unit, 0) + value
        if self.reporter is not None:
            self.reporter.changed(self)

    def set(self, **counts: int) -> None:
        """Set final counts (the workers' share arrives all at once)."""
        self.counts.update(counts)

    def kinds(self, by_kind: Mapping[str, int]) -> None:
        """Per-kind counts, shown with --verbose."""
        self.by_kind = dict(by_kind)

    def elapsed(self) -> float:
        return (self.ended if self.ended is not None else time.monotonic()) - self.started

    def counted(self) -> str:
        """``10,000 resources x 84 checks (1,234 findings)``: the headline count, the note, the others in parentheses."""
        shown = [u for u in self.units if u in self.counts]
        head = " ".join(filter(None, [counted(self.counts[shown[0]], shown[0]) if shown else "", self.note]))
        rest = ", ".join(counted(self.counts[u], u) for u in shown[1:])
        return f"{head} ({rest})" if rest else head

    def summary(self) -> str:
        return " ".join(filter(None, [f"{PREFIX}{self.verb}", self.counted(), f"in {seconds(self.elapsed())}"]))

    def status(self, tick: int) -> str:
        """The live line: spinner, label, counts, rate, elapsed."""
        elapsed = self.elapsed()
        # Counts only once something was counted: "0 files" at the start says nothing.
        doing = f"{self.label}: {self.counted()}" if any(self.counts.values()) else self.label
        parts = [f"{_SPINNER[tick % len(_SPINNER)]} {doing}"]
        if self.rate_unit and elapsed >= 0.5 and self.counts.get(self.rate_unit):
            parts.append(counted(int(self.counts[self.rate_unit] / elapsed), self.rate_unit) + "/s")
        parts.append(seconds(elapsed))
        return " | ".join(parts)


class _NullPhase(Phase):
    """What ``active()`` gives when nothing is reporting: advancing costs one call and a dict update."""

    def __init__(self) -> None:
        super().__init__(None, "", "", ())

    def advance(self, **counts: int) -> None:
        return None

    def set(self, **counts: int) -> None:
        return None

    def kinds(self, by_kind: Mapping[str, int]) -> None:
        return None


NULL_PHASE = _NullPhase()


class Reporter:
    """Writes phases and events to ``stream`` (stderr) in one style; thread-safe."""

    def __init__(self, style: str, verbose: bool = False, stream: TextIO | None = None):
        self.style = style
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stderr
        self.open: list[Phase] = []  # innermost last
        self.done: list[Phase] = []
        self.interrupted: str | None = None
        self._lock = threading.RLock()
        self._drawn = False  # a live line is on the terminal now
        self._last_draw = 0.0
        self._tick = 0

    # ---------------------------------------------------------------- phases

    @contextmanager
    def phase(self, label: str, verb: str, units: tuple[str, ...] = (), note: str = "", rate: str | None = None, live: bool = True, verbose_only: bool = False) -> Iterator[Phase]:
        current = Phase(self, label, verb, units, note, rate, live, verbose_only)
        with self._lock:
            self._clear()
            self.open.append(current)
            self._draw(current, force=True)
        try:
            yield current
        except BaseException as exc:
            current.ended = time.monotonic()
            with self._lock:
                self._clear()
                if isinstance(exc, KeyboardInterrupt) and self.interrupted is None:
                    self.interrupted = current.label
                self.open.remove(current)
            raise
        current.ended = time.monotonic()
        with self._lock:
            self._clear()
            self.open.remove(current)
            self.done.append(current)
            if self.style != "quiet" and (self.verbose or not current.verbose_only):
                self._write(current.summary())
                if self.verbose and current.by_kind:
                    kinds = ", ".join(f"{kind} {number(n)}" for kind, n in sorted(current.by_kind.items()))
                    self._write(f"{PREFIX}  by kind: {kinds}")
            if self.open:
                self._draw(self.open[-1], force=True)

    def active(self) -> Phase:
        """The innermost open phase (what a batch counts into), or the no-op phase."""
        open_phases = self.open
        return open_phases[-1] if open_phases else NULL_PHASE

    def current_phase(self) -> str | None:
        """The phase running now (or the one Ctrl-C stopped), as ``reading files``."""
        with self._lock:
            return self.open[-1].label if self.open else self.interrupted

    def changed(self, phase: Phase) -> None:
        if self.style != "live" or not phase.live:
            return
        now = time.monotonic()
        if now - self._last_draw < REDRAW_EVERY:
            return
        with self._lock:
            if self.open and self.open[-1] is phase:
                self._draw(phase)

    # ---------------------------------------------------------------- lines

    def event(self, text: str) -> None:
        """A line of its own while a phase runs (a fleet cluster finished); not in quiet style."""
        if self.style == "quiet":
            return
        with self._lock:
            self._clear()
            self._write(PREFIX + text)
            if self.open:
                self._draw(self.open[-1], force=True)

    def detail(self, text: str) -> None:
        """A line for --verbose only."""
        if self.verbose:
            self.event(text)

    def timings(self) -> None:
        """--verbose: every finished phase's duration on one line."""
        if self.verbose and self.done and self.style != "quiet":
            spent = ", ".join(f"{p.label} {seconds(p.elapsed())}" for p in self.done)
            total = self.done[-1].ended - self.done[0].started if self.done[-1].ended else 0.0
            self._write(f"{PREFIX}timings: {spent}; {seconds(total)} from the first phase to the last")

    # ---------------------------------------------------------------- terminal

    def _write(self, line: str) -> None:
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not end the scan

    def _draw(self, phase: Phase, force: bool = False) -> None:
        if self.style != "live" or not phase.live:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < REDRAW_EVERY:
            return
        self._last_draw = now
        self._tick += 1
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        # Marked drawn before writing: a Ctrl-C in the middle of the write must still get the line cleared.
        self._drawn = True
        try:
            # \r and erase-to-end-of-line: the line is redrawn in place; cut to the width so it never wraps.
            self.stream.write("\r\x1b[K" + phase.status(self._tick)[:width])
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def _clear(self) -> None:
        if self._drawn:
            try:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._drawn = False


_current: Reporter | None = None
_interrupted: str | None = None  # the phase Ctrl-C stopped, kept after the session for the interrupt line


def _forget_in_child() -> None:
    """A forked worker reports nothing: the terminal and the counters are the parent's."""
    global _current
    _current = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def current() -> Reporter | None:
    return _current


def active() -> Phase:
    """The phase to count into (no-op when nothing reports)."""
    reporter = _current
    return reporter.active() if reporter is not None else NULL_PHASE


@contextmanager
def phase(label: str, verb: str, units: tuple[str, ...] = (), note: str = "", rate: str | None = None, live: bool = True, verbose_only: bool = False) -> Iterator[Phase]:
    """A phase of the scan: ``with progress.phase("reading files", "read", ("files", "resources")) as p: p.advance(files=1)``."""
    reporter = _current
    if reporter is None:
        yield NULL_PHASE
        return
    with reporter.phase(label, verb, units, note, rate, live, verbose_only) as handle:
        yield handle


def event(text: str) -> None:
    if _current is not None:
        _current.event(text)


def detail(text: str) -> None:
    if _current is not None:
        _current.detail(text)


def current_phase() -> str | None:
    """What the scan is doing (``reading files``), or was doing when Ctrl-C ended the last session; for the interrupt line."""
    return _current.current_phase() if _current is not None else _interrupted


@contextmanager
def session(quiet: bool = False, verbose: bool = False, stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> Iterator[Reporter]:
    """The reporter for one command.  On Ctrl-C it says which phase was interrupted, then lets the interrupt go on."""
    global _current, _interrupted
    _interrupted = None
    stream = stream if stream is not None else sys.stderr
    reporter = Reporter(choose_style(quiet, stream, environ), verbose and not quiet, stream)
    previous, _current = _current, reporter
    try:
        yield reporter
        reporter.timings()
    except KeyboardInterrupt:
        # The CLI's interrupt handler (cli_guard) prints the one line, naming this phase.
        with reporter._lock:
            reporter._clear()
        _interrupted = reporter.current_phase() or "starting"
        raise
    finally:
        _current = previous


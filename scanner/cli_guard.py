"""The last line of defence of the command line: unexpected errors and Ctrl-C.

CI reads exit code 1 as "violations found".  A Python traceback exits 1, so a
crash used to look like findings; and click turns Ctrl-C into "Aborted!" with
exit 1 too.  ``GuardedGroup`` makes the top-level command say what happened:

* any exception no command handled: one line naming the command and the place
  that failed, exit 2 (the scan could not be done); ``kubecomply --debug`` (or
  ``KUBECOMPLY_DEBUG=1``) prints the traceback as well;
* Ctrl-C (SIGINT): exit 130, the shell convention for "killed by SIGINT", once
  the ``finally`` blocks on the way up have run (OPA modules deleted, local OPA
  stopped, forked workers ended, temporary files removed);
* SIGTERM (a CI job cancelled) is turned into the same path, exit 143.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from types import TracebackType
from typing import Any, NoReturn

import click

EXIT_ERROR = 2
EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM
DEBUG_ENV = "KUBECOMPLY_DEBUG"


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main thread is, so cleanup runs as for Ctrl-C.

    A KeyboardInterrupt subclass so that every ``except Exception`` on the way up
    lets it through, exactly as it does for Ctrl-C.
    """


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise Terminated()


def install_sigterm_handler() -> Any:
    """Only from the main thread, and only where SIGTERM was not ignored on purpose; returns the previous handler."""
    try:
        previous = signal.getsignal(signal.SIGTERM)
        if previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
        return previous
    except ValueError:  # not the main thread (an embedding program); keep the default
        return None


def restore_sigterm_handler(previous: Any) -> None:
    if previous is None:
        return
    try:
        signal.signal(signal.SIGTERM, previous)
    except ValueError:
        pass


def _failed_command(tb: TracebackType | None) -> str:
    """The innermost click command on the stack, e.g. ``kubecomply scan cluster``."""
    path = "kubecomply"
    for frame, _line in traceback.walk_tb(tb):
        ctx = frame.f_locals.get("ctx")
        if isinstance(ctx, click.Context):
            path = ctx.command_path
    _program, _, command = path.partition(" ")  # the program is "kubecomply" however it was started
    return f"kubecomply {command}".rstrip()


def _failed_place(tb: TracebackType | None) -> str:
    """``module:function`` of the innermost frame in this package, else of the innermost frame."""
    frames = traceback.extract_tb(tb)
    package = os.path.dirname(os.path.abspath(__file__))
    own = [f for f in frames if os.path.abspath(f.filename).startswith(package + os.sep)]
    frame = (own or frames or [None])[-1]
    if frame is None:
        return "?"
    name = os.path.relpath(os.path.abspath(frame.filename), os.path.dirname(package)) if own else os.path.basename(frame.filename)
    return f"{name}:{frame.lineno} in {frame.name}"


def debug_enabled(ctx: click.Context | None) -> bool:
    if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        return True
    return bool(ctx is not None and ctx.params.get("debug"))


def report_unexpected(exc: BaseException, debug: bool) -> NoReturn:
    """One line (two with --debug's traceback before it), exit 2."""
    from .redact import redact_text
    from .textsafe import for_terminal

    tb = exc.__traceback__
    if debug:
        traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
    message = " ".join(str(exc).split())[:300]
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    hint = "" if debug else "; run with kubecomply --debug (or KUBECOMPLY_DEBUG=1) for the traceback"
    line = f"kubecomply: error: {_failed_command(tb)} failed unexpectedly at {_failed_place(tb)}: {redact_text(detail)}{hint}"
    click.echo(for_terminal(line), err=True)
    sys.exit(EXIT_ERROR)


def report_interrupt(exc: KeyboardInterrupt) -> NoReturn:
    from .progress import current_phase

    terminated = isinstance(exc, Terminated)
    phase = current_phase()
    during = f" while {phase}" if phase else ""
    click.echo(f"kubecomply: {'terminated (SIGTERM)' if terminated else 'interrupted (SIGINT)'}{during}: the scan did not finish", err=True)
    sys.exit(EXIT_SIGTERM if terminated else EXIT_SIGINT)


class GuardedGroup(click.Group):
    """The top-level group: no traceback and no exit 1 for anything but a tripped gate."""

    def invoke(self, ctx: click.Context) -> Any:
        previous = install_sigterm_handler()
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            report_interrupt(exc)
        except Exception as exc:  # noqa: BLE001 - the point of this class
            report_unexpected(exc, debug_enabled(ctx))
        finally:
            restore_sigterm_handler(previous)

"""Write output files whole or not at all.

``Path.write_text`` truncates the file first and then writes: a scan killed
in the middle (a CI job cancelled, the runner out of memory, a full disk) left
an empty or half file where the previous result was, and a half JSON result
or snapshot is worse than none.  Here the text goes to a temporary file in
the same folder, is flushed to disk, and is then renamed over the target in
one step (``os.replace`` is atomic within a file system).  The temporary file
is removed on any error or interrupt; only a SIGKILL can leave one behind, and
then under a name that says what it is (``.results.json.XXXX.kubecomply-tmp``),
never in place of the result.

What is not a regular file (``-o /dev/stdout``, a named pipe) is written to
directly, as before: it cannot be replaced, and there is nothing to keep.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator

TEMP_SUFFIX = ".kubecomply-tmp"


def _mode_for(target: Path) -> int:
    """The mode of the file being replaced, or what a new file would get (0666 less the umask)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], binary: bool = False) -> Iterator[IO]:
    """A file object whose content replaces ``path`` when the block ends without an exception."""
    target = Path(os.path.realpath(path))  # write through a symlink, as before, instead of replacing it
    if target.exists() and not target.is_file():
        with open(target, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as direct:
            yield direct
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Iterable[bytes]) -> None:
    """``data`` into ``path``, whole or not at all; raises OSError when it cannot be written.

    ``data`` may be an iterator of byte chunks (a streamed report): each is
    written as it comes, and the file replaces ``path`` only after the last.
    """
    if isinstance(data, (str, bytes)):
        with atomic_file(path, binary=isinstance(data, bytes)) as fh:
            fh.write(data)
        return
    with atomic_file(path, binary=True) as fh:
        for chunk in data:
            fh.write(chunk)

"""Kubernetes manifests from files, folders and stdin.

``load_manifests`` reads every target, turns each document that is a
Kubernetes object into a Resource with its Origin (file, document, line, List
item) and accounts for everything else: documents that are not Kubernetes
objects are counted in ``skipped``; files that cannot be read give one
CoverageGap each, with a one-line human reason, and never stop the others.

Reading rules (see yaml_loader for the YAML details):

* folders are walked recursively for ``*.yaml``, ``*.yml`` and ``*.json``;
  files named explicitly are read whatever their extension; ``-`` is stdin;
  ``.git`` folders are skipped; symlinked folders are followed, each folder
  at most once (symlink loops end);
* ``kind: List`` and typed lists (``PodList``) give one resource per item;
  typed-list items without apiVersion/kind inherit them from the list;
* Kustomize files (``kustomize.config.k8s.io``) are not resources;
* core/v1 Secrets are scrubbed (scanner.redact.scrub_secret) before anyone
  sees them;
* files are stat-ed before they are read and refused above ``max_file_size``.

Line numbers for findings are resolved lazily by ``ManifestLoad.resolve_line``,
which composes only the file it is asked about, once.

Given ``workers`` above one and more than ``PARALLEL_MINIMUM_BYTES`` of files,
the files are read by forked processes, each a contiguous run of the sorted
list, and the parts joined in order: the result is the same as reading them
one after another, only sooner.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, TextIO

from scanner import progress
from scanner.forking import WorkerError, map_forked
from scanner.model import CoverageGap, Origin, Resource
from scanner.redact import scrub_secret
from scanner.sources import yaml_loader
from scanner.sources.yaml_loader import MappingNode, MERGE, STR, ScalarNode, SequenceNode

EXTENSIONS = (".yaml", ".yml", ".json")
DEFAULT_MAX_FILE_SIZE = 50 * 1000 * 1000  # as the CLI's --max-file-size default, 50MB
# A line that starts the next document (or ends this one): YAML forbids these
# at column 0 inside any scalar, so a document's text ends before one.
_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
# Below this much YAML, a forked reader costs more than it saves (reading
# 1 MB takes about 0.1 s; a fork and sending the objects back, some 0.02 s).
PARALLEL_MINIMUM_BYTES = 1024 * 1024

# Reasons in ``skipped`` (stable strings; reports and tests use them).
SKIP_EMPTY_FILE = "empty file (no documents)"
SKIP_EMPTY_DOCUMENT = "empty document"
SKIP_NOT_MAPPING = "not a Kubernetes object (not a mapping)"
SKIP_NO_KIND = "not a Kubernetes object (no apiVersion/kind)"
SKIP_KUSTOMIZE = "Kustomize file (kustomize.config.k8s.io), not a resource"
SKIP_EMPTY_LIST = "List with no items"
SKIP_LIST_ITEM = "List item that is not a Kubernetes object"

HELM_HINT = "looks like a Helm template; render it first (helm template)"


@dataclass
class _Source:
    """How to find a loaded file again, for resolve_line."""

    fs_path: str | None  # None for stdin
    text: str | None = None  # kept for stdin only
    identity: tuple[int, int, int, int] | None = None  # (device, inode, size, mtime_ns) when read; see _identity
    json_spans: list[tuple[int, int, int]] | None = None  # (start, end, line) per document when read as JSON
    yaml_documents: int = 0  # how many YAML documents were read, to reject unknown document indexes


@dataclass
class ManifestLoad:
    """What load_manifests found.

    ``resources``: files sorted by path, documents and List items in order.
    ``gaps``: one per file (or target) that could not be read, sorted.
    ``skipped``: documents (and empty files) that are not Kubernetes objects,
    counted by reason (the SKIP_* strings).  ``files``: every file whose bytes
    were read, as in origins ("-" for stdin); files refused for their size
    before reading are only in ``gaps``.  ``digests``: file -> (SHA-256 hex,
    size in bytes) of the bytes as read, for every file read whole (provenance:
    an auditor can check the scanned files are the ones they hold); hashed from
    the bytes the loader already has, never by reading a file again.
    """

    resources: list[Resource] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    digests: dict[str, tuple[str, int]] = field(default_factory=dict)
    _sources: dict[tuple[str, str], _Source] = field(default_factory=dict, repr=False, compare=False)
    _document_cache: dict[tuple[str, str, int], tuple[Any, int]] = field(default_factory=dict, repr=False, compare=False)
    _text_cache: dict[tuple[str, str], tuple[str, list[int]]] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ lines

    def resolve_line(self, origin: Origin, path: Sequence[str | int]) -> int | None:
        """The 1-based line of the field at ``path`` in the document ``origin`` names.

        ``path`` is relative to the resource (for List items the ``items``/index
        prefix is added here).  When the full path does not exist the line of
        the deepest part that does is returned; None when the document is
        unknown or can no longer be read.

        Only the one document is composed again, from its start line, and only
        the most recent document and file are kept: callers that ask in
        resource order (as the scan does) compose each document once and hold
        no node trees beyond it.
        """
        if origin.type not in ("file", "stdin") or origin.path is None or not origin.document:
            return None
        key = (origin.type, origin.path)
        source = self._sources.get(key)
        if source is None:
            return None
        try:
            found = self._document_node(key, source, origin)
        except FileChanged:
            return None  # reported as a gap by files_changed_since_read
        except (OSError, ValueError, RecursionError):
            return None
        if found is None:
            return None
        node, offset = found
        if node is None:  # a JSON document YAML cannot compose: its start is all we know
            return origin.line
        steps: list[str | int] = ["items", origin.item] if origin.item is not None else []
        steps.extend(path or ())
        return offset + _walk_line(node, steps)

    def release(self) -> None:
        """Forget the cached text, line offsets and document of the last file lines were resolved in.

        For one 45 MB file they are some 150 MB (the text, a list of 1.5 million
        line offsets, a composed document); asking for a line again reads it again.
        """
        self._document_cache.clear()
        self._text_cache.clear()

    def files_changed_since_read(self, paths: Iterable[str]) -> list[CoverageGap]:
        """A gap for each of these files (as in origins) that is no longer what was read.

        Called after line resolution (which may run in forked workers, whose
        observations do not come back): one stat per file with findings.
        """
        gaps = []
        for path in sorted(set(paths)):
            source = self._sources.get(("file", path))
            if source is None or source.fs_path is None:
                continue
            try:
                st = os.stat(source.fs_path)
                same = source.identity is not None and stat.S_ISREG(st.st_mode) and _identity(st) == source.identity
            except OSError:
                same = False
            if not same:
                gaps.append(CoverageGap(type="file", path=path, reason="changed while it was scanned (size, modification time or inode differ from when it was read): findings are for the content read, their lines are the documents' first lines"))
        return gaps

    def _document_node(self, key: tuple[str, str], source: _Source, origin: Origin) -> tuple[Any, int] | None:
        """(root node, line offset to add to node lines) of one document, composed on demand."""
        doc_key = (*key, origin.document)
        cached = self._document_cache.get(doc_key)
        if cached is not None:
            return cached
        text, line_starts = self._text(key, source)
        if source.json_spans is not None:
            # JSON documents are composed one at a time from their recorded spans
            # (a stream of JSON values is not one YAML stream).
            if not 1 <= origin.document <= len(source.json_spans):
                return None
            start, end, line = source.json_spans[origin.document - 1]
            composed = yaml_loader.compose_first_document(text[start:end])
            found = (composed, line - 1)
        else:
            if origin.document > source.yaml_documents or not origin.line or origin.line > len(line_starts):
                return None
            start = line_starts[origin.line - 1]
            # Only up to the next document marker: the composer encodes all
            # the text it is given, and the rest of a long file is wasted work.
            after = line_starts[origin.line] if origin.line < len(line_starts) else len(text)
            marker = _DOCUMENT_MARKER.search(text, after)
            composed = yaml_loader.compose_first_document(text[start : marker.start() if marker else len(text)])
            if composed is None:
                return None
            found = (composed, origin.line - 1)
        self._document_cache.clear()
        self._document_cache[doc_key] = found
        return found

    def _text(self, key: tuple[str, str], source: _Source) -> tuple[str, list[int]]:
        """The file's text and the offset of each line, for the most recently used file."""
        cached = self._text_cache.get(key)
        if cached is None:
            text = source.text if source.text is not None else _read_text(source.fs_path, source.identity)
            starts = [0]
            find = text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            cached = (text, starts)
            self._text_cache.clear()
            self._text_cache[key] = cached
        return cached


def _find_key(node: Any, key: str) -> tuple[Any, Any] | None:
    """(key node, value node) for ``key`` in a mapping node, following merge keys.

    One pass: a later duplicate key wins, as when the document is read.
    """
    found = None
    merges = []
    for kn, vn in node.value:
        if kn.__class__ is not ScalarNode:
            continue
        if kn.tag == MERGE:
            merges.append(vn)
        elif kn.value == key or (kn.tag != STR and _safe_key_text(kn) == key):
            found = (kn, vn)
    if found is not None:
        return found
    for vn in merges:
        sources = [vn] if vn.__class__ is MappingNode else [n for n in getattr(vn, "value", []) if n.__class__ is MappingNode]
        for src in sources:
            hit = _find_key(src, key)
            if hit is not None:
                return hit
    return None


def _safe_key_text(node: Any) -> str | None:
    try:
        return yaml_loader._key_text(node)
    except yaml_loader.DocumentError:
        return None


def _walk_line(root: Any, steps: Sequence[str | int]) -> int:
    node = root
    line = root.start_mark.line + 1
    depth = 0
    for step in steps:
        depth += 1
        if depth > 4 * yaml_loader.MAX_DEPTH:  # aliases can make cycles
            break
        cls = node.__class__
        if cls is MappingNode:
            hit = _find_key(node, str(step))
            if hit is None:
                break
            key_node, node = hit
            line = key_node.start_mark.line + 1
        elif cls is SequenceNode:
            try:
                index = int(step)
            except (TypeError, ValueError):
                break
            if not 0 <= index < len(node.value):
                break
            node = node.value[index]
            line = node.start_mark.line + 1
        else:
            break
    return line


# ---------------------------------------------------------------------- loading

def load_manifests(
    targets: Sequence[str],
    *,
    root: str | Path | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    stdin: TextIO | None = None,
    workers: int = 1,
) -> ManifestLoad:
    """Read files, folders and ``-`` (stdin) into Resources; see the module docstring."""
    result = ManifestLoad()
    root_abs = os.path.abspath(os.fspath(root) if root is not None else os.getcwd())
    loader = _Loader(result, root_abs, max_file_size)

    candidates: list[tuple[str, str | None, tuple[int, int] | None, int]] = []  # (display, fs path, inode, size)
    seen_dirs: set[tuple[int, int]] = set()
    want_stdin = False
    for target in targets:
        target = os.fspath(target)
        if target == "-":
            want_stdin = True
            continue
        try:
            st = os.stat(target)
        except OSError as exc:
            loader.gap(loader.display(target), _os_reason(exc, target))
            continue
        if stat.S_ISDIR(st.st_mode):
            loader.walk(target, st, seen_dirs, candidates)
        else:
            candidates.append((loader.display(target), target, (st.st_dev, st.st_ino), st.st_size))

    if want_stdin:
        candidates.append(("-", None, None, 0))
    candidates.sort(key=lambda c: c[0])
    seen_files: set[tuple[int, int]] = set()
    files: list[tuple[str, str | None]] = []
    sizes: list[int] = []  # as stat-ed above, to share the files out among readers
    for display, fs_path, inode, size in candidates:
        if inode is not None:
            if inode in seen_files:
                continue  # the same file named twice or reached through a symlink
            seen_files.add(inode)
        files.append((display, fs_path))
        sizes.append(size)
    runs = _parallel_runs(files, sizes, workers)
    if runs:
        try:
            parts = _read_in_parallel(runs, root_abs, max_file_size)
        except WorkerError:
            parts = [_load_files(files, root_abs, max_file_size)]  # never lose the scan to a failed reader
        for part in parts:
            _merge(result, part.unpack() if isinstance(part, _Packed) else part)
    else:
        step = progress.active()
        for display, fs_path in files:
            before = len(result.resources)
            if fs_path is None:
                loader.load_stdin(stdin if stdin is not None else sys.stdin)
            else:
                loader.load_file(display, fs_path)
            step.advance(files=1, resources=len(result.resources) - before)
    result.gaps.sort(key=lambda g: g.sort_key())
    return result


# A forked reader also pickles what it read and the parent unpickles it; per
# byte of YAML that measured about 0.3 of the reading itself, so the parent,
# which sends nothing, takes a larger share.
_SENDING_COST = 0.3


def _parallel_runs(files: list[tuple[str, str | None]], sizes: list[int], workers: int) -> list[list[tuple[str, str | None]]]:
    """``files`` cut into ``workers`` contiguous runs that should take as long; [] when one reader is better.

    The first run is the parent's (see _SENDING_COST).  stdin is read by the
    parent only, so a scan that includes it is not split.
    """
    if workers <= 1 or len(files) < 2 or any(fs_path is None for _, fs_path in files):
        return []
    total = sum(sizes)
    if total < PARALLEL_MINIMUM_BYTES:
        return []
    child_share = 1 / (1 + _SENDING_COST + (workers - 1))
    ends = [total * ((1 + _SENDING_COST) * child_share + k * child_share) for k in range(workers - 1)]
    runs: list[list[tuple[str, str | None]]] = [[]]
    done = 0
    for item, size in zip(files, sizes):
        if runs[-1] and len(runs) < workers and done >= ends[len(runs) - 1]:
            runs.append([])
        runs[-1].append(item)
        done += size
    return runs


def _load_files(files: list[tuple[str, str | None]], root_abs: str, max_file_size: int) -> ManifestLoad:
    """One reader's share of the files (never stdin), in order."""
    part = ManifestLoad()
    loader = _Loader(part, root_abs, max_file_size)
    step = progress.active()  # counts only in this process; forked readers' counts arrive with their parts
    for display, fs_path in files:
        assert fs_path is not None
        before = len(part.resources)
        loader.load_file(display, fs_path)
        step.advance(files=1, resources=len(part.resources) - before)
    return part


def _read_in_parallel(runs: list[list[tuple[str, str | None]]], root_abs: str, max_file_size: int) -> list["ManifestLoad | _Packed"]:
    """Each run read by its own process, the first by this one; the others' parts come back packed."""
    parent = os.getpid()

    def read(first: int, last: int) -> "ManifestLoad | _Packed":
        part = _load_files([f for run in runs[first:last] for f in run], root_abs, max_file_size)
        return part if os.getpid() == parent else _Packed(part)

    return map_forked(read, len(runs), len(runs))


_ORIGIN_FIELDS = tuple(f.name for f in fields(Origin))


class _Packed:
    """A ManifestLoad as plain tuples: pickling Resource and Origin objects took twice as long."""

    def __init__(self, part: ManifestLoad):
        self.resources = [(r.obj, tuple(getattr(r.origin, name) for name in _ORIGIN_FIELDS)) for r in part.resources]
        self.gaps, self.skipped, self.files, self.sources = part.gaps, part.skipped, part.files, part._sources
        self.digests = part.digests

    def unpack(self) -> ManifestLoad:
        part = ManifestLoad(gaps=self.gaps, skipped=self.skipped, files=self.files, digests=self.digests, _sources=self.sources)
        part.resources = [Resource(obj, Origin(*origin)) for obj, origin in self.resources]
        return part


def _merge(result: ManifestLoad, part: ManifestLoad) -> None:
    """Append one reader's part to the result, in order."""
    result.resources.extend(part.resources)
    result.gaps.extend(part.gaps)
    result.files.extend(part.files)
    result.digests.update(part.digests)
    result._sources.update(part._sources)
    for reason, count in part.skipped.items():
        result.skipped[reason] = result.skipped.get(reason, 0) + count


def _os_reason(exc: OSError, path: str) -> str:
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return "broken symbolic link (its target does not exist)"
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def _human_size(n: float) -> str:
    """A size in the units --max-file-size is given in: MB = 1,000,000 bytes, MiB = 1,048,576.

    Binary units only for a size that is a whole number of them and not of the decimal
    ones (a limit given as 10MiB); everything else is decimal, so "50MB" reads back as
    "50 MB", not "47.7 MB".
    """
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale and n % scale == 0 and n % 1000 != 0:
            return f"{int(n // scale)} {unit}"
    for unit, scale in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if n >= scale:
            text = f"{n / scale:.1f}"
            return f"{text[:-2] if text.endswith('.0') else text} {unit}"
    return f"{int(n)} bytes"


def _decode(data: bytes) -> tuple[str | None, str | None, int | None]:
    """(text, None, None) or (None, reason, line)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), None, None
        except UnicodeDecodeError:
            return None, "not valid UTF-16 (after a UTF-16 byte order mark)", None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return None, f"binary file (NUL byte at line {line}), not YAML or JSON", line
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line})", line
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None, None


class FileChanged(ValueError):
    """The file is not the one that was read at load time; its lines would be wrong."""


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _read_text(fs_path: str | None, identity: tuple[int, int, int, int] | None = None) -> str:
    """The file's text again, for line resolution, only if it is still the file that was read.

    Opened non-blocking (a named pipe swapped in for the file would otherwise hang the
    scan) and checked against what was recorded at load: device, inode, size and
    modification time.  Anything else raises FileChanged, and the lines are left out
    rather than taken from other bytes than the ones evaluated.
    """
    if identity is None:
        raise FileChanged("was not a regular file when it was read; lines cannot be read again")
    fd = os.open(fs_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or _identity(st) != identity:
            raise FileChanged("changed after it was read (size, modification time or inode differ)")
        data = fh.read(identity[2] + 1)
    if len(data) != identity[2]:
        raise FileChanged("changed after it was read (its size differs)")
    text, reason, _ = _decode(data)
    if text is None:
        raise ValueError(reason)
    return text


class _Loader:
    """The state of one load_manifests call."""

    def __init__(self, result: ManifestLoad, root_abs: str, max_file_size: int):
        self.result = result
        self.root_abs = root_abs
        self.root_prefix = root_abs.rstrip(os.sep) + os.sep
        self.max_file_size = max_file_size
        self.skipped = result.skipped

    # ------------------------------------------------------------ paths

    def display(self, path: str) -> str:
        absolute = os.path.abspath(path)
        if absolute.startswith(self.root_prefix):
            path = os.path.relpath(absolute, self.root_abs)
        elif absolute == self.root_abs:
            path = "."
        return path.replace(os.sep, "/") if os.sep != "/" else path

    def gap(self, path: str, reason: str, line: int | None = None, document: int | None = None) -> None:
        self.result.gaps.append(CoverageGap(type="file", reason=" ".join(reason.split()), path=path, line=line, document=document))

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def walk(self, top: str, top_stat: os.stat_result, seen_dirs: set, out: list) -> None:
        """Collect manifest files under ``top``; every folder once, symlinks followed."""
        stack = [(top, top_stat)]
        while stack:
            folder, st = stack.pop()
            ident = (st.st_dev, st.st_ino)
            if ident in seen_dirs:
                continue
            seen_dirs.add(ident)
            try:
                entries = list(os.scandir(folder))
            except OSError as exc:
                self.gap(self.display(folder), f"cannot read folder: {_os_reason(exc, folder)}")
                continue
            for entry in entries:
                name = entry.name
                try:
                    if entry.is_dir():
                        if name != ".git":
                            stack.append((entry.path, entry.stat()))
                    elif name.lower().endswith(EXTENSIONS):
                        if entry.is_file():
                            st_file = entry.stat()
                            out.append((self.display(entry.path), entry.path, (st_file.st_dev, st_file.st_ino), st_file.st_size))
                        elif entry.is_symlink():
                            self.gap(self.display(entry.path), "broken symbolic link (its target does not exist)")
                except OSError as exc:
                    self.gap(self.display(entry.path), _os_reason(exc, entry.path))

    # ------------------------------------------------------------ reading

    def load_file(self, display: str, fs_path: str) -> None:
        limit = self.max_file_size
        try:
            st = os.stat(fs_path)
            if stat.S_ISREG(st.st_mode) and st.st_size > limit:
                self.gap(display, f"file is {_human_size(st.st_size)}, over the {_human_size(limit)} limit (--max-file-size)")
                return
            with open(fs_path, "rb") as fh:
                # Pipes and growing files have no size to check: read at most one byte over the
                # limit.  A regular file is read by its size (plus one, to see it grew): asking
                # for limit + 1 bytes would allocate the whole limit (50 MB) for every file.
                size = os.fstat(fh.fileno()).st_size
                data = fh.read(min(limit, size) + 1 if stat.S_ISREG(st.st_mode) and size else limit + 1)
                if len(data) == min(limit, size) + 1 and size < limit and stat.S_ISREG(st.st_mode):
                    data += fh.read(limit - len(data) + 1)  # it grew since: read on, up to the limit
                read_stat = os.fstat(fh.fileno())
        except OSError as exc:
            self.gap(display, _os_reason(exc, fs_path))
            return
        self.result.files.append(display)
        if len(data) > limit:
            self.gap(display, f"file is more than {_human_size(limit)}, over the limit (--max-file-size)")
            return
        self.result.digests[display] = (hashlib.sha256(data).hexdigest(), len(data))
        text, reason, line = _decode(data)
        if text is None:
            self.gap(display, reason, line)
            return
        # Lines are resolved after evaluation by reading the file again: remember what was read.
        identity = _identity(read_stat) if stat.S_ISREG(read_stat.st_mode) and read_stat.st_size == len(data) else None
        source = _Source(fs_path=os.path.abspath(fs_path), identity=identity)
        self.result._sources[("file", display)] = source
        self.parse(text, "file", display, source, fs_path.lower().endswith(".json"))

    def load_stdin(self, stream: TextIO) -> None:
        limit = self.max_file_size
        buffer = getattr(stream, "buffer", None)
        try:
            raw = buffer.read(limit + 1) if buffer is not None else stream.read(limit + 1)
        except (OSError, UnicodeDecodeError) as exc:
            self.gap("-", f"cannot read stdin: {exc}")
            return
        self.result.files.append("-")
        if len(raw) > limit:
            self.gap("-", f"stdin is more than {_human_size(limit)}, over the limit (--max-file-size)")
            return
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")  # a text stream: its UTF-8
        self.result.digests["-"] = (hashlib.sha256(data).hexdigest(), len(data))
        if isinstance(raw, bytes):
            text, reason, line = _decode(raw)
            if text is None:
                self.gap("-", reason, line)
                return
        else:
            text = raw[1:] if raw.startswith("\ufeff") else raw
            if "\x00" in text:
                line = text.count("\n", 0, text.index("\x00")) + 1
                self.gap("-", f"binary input (NUL byte at line {line}), not YAML or JSON", line)
                return
        source = _Source(fs_path=None, text=text)
        self.result._sources[("stdin", "-")] = source
        self.parse(text, "stdin", "-", source, False)

    def parse(self, text: str, kind: str, display: str, source: _Source, json_name: bool) -> None:
        try:
            self._parse(text, kind, display, source, json_name)
        except RecursionError:
            self.gap(display, f"nested too deeply to read (more than {yaml_loader.MAX_DEPTH} levels)")

    def _parse(self, text: str, kind: str, display: str, source: _Source, json_name: bool) -> None:
        if not text or text.isspace():
            self.skip(SKIP_EMPTY_FILE)
            return
        if json_name or yaml_loader.looks_like_json(text):
            docs, error, resume = yaml_loader.parse_json(text)
            use_json = error is None or not error.syntax
            if not use_json:
                # Not (only) JSON: YAML in a .json file, JSON followed by YAML
                # documents, or broken JSON.  Read it as YAML and keep whichever
                # reading got further (JSON's message on a tie in a .json file).
                ydocs, failure = self._collect_yaml(text)
                if failure is not None and (len(docs) > len(ydocs) or (json_name and len(docs) == len(ydocs))):
                    use_json = True
                else:
                    source.yaml_documents = len(ydocs)
                    self._emit_yaml(ydocs, failure, text, kind, display)
                    return
            source.json_spans = [(span[0], span[1], line) for _, line, _, span in docs]
            for index, line, value, _ in docs:
                self.emit(value, kind, display, index, line)
            if error is not None:
                self.fail(display, text, error, len(docs) + 1, resume, len(docs))
            return
        ydocs, failure = self._collect_yaml(text)
        source.yaml_documents = len(ydocs)
        self._emit_yaml(ydocs, failure, text, kind, display)

    @staticmethod
    def _collect_yaml(text: str) -> tuple[list[tuple[int, int, Any]], yaml_loader.PartialFailure | None]:
        docs: list[tuple[int, int, Any]] = []
        try:
            docs.extend(yaml_loader.iter_yaml(text))
        except yaml_loader.PartialFailure as failure:
            return docs, failure
        return docs, None

    def _emit_yaml(self, docs: list, failure: yaml_loader.PartialFailure | None, text: str, kind: str, display: str) -> None:
        for index, line, value in docs:
            self.emit(value, kind, display, index, line)
        if failure is not None:
            self.fail(display, text, failure.error, failure.document, failure.resume, len(docs))
        elif not docs:
            self.skip(SKIP_EMPTY_FILE)

    def fail(self, display: str, text: str, error: yaml_loader.DocumentError, document: int, resume: int, done: int) -> None:
        reason = error.reason
        if error.syntax and "{{" in text:
            reason = f"{HELM_HINT}: {reason}"
        if done:
            reason = f"{reason}; documents from line {resume} on were not scanned"
        self.gap(display, reason, error.line, document)

    def emit(self, value: Any, kind: str, display: str, index: int, line: int) -> None:
        if value is None:
            self.skip(SKIP_EMPTY_DOCUMENT)
            return
        if value.__class__ is not dict:
            self.skip(SKIP_NOT_MAPPING)
            return
        api = value.get("apiVersion")
        res_kind = value.get("kind")
        if not (api and res_kind and api.__class__ is str and res_kind.__class__ is str):
            self.skip(SKIP_NO_KIND)
            return
        if api.startswith("kustomize.config.k8s.io/"):
            self.skip(SKIP_KUSTOMIZE)
            return
        resources = self.result.resources
        if res_kind.endswith("List") and isinstance(value.get("items"), list):
            items = value["items"]
            if not items:
                self.skip(SKIP_EMPTY_LIST)
                return
            item_kind = res_kind[:-4]
            for i, item in enumerate(items):
                if item.__class__ is not dict:
                    self.skip(SKIP_LIST_ITEM)
                    continue
                item_api = item.get("apiVersion")
                item_k = item.get("kind")
                if not (item_api and item_k):
                    if not item_kind:  # kind: List says nothing about its items
                        self.skip(SKIP_LIST_ITEM)
                        continue
                    # typed lists (PodList) leave apiVersion/kind out of their items
                    item = {"apiVersion": item_api or api, "kind": item_k or item_kind, **{k: v for k, v in item.items() if k not in ("apiVersion", "kind")}}
                    item_api, item_k = item["apiVersion"], item["kind"]
                if item_k == "Secret" and item_api == "v1":
                    item = scrub_secret(item)
                resources.append(Resource(item, Origin(kind, display, index, line, i)))
            return
        if res_kind == "Secret" and api == "v1":
            value = scrub_secret(value)
        resources.append(Resource(value, Origin(kind, display, index, line)))

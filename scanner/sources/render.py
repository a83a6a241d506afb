"""Helm charts and Kustomize overlays: render them with their own tools, then read the result.

Rendering is left to the real tools (``helm template``, ``kustomize build`` or
``kubectl kustomize``) because re-implementing either would scan something
other than what gets deployed.  The rendered stream is read from memory by the
same loader as manifests (``load_manifests`` on ``-``), so every reading rule,
limit and Secret scrub applies unchanged; only the origins are rewritten.

Origins of rendered resources (type ``file``, ``rendered_from`` = the chart or
overlay, relative to the scan root):

* Helm: ``# Source: <chart>/templates/x.yaml`` before each document names the
  template; ``path`` is that template inside the chart folder (subcharts
  included) when the file exists there, else the chart.  ``document`` counts
  the documents rendered from that template (1-based).  ``line`` is None: a
  line of the rendered stream is not a line of the template, and a template
  is not YAML that a field path could be walked in, so reports name the file
  and never a wrong line.
* Kustomize: the overlay is built through a throw-away kustomization that
  lists it as its only resource and sets ``buildMetadata: [originAnnotations]``
  (the output is otherwise the same), so kustomize itself says which file each
  resource came from.  That file is read with the manifest loader and the
  document is found by kind and name (the rendered name contains the source
  name; namePrefix/nameSuffix only add to it).  ``path``/``document``/``line``
  are then those of the source document, and a finding's line is the line of
  its field in that document *when the source holds the same value there*;
  a value the overlay changed (a patch, an image or namespace transformer)
  has no line of its own in the source, so the finding points at the start of
  the source document.  Resources made by a generator (``configMapGenerator``)
  point at the kustomization file that configures them, without a line.
  A kustomize without origin annotations (v2, as in Debian 12's kubectl
  1.20) fails the wrapped build, so the overlay is built as is and each
  resource is matched by kind and name among the documents of the files the
  kustomizations list under resources/bases/components (folders followed,
  patches not); a name found in no file or in two keeps the overlay.  Remote
  resources and anything unmatched fall back to the overlay folder itself,
  without a line.  The annotation is removed again unless the overlay asked
  for it itself.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from scanner.model import CoverageGap, Origin, Resource
from scanner.sources.git import git_state
from scanner.sources.manifests import DEFAULT_MAX_FILE_SIZE, ManifestLoad, load_manifests
from scanner.sources.yaml_loader import DocumentError, load_user_yaml

RENDER_TIMEOUT = 300.0  # seconds; a chart or overlay that takes longer is stuck, not big
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SOURCE_COMMENT = re.compile(r"^# Source: (.+?)\s*$")
DOCUMENT_SEPARATOR = re.compile(r"^---(\s|$)")
KLOG_PREFIX = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^\]]+\] ")  # kubectl's log line prefix
KLOG_FAILURE = re.compile(r'^"command failed" err="(.*)"$')
STDERR_LINES = 2
STDERR_CHARS = 400
_MISSING = object()


from scanner.sources import RenderError  # noqa: E402  (defined there so the CLI need not import this module to catch it)


class RenderTimeout(RenderError):
    """The tool did not finish in time (not worth a second try)."""


@dataclass
class RenderedLoad(ManifestLoad):
    """A ManifestLoad whose origins point back at charts, templates and overlays.

    ``targets`` describes what was rendered and how, for the result's
    ``scan.targets``.  Lines are resolved by the source the resource was
    mapped to (see the module docstring), so ``resolve_line`` answers for the
    origins this load handed out, looked up by identity.
    """

    targets: list[dict[str, Any]] = field(default_factory=list)
    source: str = "rendered"
    _mapped: dict[int, tuple[ManifestLoad, Origin, dict[str, Any], dict[str, Any]]] = field(default_factory=dict, repr=False, compare=False)

    def resolve_line(self, origin: Origin, path: Sequence[str | int]) -> int | None:
        mapped = self._mapped.get(id(origin))
        if mapped is None:
            return None  # Helm, generators, fallbacks: no line in any file
        source_load, source_origin, source_obj, rendered_obj = mapped
        if _value_at(source_obj, path) != _value_at(rendered_obj, path):
            return source_origin.line  # set by the overlay: no line of its own in the source
        return source_load.resolve_line(source_origin, path)


# ---------------------------------------------------------------- running tools

def _first_lines(stderr: str) -> str:
    """The tool's first stderr lines, without kubectl's log prefix and ``"command failed" err="..."`` wrapper."""
    lines = []
    for line in stderr.splitlines():
        line = KLOG_PREFIX.sub("", line).strip()
        wrapped = KLOG_FAILURE.match(line)
        if wrapped:
            line = wrapped.group(1).replace('\\"', '"')
        lines.append(line)
    text = "; ".join([line for line in lines if line][:STDERR_LINES])
    return text if len(text) <= STDERR_CHARS else text[: STDERR_CHARS - 3] + "..."


def run_tool(argv: Sequence[str], shown: str, timeout: float = RENDER_TIMEOUT) -> str:
    """Run a renderer (no shell) and return its stdout; RenderError with one line otherwise.

    ``shown`` is the command as the user would type it, for the message; it
    differs from ``argv`` when kustomize is pointed at the wrapper folder.
    """
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, encoding="utf-8", errors="replace",
            timeout=timeout, check=False, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise RenderTimeout(f"`{shown}` did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise RenderError(f"could not run `{shown}`: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = _first_lines(done.stderr) or "no message on stderr"
        raise RenderError(f"`{shown}` failed (exit {done.returncode}): {detail}")
    return done.stdout


def tool_version(argv: Sequence[str]) -> str | None:
    """The renderer's version for the result (best effort: None when it does not say)."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=20, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    for line in done.stdout.splitlines():
        if done.returncode == 0 and line.strip():
            if argv[0] == "kubectl":
                if line.startswith("Kustomize Version:"):
                    return line.split(":", 1)[1].strip()
                continue
            return line.strip()
    return None


def kustomize_command() -> list[str]:
    """``kustomize build`` if kustomize is on the PATH, else ``kubectl kustomize``."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    raise RenderError("kustomize build needs `kustomize` or `kubectl` on the PATH")


def helm_command() -> list[str]:
    if shutil.which("helm"):
        return ["helm", "template"]
    raise RenderError("helm template needs `helm` on the PATH")


# ---------------------------------------------------------------- shared helpers

def _display(path: str, root_abs: str) -> str:
    """A path as origins show it: relative to the scan root when under it (as manifests.py does)."""
    absolute = os.path.abspath(path)
    if absolute == root_abs:
        return "."
    if absolute.startswith(root_abs.rstrip(os.sep) + os.sep):
        absolute = os.path.relpath(absolute, root_abs)
    return absolute.replace(os.sep, "/")


def _read_stream(text: str, max_file_size: int) -> ManifestLoad:
    """The rendered stream through the manifest loader, from memory."""
    return load_manifests(["-"], max_file_size=max_file_size, stdin=io.StringIO(text))


def _stream_gaps(load: ManifestLoad, rendered_from: str, what: str) -> list[CoverageGap]:
    """Parse problems in the rendered stream, re-addressed to the chart or overlay."""
    out = []
    for gap in load.gaps:
        where = f", line {gap.line}" if gap.line else ""
        out.append(replace(gap, path=rendered_from, line=None, document=None, reason=f"output of {what}{where}: {gap.reason}"))
    return out


def _value_at(obj: Any, path: Sequence[str | int]) -> Any:
    node = obj
    for step in path or ():
        if isinstance(node, dict):
            node = node.get(str(step), _MISSING)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _target(kind: str, fs_path: str, display: str, command: list[str], **extra: Any) -> dict[str, Any]:
    """``scan.targets`` entry: what was rendered, by which tool, from which commit."""
    info: dict[str, Any] = {"type": kind, "path": display, "renderer": " ".join(command)}
    info.update({k: v for k, v in extra.items() if v not in (None, [], "")})
    if os.path.exists(fs_path):
        info.update(git_state(fs_path))
    return info


def _file_digests(paths: Sequence[str], root_abs: str) -> dict[str, tuple[str, int]]:
    """SHA-256 and size of small input files the renderer read (Helm values files), for ``scan.inputs``.

    Read once more here (helm read them, not us); values files are small, and
    they decide what the chart renders to.  One that cannot be read is left
    out: helm read it a moment ago, so this does not fail the scan.
    """
    out: dict[str, tuple[str, int]] = {}
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        out[_display(path, root_abs)] = (hashlib.sha256(data).hexdigest(), len(data))
    return out


def _rendered_digest(target: dict[str, Any], stream: ManifestLoad) -> None:
    """The SHA-256 and size of the rendered stream, as the loader read it, on the target entry."""
    digest = stream.digests.get("-")
    if digest:
        target["rendered_sha256"], target["rendered_bytes"] = digest


# ---------------------------------------------------------------- Helm

def render_helm(
    chart: str,
    values: Sequence[str] = (),
    sets: Sequence[str] = (),
    release_name: str | None = None,
    namespace: str | None = None,
    timeout: float = RENDER_TIMEOUT,
) -> tuple[str, list[str]]:
    """``helm template`` output and the command (``helm template [NAME] CHART ...``)."""
    argv = helm_command()
    if release_name:
        argv.append(release_name)
    argv.append(chart)
    for value_file in values:
        argv += ["--values", value_file]
    for assignment in sets:
        argv += ["--set", assignment]
    if namespace:
        argv += ["--namespace", namespace]
    return run_tool(argv, " ".join(argv), timeout), argv


def helm_sources(text: str) -> dict[int, str]:
    """Stream line of every document's first content line -> its ``# Source:`` template.

    Helm writes ``---`` then ``# Source: chart/templates/x.yaml`` before each
    document; the loader reports a document by the line of its first node,
    which comes after that comment.  A comment counts only for the document
    it sits in (after the last separator), so a document without one is not
    given its neighbour's template.
    """
    out: dict[int, str] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if DOCUMENT_SEPARATOR.match(line):
            current = None
            continue
        match = SOURCE_COMMENT.match(line)
        if match:
            current = match.group(1)
            continue
        if current is not None and line.strip() and not line.lstrip().startswith("#"):
            out[number] = current
            current = None  # one entry per document: its first content line
    return out


def template_path(source: str, chart: str, root_abs: str) -> str | None:
    """``shop/templates/x.yaml`` -> ``<chart folder>/templates/x.yaml`` when that file exists.

    The first segment is the chart's name, not necessarily its folder's, so it
    is dropped; subchart templates (``shop/charts/db/templates/x.yaml``) map
    into ``charts/db`` the same way.
    """
    parts = source.split("/", 1)
    if len(parts) != 2 or not os.path.isdir(chart):
        return None
    candidate = os.path.normpath(os.path.join(chart, parts[1]))
    if not os.path.abspath(candidate).startswith(os.path.abspath(chart).rstrip(os.sep) + os.sep):
        return None  # ../ in a Source comment: not a file of this chart
    return _display(candidate, root_abs) if os.path.isfile(candidate) else None


def load_helm(
    chart: str,
    values: Sequence[str] = (),
    sets: Sequence[str] = (),
    release_name: str | None = None,
    namespace: str | None = None,
    *,
    root: str | Path | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    timeout: float = RENDER_TIMEOUT,
) -> RenderedLoad:
    """Render a chart and read it; origins name the template of each document (line unknown)."""
    root_abs = os.path.abspath(os.fspath(root) if root is not None else os.getcwd())
    text, argv = render_helm(chart, values, sets, release_name, namespace, timeout)
    stream = _read_stream(text, max_file_size)
    chart_display = _display(chart, root_abs) if os.path.exists(chart) else chart
    sources = helm_sources(text)
    load = RenderedLoad(source="helm", skipped=stream.skipped, gaps=_stream_gaps(stream, chart_display, "`helm template`"))
    documents: dict[str, int] = {}
    for resource in stream.resources:
        source = sources.get(resource.origin.line or 0)
        path = template_path(source, chart, root_abs) if source else None
        path = path or chart_display
        if resource.origin.item in (None, 0):
            documents[path] = documents.get(path, 0) + 1
        origin = Origin("file", path, documents[path], None, resource.origin.item, rendered_from=chart_display)
        load.resources.append(Resource(resource.obj, origin))
    load.files = sorted({r.origin.path for r in load.resources if r.origin.path} or {chart_display})
    load.targets = [_target(
        "helm", chart, chart_display, argv[:2], renderer_version=tool_version(["helm", "version", "--short"]),
        release_name=release_name, namespace=namespace, values=[_display(v, root_abs) for v in values],
        set=[s.split("=", 1)[0] for s in sets],  # keys only: --set values may be credentials
    )]
    _rendered_digest(load.targets[0], stream)
    load.digests = _file_digests(values, root_abs)
    return load


# ---------------------------------------------------------------- Kustomize

def _kustomization_file(overlay: str) -> str | None:
    for name in KUSTOMIZATION_FILES:
        candidate = os.path.join(overlay, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _asks_for_origins(overlay: str) -> bool:
    """True when the overlay sets ``buildMetadata: [originAnnotations]`` itself (then they stay)."""
    found = _kustomization_file(overlay)
    if found is None:
        return False
    try:
        with open(found, encoding="utf-8") as fh:
            data = load_user_yaml(fh.read())
    except (OSError, UnicodeDecodeError, DocumentError):
        return False
    return isinstance(data, dict) and "originAnnotations" in (data.get("buildMetadata") or [])


def render_kustomize(overlay: str, timeout: float = RENDER_TIMEOUT) -> tuple[str, list[str], str | None]:
    """Build the overlay; returns (output, command, folder that origin annotations are relative to).

    The build goes through a wrapper kustomization (see the module docstring);
    when the wrapped build fails (an overlay kustomize cannot nest, a path
    that cannot be made relative), the overlay is built as is, without
    origins, so its own error message reaches the user.
    """
    base = kustomize_command()
    shown = " ".join([*base, overlay])
    with tempfile.TemporaryDirectory(prefix="kubecomply-kustomize-") as wrapper:
        try:
            relative = os.path.relpath(os.path.abspath(overlay), wrapper)
        except ValueError:  # another drive on Windows
            relative = None
        if relative is not None:
            with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as fh:
                fh.write(yaml.safe_dump({"resources": [relative], "buildMetadata": ["originAnnotations"]}))
            try:
                return run_tool([*base, wrapper], shown, timeout), base, wrapper
            except RenderTimeout:
                raise
            except RenderError:
                pass
    return run_tool([*base, overlay], shown, timeout), base, None


def _origin_of(obj: dict[str, Any], keep: bool) -> dict[str, Any] | None:
    """Read (and unless ``keep``, remove) kustomize's origin annotation."""
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict) or ORIGIN_ANNOTATION not in annotations:
        return None
    raw = annotations[ORIGIN_ANNOTATION] if keep else annotations.pop(ORIGIN_ANNOTATION)
    if not annotations and not keep:
        del meta["annotations"]
    try:
        data = yaml.safe_load(raw) if isinstance(raw, str) else None
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _listed_files(overlay: str, seen: set[str] | None = None) -> list[str]:
    """Files the kustomizations list as resources (``resources``, ``bases``, ``components``), folders followed.

    Used only when kustomize wrote no origin annotations.  Patches are not
    listed (they are not where a resource comes from); remote entries do not
    exist on disk and are passed over.
    """
    seen = set() if seen is None else seen
    folder = os.path.abspath(overlay)
    found = _kustomization_file(folder)
    if found is None or folder in seen:
        return []
    seen.add(folder)
    try:
        with open(found, encoding="utf-8") as fh:
            data = load_user_yaml(fh.read())
    except (OSError, UnicodeDecodeError, DocumentError):
        return []
    if not isinstance(data, dict):
        return []
    files: list[str] = []
    for key in ("resources", "bases", "components"):
        entries = data.get(key)
        for entry in entries if isinstance(entries, list) else []:
            path = os.path.normpath(os.path.join(folder, str(entry)))
            if os.path.isdir(path):
                files += _listed_files(path, seen)
            elif os.path.isfile(path):
                files.append(path)
    return files


def _match_document(rendered: Resource, candidates: Sequence[Resource], by_name_only: bool = False) -> Resource | None:
    """The source document a rendered resource came from: same kind, name contained in the rendered one.

    Within the one file kustomize named, a lone document of the kind is taken
    whatever its name (a patch may rename); across listed files
    (``by_name_only``) the name must match.
    """
    same_kind = [c for c in candidates if c.kind == rendered.kind]
    if len(same_kind) == 1 and not by_name_only:
        return same_kind[0]
    named = [c for c in same_kind if c.name and c.name in rendered.name]
    if not named:
        return None
    longest = max(len(c.name) for c in named)
    best = [c for c in named if len(c.name) == longest]
    return best[0] if len(best) == 1 else None


def load_kustomize(
    overlay: str,
    *,
    root: str | Path | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    timeout: float = RENDER_TIMEOUT,
) -> RenderedLoad:
    """Build an overlay and read it; origins map back to the base and overlay files (module docstring)."""
    root_abs = os.path.abspath(os.fspath(root) if root is not None else os.getcwd())
    overlay_display = _display(overlay, root_abs)
    keep = _asks_for_origins(overlay)
    text, command, relative_to = render_kustomize(overlay, timeout)
    stream = _read_stream(text, max_file_size)
    load = RenderedLoad(source="kustomize", skipped=stream.skipped, gaps=_stream_gaps(stream, overlay_display, f"`{' '.join(command)}`"))

    # kustomize's word on where each resource came from, as absolute paths
    where: list[tuple[str | None, bool]] = []  # (absolute file, is a source document) per resource
    for resource in stream.resources:
        info = _origin_of(resource.obj, keep) if relative_to else None
        if info and not info.get("repo") and isinstance(info.get("path"), str):
            where.append((os.path.normpath(os.path.join(relative_to, info["path"])), True))
        elif info and isinstance(info.get("configuredIn"), str) and not info.get("repo"):
            where.append((os.path.normpath(os.path.join(relative_to, info["configuredIn"])), False))
        else:
            where.append((None, False))

    # without annotations (older kustomize): the files the kustomizations list
    listed = _listed_files(overlay) if any(path is None for path, _ in where) else []
    source_files = sorted({path for path, is_doc in where if is_doc and path and os.path.isfile(path)} | set(listed))
    sources = load_manifests(source_files, root=root_abs, max_file_size=max_file_size) if source_files else ManifestLoad()
    by_file: dict[str, list[Resource]] = {}
    for candidate in sources.resources:
        by_file.setdefault(candidate.origin.path or "", []).append(candidate)
    listed_candidates = [c for path in dict.fromkeys(listed) for c in by_file.get(_display(path, root_abs), [])]

    for resource, (path, is_doc) in zip(stream.resources, where):
        origin = Origin("file", overlay_display, None, None, rendered_from=overlay_display)
        matched = None
        if path is None and listed_candidates:
            matched = _match_document(resource, listed_candidates, by_name_only=True)
            if matched is not None:
                origin = replace(matched.origin, rendered_from=overlay_display)
        elif path is not None:
            display = _display(path, root_abs)
            matched = _match_document(resource, by_file.get(display, [])) if is_doc else None
            if matched is not None:
                origin = replace(matched.origin, rendered_from=overlay_display)
            elif os.path.isfile(path):
                origin = Origin("file", display, None, None, rendered_from=overlay_display)
        load.resources.append(Resource(resource.obj, origin))
        if matched is not None:
            load._mapped[id(origin)] = (sources, matched.origin, matched.obj, resource.obj)
    load.files = sorted({r.origin.path for r in load.resources if r.origin.path} or {overlay_display})
    version_argv = ["kustomize", "version"] if command[0] == "kustomize" else ["kubectl", "version", "--client"]
    annotated = any(path is not None for path, _ in where)
    mapping = "origin-annotations" if annotated else ("listed-files" if listed else "none")
    load.targets = [_target("kustomize", overlay, overlay_display, command, renderer_version=tool_version(version_argv), origin_mapping=mapping)]
    _rendered_digest(load.targets[0], stream)
    load.digests = dict(sources.digests)  # the overlay's and bases' files read to map origins
    return load

"""Find Rego modules, read their METADATA and turn them into checks.

A check is a module whose package-scope ``# METADATA`` block names a
``custom.id``.  Modules without one are helper libraries, except that a module
defining ``deny`` without METADATA is an error: it would run without an id,
severity or kinds, and so could neither be mapped nor reported honestly.
Syntax and unknown builtins are caught by the engine when it loads the modules;
this module catches everything that can be known from the text alone.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .model import SEVERITIES, Policy
from .offline_builtins import allowed_builtins
from .shipped_yaml import load_yaml
from .sources.yaml_loader import DocumentError

REPO_ROOT = Path(__file__).resolve().parent.parent


def bundled_dir(name: str) -> Path:
    """A bundled data folder: the repository's own in a checkout, the packaged copy in an install."""
    checkout = REPO_ROOT / name
    if checkout.is_dir() and (REPO_ROOT / "pyproject.toml").is_file():
        return checkout
    return Path(__file__).resolve().parent / "_bundled" / name


BUNDLED_POLICY_DIR = bundled_dir("policies")

# Kinds that carry a pod spec; `kinds: [workloads]` in METADATA expands to these.
WORKLOAD_KINDS: tuple[str, ...] = (
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
    "DeploymentConfig",
)
KIND_GROUPS: dict[str, tuple[str, ...]] = {"workloads": WORKLOAD_KINDS}
ALL_KINDS = "*"

class AtLineStart:
    """``re.compile("^" + pattern, re.MULTILINE)`` with the same matches, found several times faster.

    Why: with ``^`` the regex engine tries the pattern at every position of
    the text; anchored on a newline instead, it jumps from one newline to the
    next.  Over the 180-odd bundled modules that was 10x for ``^deny\b``, and a
    few ms of every scan's start-up (issue 16).  The text is searched with a
    newline in front, so the first line counts too; a match's ``start()`` and
    groups are those of the original text (``end()`` is one more, and
    ``group(0)`` begins with the newline).
    """

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = "^" + pattern
        self._regex = re.compile("\n(?:" + pattern + ")", flags | re.MULTILINE)

    def search(self, text: str) -> re.Match[str] | None:
        return self._regex.search("\n" + text)

    def findall(self, text: str) -> list[Any]:
        """As ``re.findall``: the whole matches (without the newline), the one group, or tuples of groups."""
        groups = self._regex.groups
        if groups == 0:
            return [m.group(0)[1:] for m in self.finditer(text)]
        if groups == 1:
            return self._regex.findall("\n" + text)
        return [m.groups("") for m in self.finditer(text)]

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._regex.finditer("\n" + text)


REQUIRED_FIELDS = ("title", "description")
REQUIRED_CUSTOM_FIELDS = ("id", "severity", "kinds", "remediation")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
PACKAGE_LINE = AtLineStart(r"package\s+([A-Za-z_][\w.]*)\s*$")
# A check narrows its population with a rule named ``applies`` (docs/policies.md, "Populations").
APPLIES_RULE = AtLineStart(r"applies(?:\s+if\b|\s*:?=|\s*\{)")
DENY_RULE = AtLineStart(r"deny\b")
PACKAGE_START = AtLineStart("package ")
# What str.splitlines() also splits at, besides "\n" (looked for one by one: a regular
# expression with these characters took 5 ms to compile, at every start).
OTHER_LINE_BREAKS = ("\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


class PolicyError(Exception):
    """A module that cannot be used; ``str()`` is one line naming file and line."""

    def __init__(self, file: str, line: int | None, message: str):
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Module:
    """The text of one .rego file, named by the path used in error messages."""

    path: str
    text: str
    bundled: bool = False  # shipped with kubecomply (we know how it reads data.inventory)
    # Builtins refused by default (scanner/offline_builtins.py) that this
    # module's METADATA accepts, via custom.allow_builtins.
    allow_builtins: frozenset[str] = frozenset()


@dataclass
class PolicySet:
    """Everything the engine loads for a scan: the checks and the helper modules they import."""

    policies: list[Policy]
    modules: list[Module]  # checks and libraries, never tests
    test_modules: list[Module] = field(default_factory=list)

    def by_id(self) -> dict[str, Policy]:
        return {p.id: p for p in self.policies}

    def select(self, ids: Iterable[str]) -> "PolicySet":
        """Keep only the named checks (libraries stay; they may be imported by any)."""
        wanted = set(ids)
        keep = [p for p in self.policies if p.id in wanted]
        dropped_files = {p.file for p in self.policies if p.id not in wanted}
        modules = [m for m in self.modules if m.path not in dropped_files]
        return PolicySet(keep, modules, self.test_modules)

    def digest(self, extra_files: Sequence[Path] = ()) -> str:
        """SHA-256 over the loaded modules (and mapping files), so a report names the exact bundle."""
        h = hashlib.sha256()
        for module in sorted(self.modules, key=lambda m: m.path):
            h.update(module.path.encode())
            h.update(b"\0")
            h.update(module.text.encode())
            h.update(b"\0")
        for path in sorted(extra_files):
            h.update(path.name.encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
        return "sha256:" + h.hexdigest()


def display_path(path: Path) -> str:
    """Paths in messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def display_paths(folder: Path, files: Sequence[Path]) -> list[str]:
    """``display_path`` of each of ``files`` found under ``folder`` by ``iter_rego_files``, with the same answers.

    Why: resolving a path checks every component for a link, and display_path
    resolves the working directory too; for the 180 bundled files that was
    0.04 s of a scan's start-up.  ``rglob`` does not descend into linked
    folders, so below ``folder`` only a file that is itself a link needs
    resolving; the folder and the working directory are resolved once.
    """
    cwd = os.path.realpath(os.getcwd())
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    base = os.path.realpath(folder)
    out: list[str] = []
    for path in files:
        real = os.path.realpath(path) if path.is_symlink() else os.path.join(base, *path.relative_to(folder).parts)
        if real == cwd:
            out.append(".")
        elif real.startswith(prefix):
            out.append(real[len(prefix) :])
        else:
            out.append(str(path))
    return out


def metadata_block(text: str) -> tuple[str, int] | None:
    """The package-scope METADATA block as YAML text, and the line of its marker; None without one.

    OPA's rule: a METADATA comment block directly above ``package`` has package
    scope.  We read only that one; rule-scope annotations are left to the engine.
    """
    found = PACKAGE_START.search(text)
    if found is not None and not any(c in text[: found.start()] for c in OTHER_LINE_BREAKS):
        # Only the lines above the package line matter: splitting the whole
        # text of every module was a visible part of start-up (issue 16).
        lines = text[: found.start()].splitlines()
        package_index = len(lines)
    else:  # no package line, or line breaks other than "\n" before it: the general way
        lines = text.splitlines()
        package_index = next((i for i, line in enumerate(lines) if line.startswith("package ")), None)
    if package_index is None:
        return None
    # Walk up through the contiguous comment block above `package`.
    start = package_index
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    block = lines[start:package_index]
    marker = next((i for i, line in enumerate(block) if line.strip() == "# METADATA"), None)
    if marker is None:
        return None
    body = []
    for line in block[marker + 1 :]:
        stripped = line.lstrip()
        content = stripped[1:]
        body.append(content[1:] if content.startswith(" ") else content)
    return "\n".join(body), start + marker + 1


def parse_metadata(text: str, file: str) -> tuple[dict[str, Any] | None, int | None]:
    """Return the package-scope METADATA block (parsed YAML) and its line."""
    found = metadata_block(text)
    if found is None:
        return None, None
    body, meta_line = found
    try:
        data = load_yaml(body) or {}
    except DocumentError as exc:
        line = meta_line + exc.line if exc.line else meta_line
        raise PolicyError(file, line, f"METADATA is not valid YAML: {exc.reason}") from None
    if not isinstance(data, dict):
        raise PolicyError(file, meta_line, "METADATA must be a YAML mapping")
    return data, meta_line


def expand_kinds(declared: Sequence[str]) -> tuple[str, ...]:
    kinds: list[str] = []
    for kind in declared:
        for expanded in KIND_GROUPS.get(kind, (kind,)):
            if expanded not in kinds:
                kinds.append(expanded)
    return tuple(kinds)


def policy_from_module(module: Module, metadata: dict[str, Any], line: int, bundled: bool) -> Policy:
    """Validate METADATA and build the Policy; every problem names the file and line."""
    file = module.path
    for key in REQUIRED_FIELDS:
        if not isinstance(metadata.get(key), str) or not metadata[key].strip():
            raise PolicyError(file, line, f"METADATA is missing '{key}'")
    custom = metadata.get("custom")
    if not isinstance(custom, dict):
        raise PolicyError(file, line, "METADATA is missing 'custom' (id, severity, kinds, remediation)")
    for key in REQUIRED_CUSTOM_FIELDS:
        if custom.get(key) in (None, "", []):
            raise PolicyError(file, line, f"METADATA is missing 'custom.{key}'")
    check_id = str(custom["id"])
    if not ID_PATTERN.match(check_id):
        raise PolicyError(file, line, f"custom.id {check_id!r} must be a lower-case slug such as 'privileged-containers'")
    severity = str(custom["severity"]).lower()
    if severity not in SEVERITIES:
        raise PolicyError(file, line, f"custom.severity {custom['severity']!r} is not one of {', '.join(SEVERITIES)}")
    declared = custom["kinds"]
    if isinstance(declared, str):
        declared = [declared]
    if not isinstance(declared, list) or not all(isinstance(k, str) and k for k in declared):
        raise PolicyError(file, line, "custom.kinds must be a list of kinds, e.g. [workloads] or [Service, Ingress]")
    references = custom.get("references") or {}
    if not isinstance(references, dict):
        raise PolicyError(file, line, "custom.references must be a mapping such as {cis: ['5.2.2']}")
    requires_data = custom.get("requires_data") or []
    if isinstance(requires_data, str):
        requires_data = [requires_data]
    if not isinstance(requires_data, list) or not all(isinstance(k, str) and k for k in requires_data):
        raise PolicyError(file, line, "custom.requires_data must be a list of data.kubecomply.config keys, e.g. [allowed_registries]")
    reads = custom.get("reads") or []
    if isinstance(reads, str):
        reads = [reads]
    if not isinstance(reads, list) or not all(isinstance(k, str) and k for k in reads):
        raise PolicyError(file, line, "custom.reads must be a list of kinds the check looks up in data.inventory, e.g. [NetworkPolicy]")
    if_served = custom.get("reads_if_served") or []
    if isinstance(if_served, str):
        if_served = [if_served]
    if not isinstance(if_served, list) or not all(isinstance(k, str) and k for k in if_served):
        raise PolicyError(file, line, "custom.reads_if_served must be a list of kinds, e.g. [CiliumNetworkPolicy]")
    if_served = [k for k in dict.fromkeys(if_served) if k not in reads]  # a kind in reads stays required
    reads = [*dict.fromkeys(reads), *if_served]
    cross_resource = "data.inventory" in module.text
    if cross_resource and not reads:
        # A cluster scan collects only the kinds checks name; without this list
        # the kinds this check looks up would never be collected.
        raise PolicyError(file, line, "reads data.inventory but does not say which kinds: add custom.reads, e.g. reads: [NetworkPolicy]")
    population = custom.get("population")
    if population is not None and (not isinstance(population, str) or not population.strip()):
        raise PolicyError(file, line, "custom.population must be a sentence saying which resources the check is about")
    match = PACKAGE_LINE.search(module.text)
    assert match is not None  # parse_metadata found the package line already
    return Policy(
        id=check_id,
        title=metadata["title"].strip(),
        description=" ".join(metadata["description"].split()),
        severity=severity,
        kinds=expand_kinds(declared),
        remediation=" ".join(str(custom["remediation"]).split()),
        package=match.group(1),
        file=file,
        references={str(k): v if isinstance(v, list) else [v] for k, v in references.items()},
        declared_kinds=tuple(declared),
        bundled=bundled,
        requires_data=tuple(requires_data),
        cross_resource=cross_resource,
        reads=tuple(reads),
        has_applies=APPLIES_RULE.search(module.text) is not None,
        population=" ".join(population.split()) if population else None,
        reads_if_served=tuple(if_served),
    )


def iter_rego_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.rego") if p.is_file())


def load_policies(extra_dirs: Sequence[str | Path] = (), include_bundled: bool = True) -> PolicySet:
    """Load the bundled checks and any user folders; fail on the first unusable module."""
    folders: list[tuple[Path, bool]] = []
    if include_bundled:
        folders.append((BUNDLED_POLICY_DIR, True))
    for d in extra_dirs:
        path = Path(d)
        if not path.is_dir():
            raise PolicyError(str(d), None, "policy folder does not exist")
        folders.append((path, False))

    policies: list[Policy] = []
    modules: list[Module] = []
    tests: list[Module] = []
    seen_ids: dict[str, str] = {}
    seen_packages: dict[str, str] = {}
    for folder, bundled in folders:
        files = iter_rego_files(folder)
        if not files and not bundled:
            raise PolicyError(str(folder), None, "policy folder holds no .rego files")
        for path, name in zip(files, display_paths(folder, files)):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PolicyError(name, None, f"cannot read: {exc}") from None
            metadata, meta_line = parse_metadata(text, name)
            allowed, problem = allowed_builtins(metadata.get("custom") if metadata else None)
            if problem:
                raise PolicyError(name, meta_line, problem)
            module = Module(name, text, bundled, allowed)
            if path.name.endswith("_test.rego"):
                tests.append(module)
                continue
            package = PACKAGE_LINE.search(text)
            if package is None:
                raise PolicyError(name, 1, "no 'package' declaration")
            pkg = package.group(1)
            if pkg in seen_packages:
                raise PolicyError(name, text[: package.start()].count("\n") + 1, f"package {pkg} is also declared in {seen_packages[pkg]}")
            seen_packages[pkg] = name
            if metadata is not None and isinstance(metadata.get("custom"), dict) and "id" in metadata["custom"]:
                policy = policy_from_module(module, metadata, meta_line or 1, bundled)
                if not DENY_RULE.search(text):
                    # It could never report anything, so every control it backs would pass.
                    raise PolicyError(name, meta_line, f"check {policy.id!r} defines no 'deny' rule; write violations as 'deny contains result if {{ ... }}'")
                if policy.id in seen_ids:
                    raise PolicyError(name, meta_line, f"check id {policy.id!r} is already used by {seen_ids[policy.id]}")
                seen_ids[policy.id] = name
                policies.append(policy)
            elif DENY_RULE.search(text):
                line = text[: DENY_RULE.search(text).start()].count("\n") + 1
                raise PolicyError(name, line, "defines 'deny' but has no package-scope METADATA with custom.id; see docs/policies.md")
            modules.append(module)
    return PolicySet(policies, modules, tests)

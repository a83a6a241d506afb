"""User data for checks: ``--data FILE`` becomes ``data.kubecomply.config``.

Some checks need facts only the user knows, such as which image registries
are allowed.  They read them from ``data.kubecomply.config`` and declare the
keys they cannot run without in METADATA (``custom.requires_data``), so a
scan without that data reports the check as not run instead of passing it.
Custom checks may read any other key the user puts in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from .model import Policy
from .policies import SAFE_LOADER

# Keys whose shape we know, checked here so a typo fails with the file name
# instead of a check quietly seeing nothing.
KNOWN_LIST_KEYS = ("allowed_registries", "data_namespaces")
# Keys that must be a whole number of at least 1 (a bool is not one).
KNOWN_COUNT_KEYS = ("audit_log_min_days",)


class ConfigDataError(Exception):
    """A --data file that cannot be used; ``str()`` is one line naming the file."""


def load_config_data(paths: Sequence[str]) -> dict[str, Any]:
    """Merge the files in order (later files win per top-level key)."""
    merged: dict[str, Any] = {}
    for path in paths:
        merged.update(_load_one(Path(path)))
    return merged


def _load_one(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigDataError(f"{path}: cannot read --data file: {exc}") from None
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigDataError(f"{where}: --data file is not valid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigDataError(f"{path}: --data file must be a mapping such as 'allowed_registries: [registry.example.com]'")
    for key in KNOWN_LIST_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigDataError(f"{path}: '{key}' must be a list of non-empty strings")
    for key in KNOWN_COUNT_KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigDataError(f"{path}: '{key}' must be a whole number of at least 1, such as 365")
    return data


def missing_data(policies: Iterable[Policy], config: dict[str, Any]) -> dict[str, str]:
    """check id -> why it cannot run, for checks whose required data was not given."""
    out = {}
    for policy in policies:
        absent = [key for key in policy.requires_data if key not in config]
        if absent:
            keys = ", ".join(absent)
            out[policy.id] = f"needs {keys} in a --data file; none given, so it was not run (no restriction applied)"
    return out

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

from .engine_input import value_at, describe, field_text, non_finite_path
from .model import Policy
from .sources import yaml_loader

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
    data = _parse(text, path)
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigDataError(f"{path}: --data file must be a mapping such as 'allowed_registries: [registry.example.com]'")
    bad = non_finite_path(data)
    if bad is not None:
        # The engine would refuse the whole data document at evaluation time.
        raise ConfigDataError(f"{path}: {field_text(bad)} is {describe(value_at(data, bad))}, which the policy engine cannot take (JSON has no such number)")
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


def _parse(text: str, path: Path) -> Any:
    """JSON as JSON (so ``NaN`` is the number it means, and refused), anything else as YAML read like manifests.

    The manifest reader's rules apply (docs/policies.md): dates stay the text
    written, ``!!binary`` is its base64 text, and alias bombs and deep nesting
    are refused, exactly as OPA hands a YAML data file over as JSON.
    """
    if yaml_loader.looks_like_json(text):
        docs, error, _resume = yaml_loader.parse_json(text)
        if error is None and len(docs) > 1:
            error = yaml_loader.DocumentError(f"more than one JSON document (the second at line {docs[1][1]})", docs[1][1])
        if error is not None:
            where = f"{path}:{error.line}" if error.line else str(path)
            raise ConfigDataError(f"{where}: --data file is not valid JSON: {error.reason}")
        return docs[0][2] if docs else None
    try:
        return yaml_loader.load_user_yaml(text)
    except yaml_loader.DocumentError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        what = "is not valid YAML" if exc.syntax else "cannot be read"
        raise ConfigDataError(f"{where}: --data file {what}: {exc.reason}") from None


def missing_data(policies: Iterable[Policy], config: dict[str, Any]) -> dict[str, str]:
    """check id -> why it cannot run, for checks whose required data was not given."""
    out = {}
    for policy in policies:
        absent = [key for key in policy.requires_data if key not in config]
        if absent:
            keys = ", ".join(absent)
            out[policy.id] = f"needs {keys} in a --data file; none given, so it was not run (no restriction applied)"
    return out

"""Is a loaded JSON document a result this version can render?  Checked before any renderer sees it.

``kubecomply report`` renders a saved result again, and the file may be from
another tool, another major version of this one, or edited by hand.  A
renderer that meets ``"summary": null`` or a string score dies with a
traceback halfway through its output, or worse, renders a report that looks
fine and says something else.  So the document's shape is checked up front,
against docs/result-schema.md, and the first problem is one line naming the
field (``findings[3].severity``).  Unknown extra keys are allowed (minor
versions add keys); a different major ``schema_version`` is refused.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from .model import SCHEMA_VERSION, SEVERITIES


class ResultError(ValueError):
    """A document that is not a result this version can render; ``str()`` is one line naming the field."""


Check = Callable[[Any, str], None]
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


def _type_name(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return "null" if value is None else {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(value), type(value).__name__)


def _fail(where: str, wanted: str, value: Any) -> None:
    raise ResultError(f"{where} must be {wanted}, not {_type_name(value)}")


def text(value: Any, where: str) -> None:
    if not isinstance(value, str):
        _fail(where, "a string", value)


def integer(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, "an integer", value)


def number(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(where, "a finite number", value)


def boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        _fail(where, "true or false", value)


def anything(value: Any, where: str) -> None:
    """Any JSON value (free-form fields renderers only print)."""


def obj(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        _fail(where, "an object", value)


def nullable(check: Check) -> Check:
    def run(value: Any, where: str) -> None:
        if value is not None:
            check(value, where)

    return run


def array(item: Check) -> Check:
    def run(value: Any, where: str) -> None:
        if not isinstance(value, list):
            _fail(where, "an array", value)
        for index, element in enumerate(value):
            item(element, f"{where}[{index}]")

    return run


def mapping(item: Check) -> Check:
    def run(value: Any, where: str) -> None:
        obj(value, where)
        for key, element in value.items():
            item(element, f"{where}.{key}")

    return run


def record(required: dict[str, Check], optional: dict[str, Check] | None = None) -> Check:
    """An object with these keys; optional ones may be missing (or null where their check allows)."""
    optional = optional or {}

    def run(value: Any, where: str) -> None:
        obj(value, where)
        for key, check in required.items():
            if key not in value:
                raise ResultError(f"{where}.{key} is missing")
            check(value[key], f"{where}.{key}")
        for key, check in optional.items():
            if key in value:
                check(value[key], f"{where}.{key}")

    return run


def one_of(*allowed: str) -> Check:
    def run(value: Any, where: str) -> None:
        text(value, where)
        if value not in allowed:
            raise ResultError(f"{where} is {value!r}, not one of {', '.join(allowed)}")

    return run


_opt_text = nullable(text)
_opt_int = nullable(integer)

ORIGIN = record({"type": text}, {"path": _opt_text, "document": _opt_int, "line": _opt_int, "item": _opt_int, "context": _opt_text,
                                  "server": _opt_text, "collected_at": _opt_text, "rendered_from": _opt_text})
RESOURCE = record({"kind": text}, {"apiVersion": text, "namespace": _opt_text, "name": text, "uid": _opt_text})
FINDING = record(
    {"policy": text, "severity": one_of(*SEVERITIES), "resource": RESOURCE, "origin": ORIGIN},
    {"title": text, "message": text, "path": _opt_text, "status": text, "controls": mapping(array(text)),
     "waiver": _opt_text, "remediation": _opt_text},
)
GAP = record({"type": text, "reason": text}, {"path": _opt_text, "line": _opt_int, "document": _opt_int, "check": _opt_text,
                                               "cluster": _opt_text, "apiVersion": _opt_text, "kind": _opt_text})
CONTROL = record(
    {"id": text, "status": text},
    {"title": text, "automation": text, "checks": array(text), "reason": _opt_text, "manual_evidence": _opt_text,
     "findings": array(integer), "resources_evaluated": integer, "resources_failed": integer, "title_en": _opt_text},
)
FRAMEWORK = record({"id": text}, {"title": text, "version": text, "controls": array(CONTROL), "score": nullable(number),
                                  "coverage": number, "counts": mapping(integer)})
WAIVER = record({"id": text, "check": text}, {"justification": text, "source": text, "approved_by": _opt_text, "expires": _opt_text,
                                              "ticket": _opt_text, "match": nullable(obj), "status": text, "findings": integer})
CHECK = record({"id": text}, {"title": text, "severity": one_of(*SEVERITIES), "description": text, "remediation": text, "references": obj,
                              "kinds": array(text), "applies_to": array(text), "package": _opt_text, "bundled": boolean,
                              "resources_evaluated": integer, "error": _opt_text, "not_run": _opt_text, "scope": _opt_text})
SCANNED = record({"kind": text, "origin": ORIGIN}, {"apiVersion": text, "namespace": _opt_text, "name": text, "uid": _opt_text})
SCAN = record({}, {"tool": text, "version": nullable(text), "engine": nullable(text), "started": nullable(text), "finished": nullable(text),
                   "source": text, "targets": array(obj), "checks": array(text), "frameworks": array(text), "changed_since": nullable(obj)})
SUMMARY = record({}, {"resources": integer, "findings": integer, "gaps": integer, "resources_by_kind": mapping(integer),
                      "findings_by_status": mapping(integer), "open_findings_by_severity": mapping(integer),
                      "documents_skipped": mapping(integer), "checks_not_run": mapping(text), "cross_resource_checks": integer})
RESULT = record(
    {"schema_version": text, "scan": SCAN, "summary": SUMMARY},
    {"findings": array(FINDING), "gaps": array(GAP), "frameworks": array(FRAMEWORK), "waivers": array(WAIVER), "checks": array(CHECK),
     "resources": array(SCANNED), "baseline": nullable(obj), "gates": array(obj), "fleet": nullable(obj)},
)


def validate_result(data: Any) -> None:
    """Raise ResultError (one line naming the field) unless ``data`` is a result this version renders."""
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ResultError("not a kubecomply JSON result (no schema_version)")
    version = data["schema_version"]
    match = _VERSION.match(version) if isinstance(version, str) else None
    if match is None:
        raise ResultError(f"schema_version {version!r} is not a version such as {SCHEMA_VERSION!r}")
    supported = SCHEMA_VERSION.split(".", 1)[0]
    if match.group(1) != supported:
        raise ResultError(f"schema_version {version} is not supported: this kubecomply reads {supported}.x results")
    RESULT(data, "result")
    findings = len(data.get("findings") or [])
    for f_index, framework in enumerate(data.get("frameworks") or []):
        for c_index, control in enumerate(framework.get("controls") or []):
            for i_index, finding in enumerate(control.get("findings") or []):
                if not 0 <= finding < findings:
                    raise ResultError(f"result.frameworks[{f_index}].controls[{c_index}].findings[{i_index}] is {finding}, but there are {findings} findings")

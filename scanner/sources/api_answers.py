"""Check the shape of what an API server answered before anything trusts it.

A proxy in front of the API server, an aggregated API with a bug, or a hostile
server can answer 200 with JSON of any shape: a list instead of an object,
``items`` as an object or a list of strings, a ``uid`` that is an object.  Read
without checking, each of those was a Python traceback (``AttributeError``,
``TypeError: unhashable type``) that ended the whole scan.  Here each becomes a
``ListError`` with a one-line reason, so the kind (or the group's discovery)
is a gap and every other kind is still scanned.
"""

from __future__ import annotations

from typing import Any

from scanner.sources.kube_api import ListError

# metadata fields that identify an object; anything but a string there is malformed
_IDENTITY_FIELDS = ("name", "namespace", "uid")


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), type(value).__name__)


def expect_object(body: Any, what: str) -> dict[str, Any]:
    """``body`` if it is a JSON object; else ListError naming what it was."""
    if not isinstance(body, dict):
        raise ListError(f"malformed answer: {what} is {_type_name(body)}, not an object")
    return body


def list_items(body: Any, kind: str) -> list[dict[str, Any]]:
    """The ``items`` of a list answer, each checked: an object whose metadata identifies it."""
    body = expect_object(body, f"the list of {kind}")
    items = body.get("items")
    if items is None:
        return []
    if not isinstance(items, list):
        raise ListError(f"malformed answer: items of the list of {kind} is {_type_name(items)}, not a list")
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise ListError(f"malformed answer: item {position} of the list of {kind} is {_type_name(item)}, not an object")
        meta = item.get("metadata")
        if not isinstance(meta, dict):
            raise ListError(f"malformed answer: item {position} of the list of {kind} has metadata that is {_type_name(meta)}, not an object")
        for name in _IDENTITY_FIELDS:
            value = meta.get(name)
            if value is not None and not isinstance(value, str):
                raise ListError(f"malformed answer: item {position} of the list of {kind} has metadata.{name} that is {_type_name(value)}, not a string")
        if not meta.get("name"):
            raise ListError(f"malformed answer: item {position} of the list of {kind} has no metadata.name")
    return items


def continue_token(body: dict[str, Any], kind: str) -> str:
    """``metadata.continue`` of a list answer ('' on the last page)."""
    meta = body.get("metadata")
    if meta is None:
        return ""
    if not isinstance(meta, dict):
        raise ListError(f"malformed answer: metadata of the list of {kind} is {_type_name(meta)}, not an object")
    token = meta.get("continue") or ""
    if not isinstance(token, str):
        raise ListError(f"malformed answer: the continue token of the list of {kind} is {_type_name(token)}, not a string")
    return token


def preferred_group_versions(core: Any, apis: Any) -> tuple[list[str], list[str]]:
    """Discovery paths (the core group's first version, then each group's preferred one), and problems.

    A malformed group entry is a problem, not an error: the other groups are still
    read, and because discovery is then incomplete every needed kind not found is a gap.
    """
    core = expect_object(core, "the answer to /api")
    versions = core.get("versions") or ["v1"]
    if not isinstance(versions, list) or not all(isinstance(v, str) and v for v in versions):
        raise ListError("malformed answer: versions in /api is not a list of strings")
    paths = [f"/api/{versions[0]}"]
    groups = expect_object(apis, "the answer to /apis").get("groups") or []
    if not isinstance(groups, list):
        raise ListError(f"malformed answer: groups in /apis is {_type_name(groups)}, not a list")
    problems = []
    for position, group in enumerate(groups):
        preferred: Any = None
        if isinstance(group, dict):
            preferred = group.get("preferredVersion")
            if not isinstance(preferred, dict):
                listed = group.get("versions")
                preferred = listed[0] if isinstance(listed, list) and listed else None
        version = preferred.get("groupVersion") if isinstance(preferred, dict) else None
        if isinstance(version, str) and version:
            paths.append(f"/apis/{version}")
        else:
            problems.append(f"apis: malformed answer: group {position} has no usable preferred version")
    return paths, problems


def api_resources(body: Any, path: str) -> tuple[str, list[dict[str, Any]]]:
    """(groupVersion, the listable top-level resources) of one discovery document."""
    body = expect_object(body, f"the discovery document {path}")
    group_version = body.get("groupVersion") or path.split("/", 2)[2]
    if not isinstance(group_version, str):
        raise ListError(f"malformed answer: groupVersion of {path} is {_type_name(group_version)}, not a string")
    resources = body.get("resources") or []
    if not isinstance(resources, list):
        raise ListError(f"malformed answer: resources of {path} is {_type_name(resources)}, not a list")
    out = []
    for position, res in enumerate(resources):
        name, kind, verbs = (res.get("name"), res.get("kind"), res.get("verbs")) if isinstance(res, dict) else (None, None, None)
        if not (isinstance(name, str) and name and isinstance(kind, str) and kind and isinstance(verbs, list)):
            # Skipping it could make a served kind look "not served": fail the whole document instead.
            raise ListError(f"malformed answer: resource {position} of {path} lacks a name, kind or verbs list")
        if "/" in name or "list" not in verbs:
            continue  # subresources, and resources that cannot be listed
        out.append(res)
    return group_version, out

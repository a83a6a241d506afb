"""Evaluate checks through an Open Policy Agent server's REST API (``--engine opa``).

What a scan does on the server, in this order (see docs/engines.md):

1. ``GET /health`` and one cheap ``GET /v1/data/<scan prefix>?provenance=true`` for OPA's version;
2. ``PUT /v1/policies/kubecomply/<scan-id>/<module path>`` for every check and library module,
   unchanged, then the generated wrapper modules under ``kubecomply/<scan-id>/wrapper/``.
   The wrapper lives in a scan-unique package, ``kubecomply_scan.<scan-id>``;
3. ``PUT /v1/data/kubecomply/<scan-id>`` with ``{"inventory": ...}`` when a module may read
   ``data.inventory``; the wrapper evaluates every check ``with data.inventory as
   data.kubecomply.<scan-id>.inventory``, so checks read ``data.inventory`` as written while
   concurrent scans, and whatever else lives at ``data.inventory`` on a shared server, never
   mix;
4. one ``POST /v1/data/kubecomply_scan/<scan-id>/fast`` per batch, a batch being as many
   resources as fit in ``batch_bytes`` of request body; on an evaluation error the batch
   falls back to the per-check rules, and a check that still errors is bisected down to the
   resources it fails on (the same isolation as the embedded engine);
5. ``DELETE`` of everything it pushed, in ``close()``, which the scan calls in a ``finally``
   (errors and Ctrl-C included).  Ids are recorded *before* each PUT is sent, so a PUT that
   was interrupted in flight is deleted too (a 404 then is fine).

Queries use ``strict-builtin-errors=true``: OPA otherwise turns a builtin error into
undefined, which would make a check that could not run look like a pass.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Sequence
from urllib.parse import quote, urlsplit

import requests
from opa_client import OpaClient
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..policies import PolicyError, PolicySet
from ..textsafe import safe_text
from . import EngineError, Evaluation
from .inventory_kinds import inventory_kinds, trim_inventory
from .wrapper import Wrapper, build_wrapper, group_by_kind, parse_result, resource_label

DEFAULT_BATCH_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
POLICY_PREFIX = "kubecomply"
WRAPPER_ROOT = "kubecomply_scan"
QUERY_PARAMS = "strict-builtin-errors=true"
_REQUEST_ERRORS = (requests.exceptions.RequestException,)


class OpaRequestError(Exception):
    """OPA answered with an error status; keeps the status and OPA's error body."""

    def __init__(self, status: int, body: dict[str, Any], what: str):
        self.status = status
        self.body = body
        self.what = what
        super().__init__(f"{what}: HTTP {status}: {body.get('message', '')}")


@dataclass(frozen=True)
class OpaLocation:
    file: str | None
    row: int | None
    message: str


def read_token_file(path: str) -> str:
    """The bearer token, from a file only (a command-line literal would leak into ps and shell history)."""
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.read().strip()
    except OSError as exc:
        raise EngineError(f"cannot read OPA token file {path}: {exc.strerror or exc}") from None
    if not token or any(c in token for c in "\r\n"):
        raise EngineError(f"OPA token file {path} must hold one non-empty line")
    return token


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class OpaServerEngine:
    """The Engine protocol over OPA's REST API.

    ``opa_client.OpaClient`` holds the connection settings (host, port, TLS verification
    with a custom CA, bearer token header) and the ``requests`` session they configure.
    Requests go through that session directly, because the client's methods do not fit:
    ``check_health`` returns a bare bool (we must say *why* OPA is unreachable: refused,
    TLS, 401), the delete and upload methods drop OPA's error details, and
    ``update_policy_from_string`` would, on a rejected module, try to "upgrade" it from
    Rego v0 and upload a rewritten module; ``query_rule`` re-serialises the input (we
    send pre-serialised batches whose byte size we control) and drops OPA's error body
    (we need its file and line); and none of them can pass ``strict-builtin-errors``.
    The session's retry policy is replaced: connection errors and dropped connections are
    retried a bounded number of times for every method (all our requests are idempotent),
    while OPA's 500 answers, which are evaluation errors, are never retried.
    """

    name = "opa"

    def __init__(
        self,
        url: str | None = None,
        token_file: str | None = None,
        ca_file: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        batch_bytes: int = DEFAULT_BATCH_BYTES,
        retries: int = DEFAULT_RETRIES,
        scan_id: str | None = None,
        workers: int | None = None,  # accepted for the common engine options; OPA parallelises itself
        local_factory: Callable[[], Any] | None = None,
        config: dict[str, Any] | None = None,
    ):
        self.config = config or {}  # --data, seen by checks as data.kubecomply.config
        self.timeout = timeout
        self.batch_bytes = max(1024, int(batch_bytes))
        self.retries = retries
        self.scan_id = scan_id or "s" + uuid.uuid4().hex[:16]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.scan_id):
            raise EngineError(f"invalid scan id {self.scan_id!r}")
        self.version: str | None = None
        self._narrowed: list[str] = []  # checks with an applies rule
        self.requests_sent = 0
        self.cleanup_errors: list[str] = []
        token = read_token_file(token_file) if token_file else None
        self._local = None
        if url is None:
            from .opa_local import start_local_opa

            self._local = (local_factory or start_local_opa)()
            url = self._local.url
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self._stop_local()
            raise EngineError(f"--opa-url must be an http:// or https:// URL, got {url!r}")
        if ca_file and parts.scheme != "https":
            self._stop_local()
            raise EngineError("--opa-ca-file needs an https:// --opa-url")
        self.client = OpaClient(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 80),
            ssl=(ca_file or True) if parts.scheme == "https" else False,
            token=token,
            timeout=timeout,
            retries=retries,
        )
        # Passed on every request: requests lets REQUESTS_CA_BUNDLE override a session's verify.
        self._verify: bool | str = (ca_file or True) if parts.scheme == "https" else True
        # Keep any path prefix (an OPA behind a reverse proxy at /opa/...).
        self.client.root_url = f"{self.url}/v1"
        adapter = HTTPAdapter(
            max_retries=Retry(
                total=retries,
                connect=retries,
                read=retries,
                status=retries,
                status_forcelist=(502, 503, 504),
                allowed_methods=None,  # every method: PUT, DELETE and our POST queries are idempotent
                backoff_factor=0.1,
                raise_on_status=False,
            )
        )
        self.session: requests.Session = self.client._session
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.package = f"{WRAPPER_ROOT}.{self.scan_id}"
        self.data_path = f"{POLICY_PREFIX}/{self.scan_id}"
        self._pushed_policies: list[str] = []  # in push order; deleted in reverse
        self._pushed_data = False
        self._module_files: dict[str, str] = {}  # policy id -> module path, for error locations
        self._wrapper: Wrapper | None = None
        self._reads_inventory = False
        self._inventory_kinds: set[str] | None = None  # None: hand over every kind

    # -- HTTP -----------------------------------------------------------------

    def _request(self, method: str, path: str, what: str, body: bytes | None = None, content_type: str | None = None, ok: Sequence[int] = (200, 204)) -> dict[str, Any]:
        url = f"{self.url}{path}"
        headers = {"Content-Type": content_type} if content_type else None
        self.requests_sent += 1
        try:
            response = self.session.request(method, url, data=body, headers=headers, timeout=self.timeout, verify=self._verify)
        except requests.exceptions.SSLError as exc:
            raise EngineError(f"TLS error talking to OPA at {self.url} ({what}): {one_line(_root_cause(exc))}") from None
        except requests.exceptions.Timeout:
            raise EngineError(f"OPA at {self.url} did not answer within {self.timeout:g}s ({what}); raise --opa-timeout or lower --opa-batch-bytes") from None
        except _REQUEST_ERRORS as exc:
            raise EngineError(f"OPA at {self.url} is unreachable ({what}) after {self.retries} retries: {one_line(_root_cause(exc))}") from None
        try:
            payload = response.json() if response.content else {}
        except ValueError:
            payload = {"message": one_line(response.text, 200)}
        if not isinstance(payload, dict):
            payload = {"message": one_line(str(payload), 200)}
        if response.status_code == 401:
            raise EngineError(f"OPA at {self.url} rejected the request as unauthorized ({what}); pass a valid bearer token with --opa-token-file")
        if response.status_code == 403:
            raise EngineError(f"OPA at {self.url} forbade the request ({what}): {one_line(payload.get('message', ''))}")
        if response.status_code not in ok:
            raise OpaRequestError(response.status_code, payload, what)
        return payload

    def _location(self, body: dict[str, Any]) -> OpaLocation:
        """File (our module path, not OPA's policy id), row and message of OPA's first detailed error."""
        errors = body.get("errors") or []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        location = first.get("location") or {}
        file = location.get("file")
        if file:
            file = self._module_files.get(file.lstrip("/"), file)
        message = first.get("message") or body.get("message") or "unknown error"
        code = first.get("code")
        if code and code not in message:
            message = f"{code}: {message}"
        row = location.get("row")
        return OpaLocation(file, row if isinstance(row, int) else None, one_line(message))

    # -- load -----------------------------------------------------------------

    def load(self, policy_set: PolicySet) -> None:
        health = self._health()
        if not health:
            raise EngineError(f"OPA at {self.url} is not healthy (GET /health did not return 200)")
        try:
            probe = self._request("GET", f"/v1/data/{self.data_path}?provenance=true", "version check")
        except OpaRequestError as exc:
            raise EngineError(f"OPA at {self.url} failed the version check: HTTP {exc.status}: {one_line(exc.body.get('message', ''))}") from None
        self.version = (probe.get("provenance") or {}).get("version")

        self._reads_inventory = any("inventory" in module.text for module in policy_set.modules)
        self._inventory_kinds = inventory_kinds(policy_set)
        modules: list[tuple[str, str, str]] = []  # (policy id, file shown to users, text)
        for module in sorted(policy_set.modules, key=lambda m: (not _is_library(m.path, m.text), m.path)):
            modules.append((self._policy_id(module.path), module.path, module.text))
        # Only the generated wrapper is changed: it points data.inventory at this scan's copy.
        data_with = f" with data.inventory as data.{POLICY_PREFIX}.{self.scan_id}.inventory" if self._reads_inventory else ""
        if self.config:  # likewise --data: the scan's own copy, never a shared data.kubecomply.config
            data_with += f" with data.kubecomply.config as data.{POLICY_PREFIX}.{self.scan_id}.config"
        wrapper = build_wrapper(policy_set.policies, package=self.package, data_with=data_with, scope_in_fast=True)
        self._narrowed = sorted(p.id for p in policy_set.policies if p.has_applies)
        for name, text in wrapper.all_modules:
            modules.append((self._policy_id(f"wrapper/{name}"), name, text))
        for policy_id, file, _text in modules:
            self._module_files[policy_id] = file
        self._push_modules(modules)
        self._wrapper = wrapper

    def _health(self) -> bool:
        self.requests_sent += 1
        try:
            response = self.session.get(f"{self.url}/health", timeout=self.timeout, verify=self._verify)
        except requests.exceptions.SSLError as exc:
            raise EngineError(f"TLS error talking to OPA at {self.url}: {one_line(_root_cause(exc))}") from None
        except _REQUEST_ERRORS as exc:
            raise EngineError(f"OPA at {self.url} is unreachable after {self.retries} retries: {one_line(_root_cause(exc))}") from None
        if response.status_code == 401:
            raise EngineError(f"OPA at {self.url} rejected the request as unauthorized (health check); pass a valid bearer token with --opa-token-file")
        return response.status_code == 200

    def _policy_id(self, module_path: str) -> str:
        clean = module_path.replace("\\", "/").lstrip("./").lstrip("/")
        return f"{POLICY_PREFIX}/{self.scan_id}/{clean}"

    def _push_modules(self, modules: list[tuple[str, str, str]]) -> None:
        """PUT each module; a module that needs one not pushed yet (OPA compiles on every PUT) is retried after the rest."""
        pending = modules
        while pending:
            deferred: list[tuple[tuple[str, str, str], OpaRequestError]] = []
            for policy_id, file, text in pending:
                if policy_id not in self._pushed_policies:
                    self._pushed_policies.append(policy_id)  # before sending: an interrupted PUT may have landed
                try:
                    self._request("PUT", f"/v1/policies/{quote(policy_id)}", f"uploading {file}", text.encode("utf-8"), "text/plain", ok=(200,))
                except OpaRequestError as exc:
                    if exc.status != 400 or _is_parse_error(exc.body):
                        self._reject(file, exc)
                    deferred.append(((policy_id, file, text), exc))
            if len(deferred) == len(pending):
                self._reject(deferred[0][0][1], deferred[0][1])
            pending = [module for module, _exc in deferred]

    def _reject(self, file: str, exc: OpaRequestError) -> None:
        if exc.status != 400:
            raise EngineError(f"OPA at {self.url} failed while {exc.what}: HTTP {exc.status}: {one_line(exc.body.get('message', ''))}")
        where = self._location(exc.body)
        hint = ""
        if "redeclared" in where.message or "multiple default rules" in where.message:
            hint = " (another scan or bundle on this OPA already loads this package; OPA packages are global, see docs/engines.md)"
        raise PolicyError(where.file or file, where.row, f"rejected by OPA: {where.message}{hint}")

    # -- evaluate -------------------------------------------------------------

    def evaluate(self, resources: Sequence[dict[str, Any]], inventory: dict[str, Any]) -> Evaluation:
        if self._wrapper is None:
            raise RuntimeError("load() must be called before evaluate()")
        document: dict[str, Any] = {}
        if self._reads_inventory:
            document["inventory"] = trim_inventory(inventory, self._inventory_kinds)
        if self.config:
            document["config"] = self.config
        if document:
            self._pushed_data = True
            body = json.dumps(document, separators=(",", ":")).encode("utf-8")
            what = " and ".join(f"data.{key}" for key in document)
            try:
                self._request("PUT", f"/v1/data/{self.data_path}", f"uploading {what}", body, "application/json", ok=(204,))
            except OpaRequestError as exc:
                raise EngineError(f"OPA at {self.url} refused {what} at /v1/data/{self.data_path}: HTTP {exc.status}: {one_line(exc.body.get('message', ''))}") from None
        result = Evaluation()
        for first, last, body in self.batches(resources):
            self._evaluate_batch(resources, first, last, body, result)
        return result

    def batches(self, resources: Sequence[dict[str, Any]]) -> list[tuple[int, int, bytes]]:
        """Contiguous slices whose query body stays under ``batch_bytes`` (a single larger resource goes alone)."""
        out: list[tuple[int, int, bytes]] = []
        start = 0
        size = 0
        overhead = 64
        for index, obj in enumerate(resources):
            item = len(json.dumps(obj, separators=(",", ":")).encode("utf-8")) + len(str(obj.get("kind", ""))) + 8
            if index > start and size + item + overhead > self.batch_bytes:
                out.append((start, index, self._body(resources[start:index])))
                start, size = index, 0
            size += item
        if start < len(resources):
            out.append((start, len(resources), self._body(resources[start:])))
        return out

    @staticmethod
    def _body(batch: Sequence[dict[str, Any]]) -> bytes:
        kinds, _index = group_by_kind(batch)
        return json.dumps({"input": {"kinds": kinds}}, separators=(",", ":")).encode("utf-8")

    def _query(self, rule_path: str, body: bytes, what: str) -> Any:
        """POST one query; returns the result (None if undefined); raises OpaRequestError on OPA's error answers."""
        path = rule_path.removeprefix("data.").replace(".", "/")
        payload = self._request("POST", f"/v1/data/{path}?{QUERY_PARAMS}", what, body, "application/json", ok=(200,))
        return payload.get("result")

    def _evaluate_batch(self, resources: Sequence[dict[str, Any]], first: int, last: int, body: bytes, result: Evaluation) -> None:
        assert self._wrapper is not None
        batch = resources[first:last]
        _kinds, index = group_by_kind(batch, first)
        try:
            found = self._query(f"{self.package}.fast", body, f"evaluating resources #{first + 1}-{last}") or {}
        except OpaRequestError as exc:
            self._require_eval_error(exc)
            self._evaluate_each(resources, first, last, body, index, result)
            self._evaluate_scope(body, index, result, f"evaluating populations of resources #{first + 1}-{last}")
            return
        for group in self._wrapper.groups:
            for kind, position, check_id, value in found.get(group.rsplit(".", 1)[1]) or ():
                result.violations.append(parse_result(check_id, index[kind][position], value))
        result.add_outside(found.get("outside"), index)

    def _evaluate_scope(self, body: bytes, index: dict[str, list[int]], result: Evaluation, what: str) -> None:
        """The population rule alone, after the batch's combined query failed; an error leaves its checks not run."""
        assert self._wrapper is not None
        if self._wrapper.scope is None:
            return
        try:
            result.add_outside(self._query(self._wrapper.scope, body, what), index)
        except OpaRequestError as exc:
            self._require_eval_error(exc)
            reason = f"its applies rule could not be evaluated: {one_line(exc.body.get('message', ''))}"
            for check_id in self._narrowed:
                previous = result.failed_checks.get(check_id)
                result.failed_checks[check_id] = f"{previous}; {reason}" if previous else reason

    def _require_eval_error(self, exc: OpaRequestError) -> None:
        """Only an evaluation error (500 with details) is a check's fault; anything else stops the scan."""
        if exc.status == 500 and exc.body.get("code") == "internal_error":
            return
        raise EngineError(f"OPA at {self.url} returned HTTP {exc.status} while {exc.what}: {one_line(exc.body.get('message', ''))}")

    def _evaluate_each(self, resources: Sequence[dict[str, Any]], first: int, last: int, body: bytes, index: dict[str, list[int]], result: Evaluation) -> None:
        """The fast path failed: all per-check rules in one query, else one query per check, then bisect."""
        assert self._wrapper is not None
        rules = self._wrapper.rules
        try:
            found = self._query(f"{self.package}.each", body, f"evaluating resources #{first + 1}-{last} per check") or {}
            for rule, check_id in rules.items():
                for kind, position, value in found.get(rule.rsplit(".", 1)[1]) or ():
                    result.violations.append(parse_result(check_id, index[kind][position], value))
            return
        except OpaRequestError as exc:
            self._require_eval_error(exc)
        errors: dict[str, list[str]] = {}
        for rule, check_id in rules.items():
            self._evaluate_rule(rule, check_id, resources, list(range(first, last)), result, errors, body)
        for check_id, messages in errors.items():
            more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
            previous = result.failed_checks.get(check_id)
            result.failed_checks[check_id] = (previous + "; " if previous else "") + messages[0] + more

    def _evaluate_rule(self, rule: str, check_id: str, resources: Sequence[dict[str, Any]], positions: list[int], result: Evaluation, errors: dict[str, list[str]], body: bytes | None = None) -> None:
        """One check on some resources; on an error, halve until single resources are pinned.

        Round trips grow with the number of failing resources times log(batch), never with
        the batch size itself, and every result that can be had is kept.
        """
        batch = [resources[p] for p in positions]
        if body is None:
            body = self._body(batch)
        kinds, index = group_by_kind(batch)
        try:
            values = self._query(rule, body, f"evaluating {check_id}") or ()
        except OpaRequestError as exc:
            self._require_eval_error(exc)
            if len(positions) == 1:
                where = self._location(exc.body)
                at = f" at {where.file}:{where.row}" if where.file and where.row else (f" at {where.file}" if where.file else "")
                obj = resources[positions[0]]
                errors.setdefault(check_id, []).append(f"resource #{positions[0] + 1} ({resource_label(obj)}): evaluation error{at}: {where.message}")
                return
            middle = len(positions) // 2
            self._evaluate_rule(rule, check_id, resources, positions[:middle], result, errors)
            self._evaluate_rule(rule, check_id, resources, positions[middle:], result, errors)
            return
        for kind, position, value in values:
            result.violations.append(parse_result(check_id, positions[index[kind][position]], value))

    # -- close ----------------------------------------------------------------

    def close(self) -> None:
        """Delete everything this scan pushed (reverse order, so nothing left depends on a deleted module)."""
        try:
            if self._pushed_data:
                try:
                    self._delete(f"/v1/data/{self.data_path}", "deleting data.inventory")
                    self._pushed_data = False
                except EngineError as exc:
                    self.cleanup_errors.append(str(exc))
            pending = list(reversed(self._pushed_policies))
            while pending:
                failed: list[tuple[str, str]] = []
                for policy_id in pending:
                    try:
                        self._delete(f"/v1/policies/{quote(policy_id)}", f"deleting policy {policy_id}")
                    except EngineError as exc:
                        failed.append((policy_id, str(exc)))
                if len(failed) == len(pending):
                    self.cleanup_errors.extend(message for _id, message in failed)
                    break
                pending = [policy_id for policy_id, _msg in failed]
            self._pushed_policies = [p for p in self._pushed_policies if p in pending] if self.cleanup_errors else []
            if self.cleanup_errors:
                sys.stderr.write(f"kubecomply: warning: could not remove everything this scan pushed to OPA: {safe_text(self.cleanup_errors[0])}\n")
        finally:
            self._wrapper = None
            self.client.close_connection()
            self._stop_local()

    def _delete(self, path: str, what: str) -> None:
        try:
            self._request("DELETE", path, what, ok=(200, 204, 404))
        except OpaRequestError as exc:
            raise EngineError(f"{what}: HTTP {exc.status}: {one_line(exc.body.get('message', ''))}") from None

    def _stop_local(self) -> None:
        if self._local is not None:
            self._local.stop()
            self._local = None


def _is_parse_error(body: dict[str, Any]) -> bool:
    return any(isinstance(e, dict) and e.get("code") == "rego_parse_error" for e in body.get("errors") or [])


def _is_library(path: str, text: str) -> bool:
    """Libraries first: OPA compiles on every PUT, so a check calling a library function needs it loaded."""
    return "/lib/" in f"/{path}" or bool(re.search(r"^package\s+\S*\blib\b", text, re.MULTILINE))


def _root_cause(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error chain (refused, reset, certificate ...)."""
    seen = exc
    while True:
        nxt = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if nxt is None or nxt is seen or not isinstance(nxt, BaseException):
            break
        seen = nxt
    text = str(seen) or type(seen).__name__
    match = re.search(r"\[Errno -?\d+\][^')]*|certificate verify failed[^')]*|Connection refused|Connection reset by peer|Remote end closed connection without response", text)
    return match.group(0) if match else text

"""A PROTOCOL FIXTURE for OPA's REST API, for the OPA engine's contract tests.

This is not OPA and must never be used to decide what a check's verdict is.  It implements
only the part of OPA's REST API (https://www.openpolicyagent.org/docs/latest/rest-api/)
that ``scanner.engine.opa_server`` uses, with the status codes and bodies OPA documents:

* ``GET /health`` -> 200 ``{}``;
* ``GET /v1/policies`` -> 200 ``{"result": [{"id", "raw"}]}`` (no ``ast``);
* ``PUT /v1/policies/{id}`` -> 200 ``{}``, or 400 ``{"code": "invalid_parameter", "message":
  "error(s) occurred while compiling module(s)", "errors": [{"code", "message", "location":
  {"file": id, "row", "col"}}]}``;
* ``DELETE /v1/policies/{id}`` -> 200 ``{}``, or 404 ``resource_not_found``;
* ``PUT /v1/data/{path}`` -> 204 (intermediate objects created, like ``mkdir -p``);
* ``DELETE /v1/data/{path}`` -> 204, or 404 ``resource_not_found``;
* ``GET /v1/data/{path}`` and ``POST /v1/data/{path}`` (body ``{"input": ...}``) -> 200
  ``{"result": ...}`` (``result`` left out when undefined; ``provenance`` when asked), or 500
  ``{"code": "internal_error", "message": "error(s) occurred while evaluating query",
  "errors": [...]}`` for an evaluation error;
* with a token configured, 401 ``{"code": "unauthorized", "message": "request rejected by
  administrative policy"}`` for requests without ``Authorization: Bearer <token>``.

To answer queries it does not compute anything itself: it hands the modules and data that
were PUT to it to the embedded regorus engine, so the tests exercise the real HTTP protocol
while the answers come from the same interpreter the default engine uses.  Where a test needs
a specific reply (an error body, a dropped connection), it queues a canned answer.

Every request is recorded (method, path, query, headers, body size and body).
"""

from __future__ import annotations

import json
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

import regorus

from scanner.engine.embedded import engine_error_text

FIXTURE_VERSION = "0.0.0-protocol-fixture"
DROP = object()  # a canned "answer" that closes the connection without a response


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body)


@dataclass
class OpaFixtureState:
    policies: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    token: str | None = None
    # (method, path prefix) -> answers to give before behaving normally: (status, body) or DROP
    canned: list[tuple[str, str, Any]] = field(default_factory=list)
    delay: float = 0.0


class OpaFixture:
    """Start with ``OpaFixture().start()``; ``.url``, ``.state``, ``.stop()``."""

    def __init__(self, token: str | None = None, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1", port: int = 0):
        self.state = OpaFixtureState(token=token)
        self.lock = threading.Lock()
        self._engine: regorus.Engine | None = None
        self._compiled: regorus.Engine | None = None  # the modules only, no data
        # regorus engines are bound to the thread that made them; the HTTP server uses a
        # thread per connection, so every regorus call runs on this one worker thread.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opa-fixture-regorus")
        fixture = self

        class Handler(_Handler):
            owner = fixture

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self) -> "OpaFixture":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.on_worker(self._drop_engines)
        self._worker.shutdown()

    def on_worker(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self._worker.submit(fn, *args).result()

    def _drop_engines(self) -> None:
        self._compiled = None
        self._engine = None

    def __enter__(self) -> "OpaFixture":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- helpers for tests ---------------------------------------------------

    def can(self, method: str, path_prefix: str, answer: Any, times: int = 1) -> None:
        """Queue a canned answer ((status, body) or DROP) for the next matching requests."""
        with self.lock:
            self.state.canned.extend([(method, path_prefix, answer)] * times)

    def requests(self, method: str | None = None, prefix: str = "") -> list[Recorded]:
        with self.lock:
            return [r for r in self.state.requests if (method is None or r.method == method) and r.path.startswith(prefix)]

    # -- the stand-in evaluator ------------------------------------------------

    def _compile(self, policies: dict[str, str]) -> regorus.Engine:
        engine = regorus.Engine()
        for policy_id, text in policies.items():
            engine.add_policy(policy_id, text)  # OPA uses the policy id as the module's file name
        return engine

    def evaluator(self) -> regorus.Engine:
        if self._engine is None:
            if self._compiled is None:
                self._compiled = self._compile(self.state.policies)
            engine = self._compiled.clone()
            engine.add_data_json(json.dumps(self.state.data))
            self._engine = engine
        return self._engine

    def invalidate(self) -> None:
        self._engine = None

    def _add_policy(self, policy_id: str, candidate: dict[str, str]) -> dict[str, Any] | None:
        """Compile with the new module; keep it if it compiles, else OPA-style error detail.

        Errors are turned into plain dicts here, on the worker thread, so no exception
        (whose traceback holds a regorus engine) ever reaches the HTTP threads.
        """
        try:
            if policy_id in self.state.policies or self._compiled is None:
                compiled = self._compile(candidate)
            else:  # a new module: add it to a copy of what is compiled already
                compiled = self._compiled.clone()
                compiled.add_policy(policy_id, candidate[policy_id])
        except Exception as exc:  # regorus: parse/compile error with a source excerpt
            text = str(exc).lower()
            code = "rego_parse_error" if ("parse" in text or "expect" in text or "unexpected" in text) else "rego_compile_error"
            return _detail(code, exc)
        self._compiled = compiled
        self._engine = None
        return None

    def query(self, ref: str, input_value: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(answer, None) or (None, error detail), computed on the worker thread."""
        try:
            engine = self.evaluator()
            engine.set_input_json(json.dumps(input_value if input_value is not None else {}))
            return json.loads(engine.eval_query_as_json(ref)), None
        except Exception as exc:  # an evaluation error in regorus
            return None, _detail("eval_builtin_error", exc)


def _error(code: str, message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return body


def _detail(code: str, exc: BaseException) -> dict[str, Any]:
    file, line, message = engine_error_text(exc)
    detail: dict[str, Any] = {"code": code, "message": message}
    if file:
        detail["location"] = {"file": file, "row": line or 0, "col": 1}
    return detail


class _Handler(BaseHTTPRequestHandler):
    owner: OpaFixture
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one response is headers + body in two writes; no 40 ms delayed-ACK stall

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: Any = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _handle(self, method: str) -> None:
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        with owner.lock:
            owner.state.requests.append(Recorded(method, path, parts.query, dict(self.headers.items()), body))
            canned = next((c for c in owner.state.canned if c[0] == method and path.startswith(c[1])), None)
            if canned is not None:
                owner.state.canned.remove(canned)
            token = owner.state.token
            delay = owner.state.delay
        if delay:
            import time

            time.sleep(delay)
        if canned is not None:
            if canned[2] is DROP:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            status, answer = canned[2]
            self._send(status, answer)
            return
        if token and self.headers.get("Authorization") != f"Bearer {token}":
            self._send(401, _error("unauthorized", "request rejected by administrative policy"))
            return
        status, answer = self._route(method, path, parts.query, body)
        self._send(status, answer)

    def _route(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        owner = self.owner
        if path == "/health" and method == "GET":
            return 200, {}
        if path.rstrip("/") == "/v1/policies" and method == "GET":
            with owner.lock:
                return 200, {"result": [{"id": i, "raw": t} for i, t in owner.state.policies.items()]}
        if path.startswith("/v1/policies/"):
            return self._policy(method, path[len("/v1/policies/") :], body)
        if path == "/v1/data" or path.startswith("/v1/data/"):
            segments = [s for s in path[len("/v1/data") :].split("/") if s]
            return self._data(method, segments, query, body)
        return 404, _error("resource_not_found", f"{path} not found")

    def _policy(self, method: str, policy_id: str, body: bytes) -> tuple[int, Any]:
        owner = self.owner
        with owner.lock:
            if method == "PUT":
                candidate = dict(owner.state.policies)
                candidate[policy_id] = body.decode("utf-8")
                detail = owner.on_worker(owner._add_policy, policy_id, candidate)
                if detail is not None:
                    return 400, _error("invalid_parameter", "error(s) occurred while compiling module(s)", [detail])
                owner.state.policies = candidate
                return 200, {}
            if method == "DELETE":
                if policy_id not in owner.state.policies:
                    return 404, _error("resource_not_found", f'storage_not_found_error: policy id "{policy_id}"')
                del owner.state.policies[policy_id]
                owner.on_worker(owner._drop_engines)
                return 200, {}
            if method == "GET":
                if policy_id not in owner.state.policies:
                    return 404, _error("resource_not_found", f'storage_not_found_error: policy id "{policy_id}"')
                return 200, {"result": {"id": policy_id, "raw": owner.state.policies[policy_id]}}
        return 405, _error("invalid_operation", "method not allowed")

    def _data(self, method: str, segments: list[str], query: str, body: bytes) -> tuple[int, Any]:
        owner = self.owner
        with owner.lock:
            if method == "PUT":
                try:
                    value = json.loads(body or b"null")
                except ValueError as exc:
                    return 400, _error("invalid_parameter", f"body contains malformed JSON: {exc}")
                if not segments:
                    if not isinstance(value, dict):
                        return 400, _error("invalid_parameter", "root must be object")
                    owner.state.data = value
                else:
                    node = owner.state.data
                    for segment in segments[:-1]:
                        node = node.setdefault(segment, {})
                        if not isinstance(node, dict):
                            return 404, _error("resource_conflict", "storage_write_conflict_error: " + "/".join(segments))
                    node[segments[-1]] = value
                owner.on_worker(owner.invalidate)
                return 204, None
            if method == "DELETE":
                node = owner.state.data
                for segment in segments[:-1]:
                    node = node.get(segment) if isinstance(node, dict) else None
                if not segments or not isinstance(node, dict) or segments[-1] not in node:
                    return 404, _error("resource_not_found", "storage_not_found_error: /" + "/".join(segments) + ": document does not exist")
                del node[segments[-1]]
                owner.on_worker(owner.invalidate)
                return 204, None
            if method in ("GET", "POST"):
                input_value = None
                if method == "POST" and body:
                    try:
                        request = json.loads(body)
                    except ValueError as exc:
                        return 400, _error("invalid_parameter", f"body contains malformed JSON: {exc}")
                    input_value = request.get("input") if isinstance(request, dict) else None
                ref = "data" + "".join(f"[{json.dumps(s)}]" for s in segments)
                answer, detail = owner.on_worker(owner.query, ref, input_value)
                if detail is not None:
                    return 500, _error("internal_error", "error(s) occurred while evaluating query", [detail])
                out: dict[str, Any] = {}
                rows = answer.get("result") or []
                if rows:
                    out["result"] = rows[0]["expressions"][0]["value"]
                if "provenance=true" in query:
                    out["provenance"] = {"version": FIXTURE_VERSION}
                return 200, out
        return 405, _error("invalid_operation", "method not allowed")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def serve_forever(addr: str) -> None:
    """``python -m tests.opa_fixture HOST:PORT`` — used by a fake ``opa`` binary in the tests."""
    host, port = addr.rsplit(":", 1)
    fixture = OpaFixture(host=host, port=int(port))
    fixture.server.serve_forever()


if __name__ == "__main__":
    import sys

    serve_forever(sys.argv[1])

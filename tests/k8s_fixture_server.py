"""A FIXTURE SERVER for the Kubernetes REST API, for the cluster source's tests and benchmark.

This is not a Kubernetes API server.  It holds a fixed list of objects in memory and
answers, over real HTTPS on 127.0.0.1, the read-only part of the API that
``scanner.sources.cluster`` uses, with the shapes and status codes the API documents
(https://kubernetes.io/docs/reference/using-api/api-concepts/):

* ``GET /version`` -> version.Info;
* discovery: ``/api`` (APIVersions), ``/api/v1`` and ``/apis/<group>/<version>``
  (APIResourceList with ``namespaced``, ``kind``, ``verbs`` and subresources such as
  ``pods/status``), ``/apis`` (APIGroupList with preferred versions);
* lists: ``/api/v1/pods`` (all namespaces), ``/api/v1/namespaces/<ns>/pods``, the same
  under ``/apis/<group>/<version>/``; ``limit`` and ``continue`` (opaque tokens, a
  ``metadata.resourceVersion`` per list and ``remainingItemCount``); items carry no
  ``apiVersion``/``kind``, as in real list responses;
* metadata-only lists when ``Accept`` asks for
  ``application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`` (items are
  ``meta.k8s.io/v1 PartialObjectMetadata`` with ``metadata`` only);
* ``fieldSelector`` ``type=...`` for secrets and ``metadata.name``/``metadata.namespace``
  for everything (anything else is a 400, as the API answers);
* errors as ``Status`` objects: 401 without ``Authorization: Bearer <token>``, 403 for
  resources made forbidden, 404 for paths that are not served, 410 ``Expired`` for a
  continue token made stale (carrying the inconsistent-continue token a real server
  adds), 429 with ``Retry-After``, 500, a delayed answer (for timeouts) and a
  connection dropped in the middle of a list body.

What a real kube-apiserver does differently is tested against one
(tests/real_cluster.py, tests/test_real_cluster*.py); this server stays for the faults
a real server will not produce on demand (429, 5xx, truncated bodies, slow answers,
a discovery group failing).  One difference to keep in mind when using the ``gone``
fault: since Kubernetes 1.34 the later pages of a watch-cached kind come from cache
snapshots and do not expire when etcd is compacted; real 410s now come from kinds
that are not watch-cached (Events) or from lists that outlive the snapshots.

Faults are set per resource (plural name, ``discovery:<groupVersion>`` for a group's
discovery document, or ``path:/version``, ``path:/api``, ``path:/apis``) in ``K8sFixture.faults`` and are consumed one request at a time, so a test can say "the second page of pods fails once with 429".
Every request is recorded (method, path, query, ``Accept``, whether a token was sent).

TLS material is made at test time with the ``openssl`` command line (``make_tls``); the
``cryptography`` package is not a dependency of this project or of the kubernetes client.
"""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

METADATA_ACCEPT = "as=PartialObjectMetadataList"
GIT_VERSION = "v1.30.2-fixture"


@dataclass(frozen=True)
class ApiResource:
    """One resource the fixture serves: where it lives in the API and what discovery says."""

    group: str  # "" for the core group
    version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = ("get", "list", "watch", "create", "update", "patch", "delete")

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def _r(group: str, version: str, plural: str, kind: str, namespaced: bool = True) -> ApiResource:
    return ApiResource(group, version, plural, kind, namespaced)


DEFAULT_RESOURCES: tuple[ApiResource, ...] = (
    _r("", "v1", "namespaces", "Namespace", False),
    _r("", "v1", "nodes", "Node", False),
    _r("", "v1", "pods", "Pod"),
    _r("", "v1", "podtemplates", "PodTemplate"),
    _r("", "v1", "replicationcontrollers", "ReplicationController"),
    _r("", "v1", "services", "Service"),
    _r("", "v1", "configmaps", "ConfigMap"),
    _r("", "v1", "secrets", "Secret"),
    _r("", "v1", "serviceaccounts", "ServiceAccount"),
    _r("", "v1", "resourcequotas", "ResourceQuota"),
    _r("", "v1", "limitranges", "LimitRange"),
    _r("apps", "v1", "deployments", "Deployment"),
    _r("apps", "v1", "statefulsets", "StatefulSet"),
    _r("apps", "v1", "daemonsets", "DaemonSet"),
    _r("apps", "v1", "replicasets", "ReplicaSet"),
    _r("batch", "v1", "jobs", "Job"),
    _r("batch", "v1", "cronjobs", "CronJob"),
    _r("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy"),
    _r("networking.k8s.io", "v1", "ingresses", "Ingress"),
    _r("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget"),
    _r("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler"),
    # Custom resources of Istio and Velero, as a cluster with both installed serves them.
    _r("security.istio.io", "v1", "peerauthentications", "PeerAuthentication"),
    _r("velero.io", "v1", "schedules", "Schedule"),
    _r("rbac.authorization.k8s.io", "v1", "roles", "Role"),
    _r("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
    _r("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
    _r("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
)
# Subresources appear in discovery as "<plural>/<sub>"; clients must not list them.
SUBRESOURCES = {"pods": ("status", "log", "exec"), "deployments": ("status", "scale"), "secrets": ()}


# ------------------------------------------------------------------------------ TLS

@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path | None = None
    client_key: Path | None = None


def make_tls(folder: Path, client: bool = False) -> TlsFiles:
    """A throwaway CA and a server certificate for 127.0.0.1 (and a client cert if asked), via openssl."""
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=kubecomply-fixture-ca",
        "-keyout", "ca.key", "-out", "ca.crt")
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.cnf", "-out", "server.crt")
    files = TlsFiles(folder / "ca.crt", folder / "server.crt", folder / "server.key")
    if client:
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kubecomply-client/O=kubecomply",
            "-keyout", "client.key", "-out", "client.csr")
        run("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-out", "client.crt")
        files = TlsFiles(files.ca_cert, files.server_cert, files.server_key, folder / "client.crt", folder / "client.key")
    return files


# -------------------------------------------------------------------------- faults

@dataclass
class Fault:
    """One canned misbehaviour for requests to one resource.

    ``status``: 403, 404, 429, 500...; ``drop``: send half the body and close;
    ``delay``: sleep this long before answering; ``gone``: a 410 for requests that carry
    a continue token.  ``times``: how many matching requests get it (None: all);
    ``after``: let this many matching requests through first.

    Hostile servers (issue 15): ``body``: answer 200 with this instead of the real list
    (any JSON value, or raw bytes), for malformed answers; ``message``: the error message
    of a ``status`` fault, where ``{authorization}`` is replaced by the request's
    Authorization header (a server echoing credentials); ``trickle``: send the answer
    in pieces of ``trickle_bytes`` bytes, one every ``trickle`` seconds (a server that
    keeps each read alive but never finishes).
    """

    status: int | None = None
    drop: bool = False
    delay: float = 0.0
    gone: bool = False
    retry_after: str = "1"
    times: int | None = 1
    after: int = 0
    body: Any = None
    message: str | None = None
    trickle: float = 0.0
    trickle_bytes: int = 1


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    accept: str
    authorized: bool
    status: int = 0


@dataclass
class FixtureState:
    objects: dict[tuple[str, str], list[dict[str, Any]]]  # (groupVersion, plural) -> sorted objects
    resources: tuple[ApiResource, ...]
    token: str | None
    faults: dict[str, list[Fault]] = field(default_factory=dict)  # plural -> faults
    requests: list[Recorded] = field(default_factory=list)
    resource_version: int = 1000
    page_bodies: int = 0


class K8sFixture:
    """``K8sFixture(objects, token=..., tls=make_tls(dir)).start()``; ``.url``, ``.stop()``."""

    def __init__(
        self,
        objects: list[dict[str, Any]],
        *,
        tls: TlsFiles,
        token: str | None = "fixture-token",
        resources: tuple[ApiResource, ...] = DEFAULT_RESOURCES,
        record: bool = True,
        client_ca: Path | None = None,
        cache: bool = False,
    ) -> None:
        by_kind = {(r.group_version, r.kind): r for r in resources}
        index: dict[tuple[str, str], list[dict[str, Any]]] = {(r.group_version, r.plural): [] for r in resources}
        for obj in objects:
            res = by_kind.get((obj.get("apiVersion"), obj.get("kind")))
            if res is None:
                raise ValueError(f"fixture serves no {obj.get('apiVersion')} {obj.get('kind')}")
            index[(res.group_version, res.plural)].append(obj)
        for items in index.values():
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        self.state = FixtureState(index, resources, token)
        self.lock = threading.Lock()
        self.tls = tls
        self.record = record
        self.client_ca = client_ca
        # Benchmarks only: keep each page's encoded body, so after a warm-up the server's own
        # JSON encoding is not what the clients under measurement are waiting for.
        self.cache = cache
        self.page_cache: dict[tuple, bytes] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> "K8sFixture":
        fixture = self

        class Handler(_Handler):
            pass

        Handler.fixture = fixture
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.tls.server_cert), str(self.tls.server_key))
        if self.client_ca is not None:
            context.load_verify_locations(str(self.client_ca))
            context.verify_mode = ssl.CERT_OPTIONAL
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "K8sFixture":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---------------------------------------------------------------- helpers

    def fault(self, plural: str, fault: Fault) -> None:
        with self.lock:
            self.state.faults.setdefault(plural, []).append(fault)

    def requests_for(self, plural: str) -> list[Recorded]:
        return [r for r in self.state.requests if r.path.rstrip("/").endswith("/" + plural)]

    def kubeconfig(self, path: Path, context: str = "fixture", token: str | None = None, extra: dict | None = None) -> Path:
        """A kubeconfig naming this server, its CA and the bearer token."""
        user: dict[str, Any] = {}
        tok = self.state.token if token is None else token
        if tok:
            user["token"] = tok
        if extra:
            user.update(extra)
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url, "certificate-authority": str(self.tls.ca_cert)}}],
            "users": [{"name": context, "user": user}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
        }
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path


def merge_kubeconfigs(path: Path, configs: list[Path], current: str) -> Path:
    """One kubeconfig holding the clusters, users and contexts of several."""
    merged: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": [], "current-context": current}
    for cfg in configs:
        data = yaml.safe_load(cfg.read_text())
        for key in ("clusters", "users", "contexts"):
            merged[key].extend(data[key])
    path.write_text(yaml.safe_dump(merged), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ HTTP

def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code}


REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 406: "NotAcceptable", 410: "Expired", 429: "TooManyRequests", 500: "InternalError"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as client libraries expect
    fixture: K8sFixture

    def log_message(self, *_args: Any) -> None:  # keep test output clean
        pass

    # ------------------------------------------------------------ plumbing

    def _send(self, code: int, body: Any, headers: dict[str, str] | None = None, drop: bool = False, trickle: tuple[float, int] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        # Headers and body in one write: two small writes meet the peer's delayed ACK (40 ms a request).
        self._headers_buffer.append(b"\r\n")
        if trickle:  # headers at once, then the body a few bytes at a time
            pause, size = trickle
            self.flush_headers()
            for start in range(0, len(data), size):
                time.sleep(pause)
                try:
                    self.wfile.write(data[start:start + size])
                    self.wfile.flush()
                except OSError:  # the client gave up
                    return
            return
        if drop:  # half the body, then the connection goes away
            self._headers_buffer.append(data[: len(data) // 2])
            self.flush_headers()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        self._headers_buffer.append(data)
        self.flush_headers()

    def _error(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(code, _status(code, REASONS.get(code, "Unknown"), message), headers)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        fx = self.fixture
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        auth = self.headers.get("Authorization", "")
        scheme, _, credentials = auth.partition(" ")
        # The auth scheme is case-insensitive (RFC 7235); the in-cluster loader sends "bearer".
        authorized = fx.state.token is None or (scheme.lower() == "bearer" and credentials == fx.state.token)
        if not authorized and fx.client_ca is not None:
            authorized = bool(self.connection.getpeercert())
        rec = Recorded("GET", parts.path, query, self.headers.get("Accept", ""), authorized)
        if fx.record:
            with fx.lock:
                fx.state.requests.append(rec)
        if not authorized:
            rec.status = 401
            self._error(401, "Unauthorized")
            return
        try:
            self._route(parts.path.rstrip("/") or "/", query, rec)
        except BrokenPipeError:
            pass

    # ------------------------------------------------------------ routes

    def _route(self, path: str, query: dict[str, list[str]], rec: Recorded) -> None:
        fx = self.fixture
        resources = fx.state.resources
        if path in ("/version", "/api", "/apis"):
            fault = self._take_fault(f"path:{path}", False)
            if fault is not None and fault.body is not None:
                rec.status = 200
                self._send(200, fault.body)
                return
        if path == "/version":
            rec.status = 200
            self._send(200, {"major": "1", "minor": "30", "gitVersion": GIT_VERSION, "platform": "linux/amd64"})
            return
        if path == "/api":
            rec.status = 200
            self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
            return
        if path == "/apis":
            groups: dict[str, list[str]] = {}
            for r in resources:
                if r.group and r.version not in groups.setdefault(r.group, []):
                    groups[r.group].append(r.version)
            body = {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                 "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]}} for g, vs in groups.items()]}
            rec.status = 200
            self._send(200, body)
            return
        segments = path.strip("/").split("/")
        if segments[0] == "api" and len(segments) >= 2:
            group, version, rest = "", segments[1], segments[2:]
        elif segments[0] == "apis" and len(segments) >= 3:
            group, version, rest = segments[1], segments[2], segments[3:]
        else:
            rec.status = 404
            self._error(404, "the server could not find the requested resource")
            return
        served = [r for r in resources if r.group == group and r.version == version]
        if not served:
            rec.status = 404
            self._error(404, "the server could not find the requested resource")
            return
        if not rest:
            fault = self._take_fault(f"discovery:{served[0].group_version}", False)
            if fault is not None and fault.body is not None:
                rec.status = 200
                self._send(200, fault.body)
                return
            if fault is not None and fault.status:
                rec.status = fault.status
                self._error(fault.status, "the server is currently unable to handle the request")
                return
            listing = []
            for r in served:
                listing.append({"name": r.plural, "singularName": r.kind.lower(), "namespaced": r.namespaced, "kind": r.kind, "verbs": list(r.verbs)})
                for sub in SUBRESOURCES.get(r.plural, ()):
                    listing.append({"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced, "kind": r.kind, "verbs": ["get"]})
            rec.status = 200
            self._send(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": served[0].group_version, "resources": listing})
            return
        namespace = None
        if len(rest) == 3 and rest[0] == "namespaces":
            namespace, plural = rest[1], rest[2]
        elif len(rest) == 1:
            plural = rest[0]
        else:
            rec.status = 404
            self._error(404, "the fixture serves lists only")
            return
        res = next((r for r in served if r.plural == plural), None)
        if res is None or (namespace is not None and not res.namespaced):
            rec.status = 404
            self._error(404, "the server could not find the requested resource")
            return
        self._list(res, namespace, query, rec)

    def _take_fault(self, plural: str, has_continue: bool) -> Fault | None:
        fx = self.fixture
        with fx.lock:
            for fault in fx.state.faults.get(plural, []):
                if fault.gone and not has_continue:
                    continue
                if fault.times is not None and fault.times <= 0:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _list(self, res: ApiResource, namespace: str | None, query: dict[str, list[str]], rec: Recorded) -> None:
        fx = self.fixture
        token = query.get("continue", [""])[0]
        fault = self._take_fault(res.plural, bool(token))
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status == 403:
                rec.status = 403
                scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
                default = f'{res.plural}{"." + res.group if res.group else ""} is forbidden: User "fixture" cannot list resource "{res.plural}" in API group "{res.group}"{scope}'
                self._error(403, (fault.message or default).replace("{authorization}", self.headers.get("Authorization", "")))
                return
            if fault.gone:
                # As kube-apiserver answers (seen on v1.36): the Status carries an "inconsistent
                # continue" token that resumes at the same position in a newer list. A client
                # that followed it would mix two points in time; kubecomply must relist instead.
                rec.status = 410
                body = _status(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without "
                               "the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with "
                               "the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the "
                               "first chunk was returned and now may show up in the list.")
                try:
                    start = int(json.loads(base64.urlsafe_b64decode(token.encode()))["start"])
                    body["metadata"] = {"continue": base64.urlsafe_b64encode(json.dumps({"rv": str(fx.state.resource_version + 1), "start": start}).encode()).decode()}
                except (ValueError, KeyError, TypeError):
                    pass
                self._send(410, body)
                return
            if fault.status == 429:
                rec.status = 429
                self._error(429, "Too many requests, please try again later.", {"Retry-After": fault.retry_after})
                return
            if fault.status is not None:
                rec.status = fault.status
                message = fault.message or f"fixture fault {fault.status}"
                self._error(fault.status, message.replace("{authorization}", self.headers.get("Authorization", "")))
                return
            if fault.body is not None:
                rec.status = 200
                self._send(200, fault.body)
                return
        metadata_only = METADATA_ACCEPT in self.headers.get("Accept", "")
        cache_key = (res.plural, namespace, tuple(sorted((k, tuple(v)) for k, v in query.items())), metadata_only)  # decoded: clients quote differently
        if fx.cache and fault is None and cache_key in fx.page_cache:
            rec.status = 200
            self._send(200, fx.page_cache[cache_key])
            return
        items = fx.state.objects[(res.group_version, res.plural)]
        if namespace is not None:
            items = [o for o in items if o["metadata"].get("namespace") == namespace]
        selector = query.get("fieldSelector", [""])[0]
        if selector:
            for term in selector.split(","):
                key, _, value = term.partition("=")
                value = value.lstrip("=")
                if key == "type" and res.plural == "secrets":
                    items = [o for o in items if o.get("type", "Opaque") == value]
                elif key == "metadata.name":
                    items = [o for o in items if o["metadata"]["name"] == value]
                elif key == "metadata.namespace":
                    items = [o for o in items if o["metadata"].get("namespace") == value]
                else:
                    rec.status = 400
                    self._error(400, f'"{key}" is not a known field selector: only "metadata.name", "metadata.namespace"')
                    return
        start = 0
        rv = str(fx.state.resource_version)
        if token:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
                start, rv = int(decoded["start"]), str(decoded["rv"])
            except (ValueError, KeyError, TypeError):
                rec.status = 400
                self._error(400, "continue key is not valid")
                return
        limit = int(query.get("limit", ["0"])[0] or 0)
        end = len(items) if limit <= 0 else min(len(items), start + limit)
        page = items[start:end]
        meta: dict[str, Any] = {"resourceVersion": rv}
        if end < len(items):
            meta["continue"] = base64.urlsafe_b64encode(json.dumps({"rv": rv, "start": end}).encode()).decode()
            meta["remainingItemCount"] = len(items) - end
        if metadata_only:
            out_items = [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]} for o in page]
            body = {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "items": out_items}
        else:
            out_items = [{k: v for k, v in o.items() if k not in ("apiVersion", "kind")} for o in page]
            body = {"kind": f"{res.kind}List", "apiVersion": res.group_version, "metadata": meta, "items": out_items}
        rec.status = 200
        if fx.cache and fault is None:
            data = json.dumps(body, separators=(",", ":")).encode()
            fx.page_cache[cache_key] = data
            self._send(200, data)
            return
        self._send(200, body, drop=bool(fault and fault.drop), trickle=(fault.trickle, fault.trickle_bytes) if fault and fault.trickle else None)


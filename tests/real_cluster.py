"""A REAL Kubernetes API server for tests and benchmarks: etcd + kube-apiserver on loopback.

Unlike ``k8s_fixture_server`` (which imitates the read-only API), this runs the real
binaries built by ``make tools`` (tests/tools/build.sh): one etcd and one or more
kube-apiservers, each on free loopback ports, in a temporary folder that is removed
when the cluster stops.  No controller-manager, scheduler or kubelet: objects are
stored and served exactly as a cluster would (API defaults, admission, RBAC, paging,
continue tokens, metadata-only lists, TokenRequest), but no Pod ever runs and no
controller acts on anything (no ReplicaSets from Deployments, no garbage collection,
no namespace deletion).

Several API servers can share the one etcd, each under its own ``--etcd-prefix``: two
independent "clusters" for fleet tests at the cost of one more process, not two.

Credentials: a throwaway CA (made with the ``openssl`` command line, as the fixture
server's are, so no Python crypto package is needed) signs the serving certificate and
an admin client certificate in ``system:masters``; service-account tokens come from
the TokenRequest API (``token_for``), signed with a key the API server is given.

    with RealCluster.start(folder) as cluster:
        cluster.kubeconfig(path)                # admin, client certificate
        cluster.rest().create(objects)          # POST through the kubernetes client
        cluster.token_for("ns", "sa")           # a bound service-account token
        cluster.compact()                       # compact etcd at its current revision
"""

from __future__ import annotations

import atexit
import base64
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.request import Request, urlopen

import yaml

STARTUP_TIMEOUT = 90.0  # seconds; a cold start on a loaded 2-core machine takes well under 20


class ClusterStartError(RuntimeError):
    """A process did not come up; the message carries the end of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------ PKI

@dataclass(frozen=True)
class Pki:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    admin_cert: Path
    admin_key: Path
    sa_key: Path  # signs service-account tokens
    sa_pub: Path  # verifies them


def make_pki(folder: Path) -> Pki:
    """CA, serving cert for 127.0.0.1, admin client cert (system:masters), SA signing key; ECDSA P-256 (fast to make)."""
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    def key(name: str) -> None:
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name)

    for name in ("ca.key", "server.key", "admin.key", "sa.key"):
        key(name)
    run("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub")
    run("req", "-x509", "-new", "-key", "ca.key", "-days", "2", "-subj", "/CN=kubecomply-test-ca", "-out", "ca.crt")
    (folder / "server.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    (folder / "client.cnf").write_text("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    for name, subject, ext in (("server", "/CN=127.0.0.1", "server.cnf"), ("admin", "/O=system:masters/CN=kubecomply-admin", "client.cnf")):
        run("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", f"{name}.crt")
    return Pki(folder / "ca.crt", folder / "server.crt", folder / "server.key", folder / "admin.crt", folder / "admin.key", folder / "sa.key", folder / "sa.pub")


# ------------------------------------------------------------------------ processes

@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; only this process (started in its own session)."""
        if self.popen.poll() is not None:
            return
        try:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=timeout)
        except ProcessLookupError:
            pass


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, be killed when the process that started us dies,
    even by SIGKILL (when no teardown or atexit runs). Elsewhere, atexit and stop() must do."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _spawn(name: str, argv: Sequence[str], folder: Path) -> Process:
    log = folder / f"{name}.log"
    with open(log, "wb") as fh:
        popen = subprocess.Popen(list(argv), stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                 preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    return Process(name, popen, log)


def _wait(what: str, process: Process, probe: Any, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not process.alive():
            raise ClusterStartError(f"{what} exited with {process.popen.returncode} while starting:\n{process.tail()}")
        try:
            if probe():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ClusterStartError(f"{what} not ready after {timeout:.0f}s:\n{process.tail()}")
        time.sleep(0.1)


# --------------------------------------------------------------------- API servers

@dataclass
class ApiServer:
    """One kube-apiserver: its URL, process and the etcd prefix its objects live under."""

    name: str
    url: str
    prefix: str
    process: Process
    pki: Pki

    def ssl_context(self) -> Any:
        import ssl

        ctx = ssl.create_default_context(cafile=str(self.pki.ca_cert))
        ctx.load_cert_chain(str(self.pki.admin_cert), str(self.pki.admin_key))
        return ctx

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        from urllib.error import HTTPError

        try:
            with urlopen(Request(self.url + path), context=self.ssl_context(), timeout=timeout) as resp:
                return resp.status, resp.read()
        except HTTPError as exc:
            return exc.code, exc.read()

    def ready(self) -> bool:
        return self.get("/readyz", timeout=2.0)[0] == 200

    def kubeconfig(self, path: Path, context: str | None = None, token: str | None = None) -> Path:
        """A kubeconfig for this server: the admin client certificate, or ``token`` (a bearer token) instead."""
        context = context or self.name
        user: dict[str, Any] = {"token": token} if token else {"client-certificate": str(self.pki.admin_cert), "client-key": str(self.pki.admin_key)}
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url, "certificate-authority": str(self.pki.ca_cert)}}],
            "users": [{"name": context, "user": user}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
        }
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    def rest(self, pool_size: int = 8) -> "Rest":
        return Rest(self, pool_size)

    def token_for(self, namespace: str, service_account: str, seconds: int = 3600) -> str:
        """A token for the service account from the TokenRequest API (the account must exist)."""
        status, body = self.rest().request("POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{service_account}/token",
                                           {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": seconds}})
        if status != 201:
            raise RuntimeError(f"TokenRequest for {namespace}/{service_account}: {status} {body}")
        return body["status"]["token"]

    def stop(self) -> None:
        self.process.stop()

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-request, as a crashed or partitioned one does."""
        if self.process.alive():
            self.process.popen.kill()
            self.process.popen.wait(timeout=10)


def kube_apiserver_args(binary: Path, etcd_url: str, port: int, prefix: str, pki: Pki) -> list[str]:
    """The flags of a control plane with no controller-manager: every one is explained."""
    return [
        str(binary),
        f"--etcd-servers={etcd_url}",
        f"--etcd-prefix={prefix}",  # several API servers on one etcd, each its own cluster
        "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={port}",
        f"--tls-cert-file={pki.server_cert}", f"--tls-private-key-file={pki.server_key}",
        f"--client-ca-file={pki.ca_cert}",  # the admin client certificate (O=system:masters)
        f"--service-account-key-file={pki.sa_pub}", f"--service-account-signing-key-file={pki.sa_key}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.96.0.0/16",
        "--allow-privileged=true",  # so privileged test workloads can exist, as on real clusters
        # The ServiceAccount plugin rejects Pods until the token controller (controller-manager)
        # has made each namespace's "default" account; without it, it would refuse every Pod.
        "--disable-admission-plugins=ServiceAccount",
        "--endpoint-reconciler-type=none",  # no endpoints for the kubernetes Service: nothing runs
        "--profiling=false",
        "--v=0",
    ]


# ------------------------------------------------------------------------- cluster

@dataclass
class RealCluster:
    """etcd plus API servers (``servers[name]``) in ``folder``; ``stop()`` ends them and removes the folder."""

    folder: Path
    pki: Pki
    etcd: Process
    etcd_url: str
    apiserver_binary: Path
    servers: dict[str, ApiServer] = field(default_factory=dict)
    startup_seconds: float = 0.0
    _owns_folder: bool = True

    @classmethod
    def start(cls, etcd_binary: Path, apiserver_binary: Path, names: Sequence[str] = ("main",), folder: Path | None = None) -> "RealCluster":
        """Start etcd and one API server per name; everything is torn down if any part fails."""
        began = time.monotonic()
        owns = folder is None
        root = Path(tempfile.mkdtemp(prefix="kubecomply-real-")) if folder is None else folder
        root.mkdir(parents=True, exist_ok=True)
        etcd = None
        cluster = None
        try:
            with ThreadPoolExecutor(1) as pool:  # the keys are made while etcd starts
                pki_future = pool.submit(make_pki, root / "pki")
                etcd, etcd_url = start_etcd(etcd_binary, root)
                pki = pki_future.result()
            cluster = cls(root, pki, etcd, etcd_url, apiserver_binary, _owns_folder=owns)
            atexit.register(cluster.stop)  # a safety net if the caller never gets to stop it
            cluster.add_servers(names)
            cluster.startup_seconds = time.monotonic() - began
            return cluster
        except BaseException:
            if cluster is not None:
                cluster.stop()
            else:
                if etcd is not None:
                    etcd.stop()
                if owns:
                    shutil.rmtree(root, ignore_errors=True)
            raise

    def add_servers(self, names: Iterable[str]) -> list[ApiServer]:
        """Start API servers (one etcd prefix each) and wait until every one is ready."""
        started = []
        for name in names:
            port = free_port()
            process = _spawn(f"kube-apiserver-{name}", kube_apiserver_args(self.apiserver_binary, self.etcd_url, port, f"/registry-{name}", self.pki), self.folder)
            server = ApiServer(name, f"https://127.0.0.1:{port}", f"/registry-{name}", process, self.pki)
            self.servers[name] = server
            started.append(server)
        for server in started:
            _wait(f"kube-apiserver {server.name}", server.process, server.ready)
        return started

    @property
    def main(self) -> ApiServer:
        return next(iter(self.servers.values()))

    # ---------------------------------------------------------------- etcd

    def etcd_post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """etcd's gRPC gateway (JSON over HTTP on the client port); byte fields are base64."""
        data = json.dumps(body).encode()
        with urlopen(Request(self.etcd_url + path, data=data, headers={"Content-Type": "application/json"}), timeout=10) as resp:
            return json.loads(resp.read())

    def etcd_revision(self) -> int:
        # A range over a key nobody uses: the answer's header carries the store's current revision.
        return int(self.etcd_post("/v3/kv/range", {"key": base64.b64encode(b"/kubecomply-probe").decode()})["header"]["revision"])

    def compact(self) -> int:
        """Compact etcd at its current revision (physically), so older list snapshots expire; returns it."""
        revision = self.etcd_revision()
        self.etcd_post("/v3/kv/compaction", {"revision": str(revision), "physical": True})
        return revision

    # ---------------------------------------------------------------- teardown

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.etcd.stop()
        if self._owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "RealCluster":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_etcd(binary: Path, folder: Path) -> tuple[Process, str]:
    client, peer = free_port(), free_port()
    url = f"http://127.0.0.1:{client}"
    process = _spawn("etcd", [
        str(binary), "--name=kubecomply-test", f"--data-dir={folder / 'etcd'}",
        f"--listen-client-urls={url}", f"--advertise-client-urls={url}",
        f"--listen-peer-urls=http://127.0.0.1:{peer}", f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-cluster=kubecomply-test=http://127.0.0.1:{peer}",
        "--unsafe-no-fsync",  # a throwaway store: durability costs seconds of fsync on a shared disk
        "--log-level=warn",
    ], folder)

    def healthy() -> bool:
        with urlopen(url + "/health", timeout=2) as resp:
            return json.loads(resp.read()).get("health") == "true"

    try:
        _wait("etcd", process, healthy)
    except BaseException:
        process.stop()
        raise
    return process, url


# ------------------------------------------------------------------ writing objects

# kind -> (group, version, plural, namespaced) for what the tests create.
RESOURCES: dict[str, tuple[str, str, str, bool]] = {
    "Namespace": ("", "v1", "namespaces", False),
    "Pod": ("", "v1", "pods", True),
    "Event": ("", "v1", "events", True),
    "PodTemplate": ("", "v1", "podtemplates", True),
    "ReplicationController": ("", "v1", "replicationcontrollers", True),
    "Service": ("", "v1", "services", True),
    "ConfigMap": ("", "v1", "configmaps", True),
    "Secret": ("", "v1", "secrets", True),
    "ServiceAccount": ("", "v1", "serviceaccounts", True),
    "ResourceQuota": ("", "v1", "resourcequotas", True),
    "LimitRange": ("", "v1", "limitranges", True),
    "Deployment": ("apps", "v1", "deployments", True),
    "StatefulSet": ("apps", "v1", "statefulsets", True),
    "DaemonSet": ("apps", "v1", "daemonsets", True),
    "ReplicaSet": ("apps", "v1", "replicasets", True),
    "Job": ("batch", "v1", "jobs", True),
    "CronJob": ("batch", "v1", "cronjobs", True),
    "NetworkPolicy": ("networking.k8s.io", "v1", "networkpolicies", True),
    "Ingress": ("networking.k8s.io", "v1", "ingresses", True),
    "PodDisruptionBudget": ("policy", "v1", "poddisruptionbudgets", True),
    "HorizontalPodAutoscaler": ("autoscaling", "v2", "horizontalpodautoscalers", True),
    "Role": ("rbac.authorization.k8s.io", "v1", "roles", True),
    "RoleBinding": ("rbac.authorization.k8s.io", "v1", "rolebindings", True),
    "ClusterRole": ("rbac.authorization.k8s.io", "v1", "clusterroles", False),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io", "v1", "clusterrolebindings", False),
    "CustomResourceDefinition": ("apiextensions.k8s.io", "v1", "customresourcedefinitions", False),
    "PeerAuthentication": ("security.istio.io", "v1", "peerauthentications", True),
    "Schedule": ("velero.io", "v1", "schedules", True),
}


def collection_path(obj: dict[str, Any]) -> str:
    kind = obj["kind"]
    group, version, plural, namespaced = RESOURCES[kind]
    base = f"/apis/{group}/{version}" if group else f"/api/{version}"
    if namespaced:
        return f"{base}/namespaces/{obj['metadata'].get('namespace', 'default')}/{plural}"
    return f"{base}/{plural}"


class Rest:
    """JSON requests through the kubernetes client's ApiClient (admin client certificate), thread-safe."""

    def __init__(self, server: ApiServer, pool_size: int = 8):
        from kubernetes.client import ApiClient, Configuration

        config = Configuration()
        config.host = server.url
        config.ssl_ca_cert = str(server.pki.ca_cert)
        config.cert_file = str(server.pki.admin_cert)
        config.key_file = str(server.pki.admin_key)
        config.connection_pool_maxsize = pool_size
        config.retries = False
        self.api = ApiClient(config)

    def request(self, method: str, path: str, body: Any = None, query: Sequence[tuple[str, str]] = (), content_type: str = "application/json") -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        method, url, headers, body, _post = self.api.param_serialize(method, path, query_params=list(query), header_params=headers, body=body)
        response = self.api.call_api(method, url, header_params=headers, body=body, _request_timeout=(30, 30))
        raw = response.response
        try:
            data = raw.data
        finally:
            raw.release_conn()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, data.decode(errors="replace")

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        status, body = self.request("POST", collection_path(obj), obj)
        if status not in (200, 201):
            meta = obj.get("metadata", {})
            raise RuntimeError(f"creating {obj['kind']} {meta.get('namespace', '')}/{meta.get('name')}: {status} {body}")
        return body

    def create_all(self, objects: Sequence[dict[str, Any]], threads: int = 8) -> list[dict[str, Any]]:
        """Create objects concurrently (order within the batch not kept); returns what the server stored."""
        if len(objects) < 4:
            return [self.create(o) for o in objects]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(self.create, objects))

    def delete(self, obj: dict[str, Any]) -> None:
        status, body = self.request("DELETE", f"{collection_path(obj)}/{obj['metadata']['name']}")
        if status not in (200, 202, 404):
            raise RuntimeError(f"deleting {obj['kind']} {obj['metadata']['name']}: {status} {body}")

    def list(self, path: str, query: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        status, body = self.request("GET", path, query=query)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body}")
        return body

    def wait_served(self, group_version: str, plural: str, timeout: float = 30.0) -> None:
        """Until discovery of ``group_version`` lists ``plural`` (a new CRD is served a moment after it is stored)."""
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.request("GET", f"/apis/{group_version}")
            if status == 200 and any(r.get("name") == plural for r in body.get("resources", [])):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{plural}.{group_version} not served after {timeout:.0f}s")
            time.sleep(0.1)

    def close(self) -> None:
        self.api.close()


@dataclass
class PopulatedCluster:
    """The session's cluster: the real API server holding tests/cluster_population.py's objects."""

    cluster: RealCluster
    kubeconfig: Path  # admin (client certificate), context "real"
    manifests: Path  # the same population as manifest files (without the owned ReplicaSet and Pod)
    stored: dict[tuple[str, str, str, str], dict[str, Any]]  # identity -> object as the server stored it
    populate_seconds: float

    @property
    def server(self) -> ApiServer:
        return self.cluster.main

    @classmethod
    def create(cls, cluster: RealCluster, folder: Path, manifests: Path) -> "PopulatedCluster":
        from cluster_population import populate

        began = time.monotonic()
        rest = cluster.main.rest()
        try:
            stored = populate(rest)
        finally:
            rest.close()
        return cls(cluster, cluster.main.kubeconfig(folder / "kubeconfig", context="real"), manifests, stored, time.monotonic() - began)


# ------------------------------------------------------------------------ the proxy

@dataclass
class Seen:
    """One request the proxy forwarded, and what the real server answered."""

    path: str
    query: dict[str, list[str]]
    status: int = 0


class ApiProxy:
    """Plain HTTP on 127.0.0.1 in front of a real API server, to act at an exact moment of a scan.

    Every request is forwarded over TLS with the admin client certificate; the answer is
    the real server's, unchanged.  ``hook(seen)`` runs before a request is forwarded (to
    compact etcd between two pages, or stop the server), and may return False to drop
    the connection without an answer, as a server that died mid-request does.  It
    exists because a scan cannot be paused between two pages from outside; it invents
    no answers, so what the tests see is what the real server says.
    """

    def __init__(self, server: ApiServer, hook: Any = None):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        proxy = self
        self.server = server
        self.hook = hook
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        context = server.ssl_context()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                import http.client

                parts = urlsplit(self.path)
                seen = Seen(parts.path, parse_qs(parts.query))
                with proxy.lock:
                    proxy.seen.append(seen)
                if proxy.hook is not None and proxy.hook(seen) is False:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                host, port = proxy.server.url.rsplit(":", 1)
                upstream = http.client.HTTPSConnection(host.split("//")[1], int(port), context=context, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "accept-encoding", "user-agent")}
                    upstream.request("GET", self.path, headers=headers)
                    resp = upstream.getresponse()
                    body = resp.read()
                except OSError:  # the real server is gone: so is the answer
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                finally:
                    upstream.close()
                seen.status = resp.status
                self.send_response(resp.status)
                for key in ("Content-Type", "Content-Encoding", "Retry-After"):
                    if resp.getheader(key):
                        self.send_header(key, resp.getheader(key))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.stopped = False
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def kubeconfig(self, path: Path, context: str) -> Path:
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
        }
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    def stop(self) -> None:
        """Stop serving and close the port: new connections are refused, as a stopped server's are."""
        if not self.stopped:
            self.stopped = True
            self.httpd.shutdown()
            self.httpd.server_close()

    def __enter__(self) -> "ApiProxy":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


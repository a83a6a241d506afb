"""The Kubernetes API transport: connecting through the kubernetes client, and GETs with bounded retries.

Connection goes through the official ``kubernetes`` client's config loading
(kubeconfig files named by ``--kubeconfig`` or ``KUBECONFIG``, contexts, in-cluster
service-account config) and its ``ApiClient``, so TLS with the cluster CA, bearer
tokens, client certificates and exec credential plugins work as they do for every
other client.  Only the client's transport is used: answers are read as raw bytes
(``_preload_content`` off) and decoded with ``json.loads``; the client's model classes
are never built.  Retries are ours, bounded, and honour ``Retry-After``; urllib3's
own retries are switched off so nothing retries behind our back.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from scanner.redact import redact_text

RETRY_STATUSES = (429, 500, 502, 503, 504)


class ClusterError(Exception):
    """The cluster cannot be used at all (bad kubeconfig, unknown context, unreachable); one line."""


@dataclass
class ClusterOptions:
    namespaces: Sequence[str] = ()  # globs; empty: every namespace
    exclude_namespaces: Sequence[str] = ()
    request_timeout: float = 30.0
    retries: int = 4  # extra attempts after the first, for 429, 5xx and dropped connections
    backoff: float = 0.5  # first backoff in seconds, doubled each retry (with jitter)
    max_backoff: float = 30.0  # longest single wait, Retry-After included
    page_size: int = 500
    workers: int = 4  # kinds listed at once
    sleep: Callable[[float], None] = time.sleep
    max_pages: int = 10_000  # pages of one list (5 million objects at page_size 500); more is a gap
    memory_budget: int = field(default_factory=lambda: memory_budget())  # bytes of answers held at once; see memory_budget()


@dataclass
class Connection:
    """An ApiClient for one context, and what to call the cluster in reports."""

    api_client: Any
    context: str | None
    server: str

    def close(self) -> None:
        try:
            self.api_client.close()
        except Exception:  # noqa: BLE001 - closing must not hide the scan's own outcome
            pass


# ---------------------------------------------------------------------- connecting

def _kube_config_paths(kubeconfig: str | None) -> str:
    """--kubeconfig, else KUBECONFIG (read now, not when the client was imported), else ~/.kube/config."""
    if kubeconfig:
        return kubeconfig
    return os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")


def _import_client() -> Any:
    try:
        import kubernetes  # noqa: F401
    except ImportError:
        raise ClusterError("scanning a cluster needs the kubernetes client: pip install 'kubecomply[cluster]'") from None
    return kubernetes


def _one_line(exc: BaseException) -> str:
    text = redact_text(" ".join(str(exc).split()))
    return text[:300] or type(exc).__name__


class _ErrorsOfThisThread(logging.Handler):
    """Collects ERROR records the kubernetes client's config loader logs on this thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and "kubernetes" in record.pathname.replace("\\", "/").split("/"):
            self.messages.append(redact_text(" ".join(record.getMessage().split()))[:300])


@contextlib.contextmanager
def _plugin_errors() -> Iterator[list[str]]:
    """The errors the client logged (and swallowed) while loading a kubeconfig, e.g. a failed exec plugin."""
    handler = _ErrorsOfThisThread()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.messages
    finally:
        root.removeHandler(handler)


def list_contexts(kubeconfig: str | None = None) -> tuple[list[str], str | None]:
    """The context names of the kubeconfig and the current one."""
    kubernetes = _import_client()
    try:
        contexts, current = kubernetes.config.list_kube_config_contexts(_kube_config_paths(kubeconfig))
    except Exception as exc:  # ConfigException, OSError, YAML errors
        raise ClusterError(f"cannot read kubeconfig: {_one_line(exc)}") from None
    return [c["name"] for c in contexts], (current or {}).get("name")


def connect(kubeconfig: str | None = None, context: str | None = None, in_cluster: bool | None = None) -> Connection:
    """An ApiClient for ``context`` (or the current one, or the in-cluster service account).

    In-cluster config is used when asked, or when no kubeconfig exists and the pod's
    service-account environment is there (as in the CronJob in deploy/).
    """
    kubernetes = _import_client()
    from kubernetes.client import ApiClient, Configuration

    configuration = Configuration()
    paths = _kube_config_paths(kubeconfig)
    use_in_cluster = in_cluster
    if use_in_cluster is None:
        exists = any(os.path.exists(p) for p in paths.split(os.pathsep) if p)
        use_in_cluster = not kubeconfig and not context and not exists and "KUBERNETES_SERVICE_HOST" in os.environ
    try:
        if use_in_cluster:
            kubernetes.config.load_incluster_config(client_configuration=configuration)
            name = context or "in-cluster"
        else:
            with _plugin_errors() as plugin_errors:
                kubernetes.config.load_kube_config(config_file=paths, context=context, client_configuration=configuration, persist_config=False)
            if plugin_errors:
                # The client logs the failure and goes on without credentials, so every request
                # would be "401 unauthorized"; the plugin's own message is what the user can act on.
                raise ClusterError(f"cannot load cluster configuration{f' for context {context!r}' if context else ''}: the exec credential plugin failed: {plugin_errors[0]}")
            name = context or list_contexts(kubeconfig)[1]
    except ClusterError:
        raise
    except Exception as exc:  # ConfigException, OSError, exec plugin failures
        raise ClusterError(f"cannot load cluster configuration{f' for context {context!r}' if context else ''}: {_one_line(exc)}") from None
    # Retries are ours (bounded, with Retry-After); urllib3 must not retry behind our back.
    configuration.retries = False
    return Connection(ApiClient(configuration), name, configuration.host)


# ---------------------------------------------------------------------- requests

class ListError(Exception):
    """A request that failed for good; ``reason`` is what goes into the gap."""

    def __init__(self, reason: str, status: int | None = None):
        # Reasons quote the server; a server (or a proxy) that echoes the request's
        # Authorization header would otherwise put the token into every report.
        reason = redact_text(reason)
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _status_message(data: bytes) -> str:
    try:
        body = json.loads(data)
        return " ".join(str(body.get("message", "")).split())[:200]
    except (ValueError, AttributeError):
        return ""


class ApiGetter:
    """GET with bounded retries: 429 (Retry-After honoured), 5xx and dropped connections."""

    def __init__(self, conn: Connection, options: ClusterOptions):
        self.conn = conn
        self.options = options
        self.lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        # Set when the scan is interrupted (Ctrl-C) or a worker failed: no new request is made.
        self.cancel = threading.Event()
        self.bytes_read = 0

    def _read_body(self, raw: Any, deadline: float) -> bytes:
        """The answer's body, read piece by piece against the request's overall deadline and the memory budget.

        urllib3's read timeout is per read: a server sending one byte every few seconds
        kept a request alive for ever.  A body abandoned half-way closes its connection
        rather than return it to the pool.
        """
        chunks: list[bytes] = []
        complete = False
        try:
            while True:
                if time.monotonic() > deadline:
                    raise _DeadlinePassed()
                if self.cancel.is_set():
                    raise ListError("interrupted")
                chunk = raw.read1(1 << 16)
                if not chunk:
                    complete = True
                    return b"".join(chunks)
                chunks.append(chunk)
                with self.lock:
                    self.bytes_read += len(chunk)
                    over = self.bytes_read > self.options.memory_budget
                if over:
                    raise ListError(
                        f"not collected: answers from this cluster passed the memory budget of {self.options.memory_budget // (1024 * 1024)} MiB "
                        "(an eighth of the memory available when the scan started); scan fewer namespaces or kinds"
                    )
        finally:
            if not complete:
                raw.close()
            raw.release_conn()

    def get(self, path: str, query: Sequence[tuple[str, str]] = (), accept: str = "application/json", retries: int | None = None) -> dict[str, Any]:
        import urllib3

        api = self.conn.api_client
        opts = self.options
        max_retries = opts.retries if retries is None else retries
        attempt = 0
        while True:
            if self.cancel.is_set():
                raise ListError("interrupted")
            method, url, headers, _body, _post = api.param_serialize(
                "GET", path, query_params=list(query), header_params={"Accept": accept}, auth_settings=["BearerToken"]
            )
            delay: float | None = None
            with self.lock:
                self.requests += 1
            try:
                deadline = time.monotonic() + opts.request_timeout
                response = api.call_api(method, url, header_params=headers, _request_timeout=(opts.request_timeout, opts.request_timeout))
                data = self._read_body(response.response, deadline)
                status = response.status
                if 200 <= status < 300:
                    try:
                        return json.loads(data)
                    except ValueError:
                        raise ListError("the server's answer is not JSON") from None
                message = _status_message(data)
                if status in RETRY_STATUSES:
                    retry_after = response.headers.get("Retry-After")
                    if status == 429 and retry_after:
                        delay = retry_after_seconds(retry_after)
                    reason = f"{status} {message or 'error'}"
                else:
                    raise ListError(_http_reason(status, message), status)
            except urllib3.exceptions.NewConnectionError as exc:  # refused, no route, DNS (a ConnectTimeoutError subclass)
                reason = f"cannot connect: {_one_line(exc)}"
                if attempt >= min(max_retries, 2):  # a server that is not there will not appear in seconds
                    raise ListError(f"{reason} (gave up after {attempt + 1} attempts)") from None
            except (urllib3.exceptions.TimeoutError, _DeadlinePassed) as exc:
                # Not retried: a server too slow for --request-timeout once is usually as slow again.
                still = " (the server kept sending, but did not finish in time)" if isinstance(exc, _DeadlinePassed) else ""
                raise ListError(f"timed out after {opts.request_timeout:g}s (--request-timeout){still}") from None
            except (urllib3.exceptions.ProtocolError, ConnectionError) as exc:  # dropped mid-answer
                reason = f"connection dropped: {_one_line(exc)}"
            except urllib3.exceptions.SSLError as exc:
                raise ListError(f"TLS error: {_one_line(exc)}") from exc
            except urllib3.exceptions.HTTPError as exc:
                reason = f"connection failed: {_one_line(exc)}"
            except Exception as exc:  # ApiException(status=0) for TLS, config refresh errors
                if isinstance(exc, ListError):
                    raise
                raise ListError(_one_line(exc)) from exc
            if attempt >= max_retries:
                raise ListError(f"{reason} (gave up after {attempt + 1} attempts)")
            attempt += 1
            with self.lock:
                self.retries += 1
            if delay is None:
                delay = opts.backoff * (2 ** (attempt - 1)) * (0.5 + random.random())
            opts.sleep(min(max(delay, 0.0), opts.max_backoff))


def retry_after_seconds(value: str) -> float | None:
    """Seconds from a Retry-After header; None for what is not a finite number of seconds.

    ``float()`` accepts ``nan`` and ``inf``; ``time.sleep(nan)`` raises ValueError, so a
    server answering ``Retry-After: nan`` ended the scan with a traceback.  An HTTP date
    (also allowed by RFC 9110) is treated as absent: the usual backoff applies.
    """
    try:
        delay = float(value)
    except (TypeError, ValueError):
        return None
    return delay if math.isfinite(delay) else None


class _DeadlinePassed(Exception):
    """The whole answer did not arrive within --request-timeout, though each read got some bytes."""


def memory_budget() -> int:
    """Bytes of API answers one collection may hold: an eighth of the memory available now.

    Decoded JSON takes several times its size as Python objects, and the scan needs
    room after collection to evaluate; past this budget the remaining kinds are gaps
    ("not collected: memory"), which a report can show, instead of a MemoryError.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 // 8
    except (OSError, ValueError, IndexError):
        pass
    return 2 * 1024**3


def _http_reason(status: int, message: str) -> str:
    names = {401: "unauthorized", 403: "forbidden", 404: "not found", 406: "not acceptable", 410: "gone"}
    name = names.get(status, "error")
    return f"{status} {name}: {message}" if message else f"{status} {name}"

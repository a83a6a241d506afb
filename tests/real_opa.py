"""Start the real `opa run --server` that `make tools` built, with the options a test needs.

scanner/engine/opa_local.py starts a plain local OPA for `--engine opa` without `--opa-url`;
these tests need servers set up as operators set them up (token authentication with a
system authz policy, TLS, a request size limit), so they start their own and pass its URL.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Sequence

from tools import require_tool


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RealOpa:
    """One `opa run --server` on a free loopback port; a context manager that stops it."""

    def __init__(self, args: Sequence[str] = (), files: Sequence[str | Path] = (), tls: tuple[Path, Path, Path] | None = None, token: str | None = None):
        self.binary = require_tool("opa")
        self.port = free_port()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        argv = [str(self.binary), "run", "--server", "--addr", f"127.0.0.1:{self.port}", "--log-level", "error", *args]
        self._ca = None
        if tls:
            ca, cert, key = tls
            self._ca = ca
            argv += ["--tls-cert-file", str(cert), "--tls-private-key-file", str(key)]
        argv += [str(f) for f in files]
        self._token = token
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log)
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, timeout: float = 20.0) -> None:
        context = ssl.create_default_context(cafile=str(self._ca)) if self._ca else None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"opa exited with {self.process.returncode}: {self.stderr()}")
            request = urllib.request.Request(f"{self.url}/health")
            if self._token:
                request.add_header("Authorization", f"Bearer {self._token}")
            try:
                with urllib.request.urlopen(request, timeout=1, context=context) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"opa did not become healthy within {timeout}s: {self.stderr()}")

    def stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> "RealOpa":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

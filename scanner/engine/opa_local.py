"""Start a throwaway local ``opa run --server`` for ``--engine opa`` without ``--opa-url``.

It listens on a free loopback port only, is waited for until ``/health`` answers 200,
and is stopped (terminate, then kill) when the scan ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from . import EngineError

INSTALL_HINT = (
    "--engine opa without --opa-url needs the `opa` binary on PATH; install it "
    "(https://www.openpolicyagent.org/docs/latest/#1-download-opa, e.g. `brew install opa`) "
    "or point --opa-url at a running OPA"
)
STARTUP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalOpa:
    def __init__(self, binary: str, timeout: float = STARTUP_TIMEOUT):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                [binary, "run", "--server", "--addr", f"127.0.0.1:{self.port}", "--log-level", "error"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
            )
        except OSError as exc:
            self._log.close()
            raise EngineError(f"could not start {binary}: {exc.strerror or exc}") from None
        try:
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EngineError(f"local `opa run --server` exited with code {self.process.returncode}: {self._stderr_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise EngineError(f"local `opa run --server` did not become healthy within {timeout:g}s: {self._stderr_tail()}")

    def _stderr_tail(self) -> str:
        try:
            self._log.seek(0)
            lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return "no output"
        return lines[-1][:200] if lines else "no output"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def start_local_opa() -> LocalOpa:
    binary = shutil.which("opa", path=os.environ.get("PATH"))
    if not binary:
        raise EngineError(INSTALL_HINT)
    return LocalOpa(binary)

"""The digest that names a result everywhere: in the store, in attestations and in reports.

It is the SHA-256 of the file's bytes exactly as written, not of a
re-serialisation: an auditor can recompute it with ``sha256sum`` on the file
they were given, and changing one byte changes it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

DIGEST_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")


def content_digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: str | Path) -> str:
    return content_digest(Path(path).read_bytes())


def short(digest: str, length: int = 12) -> str:
    """The first hex characters, for tables; the full digest stays in JSON and HTML."""
    return digest.split(":", 1)[-1][:length]

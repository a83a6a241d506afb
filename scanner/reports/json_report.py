"""The JSON result: the canonical, versioned ScanResult document (docs/result-schema.md).

Keys are sorted and findings are already in a stable order, so two runs over
the same inputs differ only in their timestamps and the run's user and host.
The document carries ``scan.result_digest`` over itself (scanner.integrity), so
``kubecomply report`` can tell a result that was changed after it was written.
"""

from __future__ import annotations

import json

from ..integrity import sealed
from ..model import ScanResult


def render_json(result: ScanResult) -> str:
    return render_sealed(result)[0]


def render_sealed(result: ScanResult) -> tuple[str, str]:
    """The JSON text and its ``scan.result_digest``, for callers that show both (the HTML report)."""
    document = sealed(result.to_dict())
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", document["scan"]["result_digest"]

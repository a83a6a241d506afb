"""The JSON result: the canonical, versioned ScanResult document (docs/result-schema.md).

Keys are sorted and findings are already in a stable order, so two runs over
the same inputs differ only in their timestamps.
"""

from __future__ import annotations

import json

from ..model import ScanResult


def render_json(result: ScanResult) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

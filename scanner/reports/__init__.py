"""Renderers: each turns a ScanResult into one output format and reads nothing else."""

from __future__ import annotations

from typing import Callable

from ..model import ScanResult

Renderer = Callable[[ScanResult], str]


def renderers() -> dict[str, Renderer]:
    from .csv_report import render_csv
    from .json_report import render_json
    from .junit import render_junit
    from .policyreport import render_policyreport
    from .sarif import render_sarif
    from .table import render_table

    return {
        "table": render_table,
        "json": render_json,
        "sarif": render_sarif,
        "junit": render_junit,
        "csv": render_csv,
        "policyreport": render_policyreport,
    }


FORMATS = ("table", "json", "sarif", "junit", "csv", "policyreport")


def renderer_for(fmt: str, csv_controls: bool = False) -> Renderer:
    """The renderer for ``-f``; ``--csv-controls`` picks the per-control table instead of findings."""
    if csv_controls:
        if fmt != "csv":
            raise ValueError("--csv-controls needs -f csv")
        from .csv_report import render_csv_controls

        return render_csv_controls
    return renderers()[fmt]

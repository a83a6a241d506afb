"""Renderers: each turns a ScanResult into one output format and reads nothing else."""

from __future__ import annotations

from typing import Callable

from ..model import ScanResult

Renderer = Callable[[ScanResult], str]


def renderers() -> dict[str, Renderer]:
    from .json_report import render_json
    from .table import render_table

    return {"table": render_table, "json": render_json}


FORMATS = ("table", "json")

"""Renderers: each turns a ScanResult into one output format and reads nothing else."""

from __future__ import annotations

from importlib import import_module
from typing import Callable, Iterable

from ..model import ScanResult

# A renderer gives text, or UTF-8 bytes where it encodes straight to bytes (the JSON formats),
# or (renderer_for's JSON and SARIF) an iterator of UTF-8 chunks, written as they come.
Renderer = Callable[[ScanResult], "str | bytes | Iterable[bytes]"]


# format -> (module, function): the one registry of the text formats.  A renderer is imported
# only when chosen: the others (Jinja2 for HTML among them) would cost start-up time.
_MODULES = {
    "table": ("table", "render_table"),
    "json": ("json_report", "render_json"),
    "sarif": ("sarif", "render_sarif"),
    "junit": ("junit", "render_junit"),
    "csv": ("csv_report", "render_csv"),
    "policyreport": ("policyreport", "render_policyreport"),
    "html": ("html", "render_html"),
    "markdown": ("markdown", "render_markdown"),
}
FORMATS = tuple(_MODULES)


def _load(fmt: str) -> Renderer:
    module, name = _MODULES[fmt]
    return getattr(import_module(f"{__name__}.{module}"), name)


def renderers() -> dict[str, Renderer]:
    """Every format's plain renderer (no options), imported now."""
    return {fmt: _load(fmt) for fmt in FORMATS}


# Formats written to a file by a writer instead of returned as text (-o required).
FILE_FORMATS = ("pdf",)
LANGUAGES = ("en", "ko")


def renderer_for(fmt: str, csv_controls: bool = False, lang: str = "en", report_url: str | None = None, max_rows: int | None = None) -> Renderer:
    """The renderer for ``-f``; ``--csv-controls`` picks the per-control table instead of findings;
    ``lang`` is the language of the HTML report; ``report_url`` the link at the end of the Markdown summary;
    ``max_rows`` the table's or the HTML report's cap on rows (None: the format's default, 0: all)."""
    if csv_controls:
        if fmt != "csv":
            raise ValueError("--csv-controls needs -f csv")
        from .csv_report import render_csv_controls

        return render_csv_controls
    if fmt == "html":
        from .html import DEFAULT_MAX_ROWS, html_chunks

        cap = DEFAULT_MAX_ROWS if max_rows is None else max_rows
        return lambda result: html_chunks(result, lang, max_rows=cap)  # streamed: the page is written as it renders
    if fmt == "json":
        from .json_report import json_chunks

        return json_chunks  # streamed: the findings are encoded one at a time
    if fmt == "sarif":
        from .sarif import sarif_chunks

        return sarif_chunks  # streamed: the results are encoded one at a time
    if fmt == "markdown":
        from .markdown import render_markdown

        return lambda result: render_markdown(result, report_url)
    if fmt == "table" and max_rows is not None:
        from .table import render_table

        return lambda result: render_table(result, max_rows=max_rows)
    if fmt not in _MODULES:
        raise KeyError(fmt)
    return _load(fmt)


def write_file_format(fmt: str, result: ScanResult, output: str, lang: str = "en", max_rows: int | None = None) -> None:
    """Write a file format (``pdf``) to ``output``; raises ``pdf.PdfError`` when it cannot.  ``max_rows``: as for html."""
    if fmt != "pdf":
        raise ValueError(f"{fmt} is not a file format")
    from .pdf import write_pdf

    if max_rows is None:
        write_pdf(result, output, lang)
    else:
        write_pdf(result, output, lang, max_rows=max_rows)

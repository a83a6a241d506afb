"""Renderers: each turns a ScanResult into one output format and reads nothing else."""

from __future__ import annotations

from importlib import import_module
from typing import Callable

from ..model import ScanResult

Renderer = Callable[[ScanResult], str]


def renderers() -> dict[str, Renderer]:
    from .csv_report import render_csv
    from .html import render_html
    from .json_report import render_json
    from .junit import render_junit
    from .markdown import render_markdown
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
        "html": render_html,
        "markdown": render_markdown,
    }


FORMATS = ("table", "json", "sarif", "junit", "csv", "policyreport", "html", "markdown")
# Formats written to a file by a writer instead of returned as text (-o required).
FILE_FORMATS = ("pdf",)
LANGUAGES = ("en", "ko")


def renderer_for(fmt: str, csv_controls: bool = False, lang: str = "en", report_url: str | None = None) -> Renderer:
    """The renderer for ``-f``; ``--csv-controls`` picks the per-control table instead of findings;
    ``lang`` is the language of the HTML report; ``report_url`` the link at the end of the Markdown summary."""
    if csv_controls:
        if fmt != "csv":
            raise ValueError("--csv-controls needs -f csv")
        from .csv_report import render_csv_controls

        return render_csv_controls
    if fmt == "html":
        from .html import render_html

        return lambda result: render_html(result, lang)
    if fmt == "markdown":
        from .markdown import render_markdown

        return lambda result: render_markdown(result, report_url)
    if fmt not in _MODULES:
        raise KeyError(fmt)
    # Only the chosen renderer is imported: the others (Jinja2 for HTML among them) cost start-up time.
    module, name = _MODULES[fmt]
    return getattr(import_module(f"{__name__}.{module}"), name)


# format -> (module, function), for renderer_for
_MODULES = {
    "table": ("table", "render_table"),
    "json": ("json_report", "render_json"),
    "sarif": ("sarif", "render_sarif"),
    "junit": ("junit", "render_junit"),
    "csv": ("csv_report", "render_csv"),
    "policyreport": ("policyreport", "render_policyreport"),
}


def write_file_format(fmt: str, result: ScanResult, output: str, lang: str = "en") -> None:
    """Write a file format (``pdf``) to ``output``; raises ``pdf.PdfError`` when it cannot."""
    if fmt != "pdf":
        raise ValueError(f"{fmt} is not a file format")
    from .pdf import write_pdf

    write_pdf(result, output, lang)

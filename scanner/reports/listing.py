"""The catalogue listings for the terminal: ``policy list`` and ``framework list``.

Laid out by ``columns.Table`` to fit the terminal like the scan table: ids are
never wrapped (an id split at a hyphen reads as two ids), titles and kinds
wrap at spaces.  ``policy list`` used to print an empty trailing column for
the bundled checks; the SOURCE column now appears only when a ``--policy-dir``
added checks, and says "bundled" or "custom" on every row.
"""

from __future__ import annotations

from typing import Sequence

from ..model import Policy
from ..textsafe import safe_text
from .columns import Column, Table, terminal_width


def render_policy_list(policies: Sequence[Policy], width: int | None = None) -> str:
    """One row per check (id, severity, kinds, title), and SOURCE when some are custom; then the count."""
    width = width or terminal_width()
    custom = sum(1 for p in policies if not p.bundled)
    rows = []
    for p in policies:
        row = [safe_text(p.id), p.severity, safe_text(", ".join(p.declared_kinds)), safe_text(p.title)]
        if custom:
            row.append("bundled" if p.bundled else "custom")
        rows.append(row)
    columns = [Column("ID", whole=True), Column("SEVERITY", whole=True), Column("KINDS", floor=10, priority=1), Column("TITLE", floor=20, priority=0)]
    if custom:
        columns.append(Column("SOURCE", whole=True))
    lines = Table(columns, rows).fit(width)
    count = f"{len(policies)} checks" + (f" ({custom} custom, from --policy-dir)" if custom else "")
    return "\n".join(lines + ["", count]) + "\n"


def render_framework_list(rows: Sequence[Sequence[object]], width: int | None = None) -> str:
    """One row per framework: id, title, version and control counts by automation."""
    columns = [
        Column("ID", whole=True), Column("TITLE", floor=20), Column("VERSION", floor=10),
        *(Column(h, whole=True, right=True) for h in ("CONTROLS", "AUTOMATED", "PARTIAL", "MANUAL", "CHECKS")),
    ]
    safe_rows = [[safe_text(cell) for cell in row] for row in rows]
    return "\n".join(Table(columns, safe_rows).fit(width or terminal_width())) + "\n"


def render_evidence_list(rows: Sequence[Sequence[object]], width: int | None = None) -> str:
    """``evidence list``: one row per stored result (started, digest, subject, source, open findings, signature)."""
    columns = [
        Column("STARTED", whole=True), Column("DIGEST", whole=True), Column("SUBJECT", floor=16, priority=0),
        Column("SOURCE", floor=10, priority=1), Column("OPEN", whole=True, right=True), Column("SIGNED", whole=True),
    ]
    safe_rows = [["" if cell is None else safe_text(cell) for cell in row] for row in rows]
    return "\n".join(Table(columns, safe_rows).fit(width or terminal_width())) + "\n"

"""Timestamps and period bounds: results write UTC ISO 8601 (``2026-11-28T07:00:00Z``)."""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def parse_time(value: str) -> dt.datetime:
    """An ISO 8601 time; a naive one is taken as UTC.  Raises ValueError with the value."""
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date or time (YYYY-MM-DD or ISO 8601)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def bound(value: str | None, end: bool) -> dt.datetime | None:
    """A ``--since``/``--until`` value: a bare date means the whole day, so ``--until`` DATE includes that day."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) == 10:
        day = parse_time(text)
        return day + dt.timedelta(days=1) if end else day
    return parse_time(text)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_duration(delta: dt.timedelta) -> str:
    """``9d 4h`` style; days matter for audits, seconds do not."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    minutes = rest // 60
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"

"""The sign-off block of the auditor's report: who prepared and who reviewed the assessment.

A scan result says what the tool saw; an assessment is filed only when people
put their names to it.  The names, dates and notes come from the ``report``
command's options or from a small YAML file (``--attestation FILE``, format in
docs/formats.md); what is not given is printed as a blank line to sign on paper,
never invented.  The file is read with the same YAML reader as every other user
file, and a bad file is one error line naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..sources.yaml_loader import DocumentError, load_user_yaml

ROLES = ("preparer", "reviewer")
PERSON_KEYS = ("name", "role", "date")
TOP_KEYS = ROLES + ("notes",)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 2000


class AttestationError(Exception):
    """An unusable attestation file or option; ``str()`` is the one line to print."""


@dataclass(frozen=True)
class Signatory:
    """One person who signs: any field left None is a blank line on the page."""

    name: str | None = None
    role: str | None = None
    date: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True)
class Attestation:
    """Preparer, reviewer and free notes for the sign-off block."""

    preparer: Signatory = field(default_factory=Signatory)
    reviewer: Signatory = field(default_factory=Signatory)
    notes: str | None = None

    @property
    def empty(self) -> bool:
        return self == Attestation()


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise AttestationError(f"{where}: expected text, got {value!r}"[:300])
    if len(value) > MAX_TEXT:
        raise AttestationError(f"{where}: longer than {MAX_TEXT} characters")
    return value.strip()


def _date(value: Any, where: str) -> str | None:
    """``YYYY-MM-DD`` that exists; YAML dates are read as text, so this is the one check."""
    text = _text(value, where)
    if text is None:
        return None
    if not DATE.match(text):
        raise AttestationError(f"{where}: {text!r} is not a date (YYYY-MM-DD)")
    try:
        dt.date.fromisoformat(text)
    except ValueError as exc:
        raise AttestationError(f"{where}: {text!r} is not a valid date ({exc})") from None
    return text


def _signatory(value: Any, where: str) -> Signatory:
    if value is None:
        return Signatory()
    if isinstance(value, str):  # "preparer: Jane Doe" is the short form
        return Signatory(name=_text(value, where))
    if not isinstance(value, dict):
        raise AttestationError(f"{where}: expected a name or a mapping with {', '.join(PERSON_KEYS)}")
    unknown = sorted(str(k) for k in value if k not in PERSON_KEYS)
    if unknown:
        raise AttestationError(f"{where}.{unknown[0]}: unknown key; use {', '.join(PERSON_KEYS)}")
    return Signatory(
        name=_text(value.get("name"), f"{where}.name"),
        role=_text(value.get("role"), f"{where}.role"),
        date=_date(value.get("date"), f"{where}.date"),
    )


def load_attestation(path: str | Path) -> Attestation:
    """The attestation file, validated; raises AttestationError with the file (and line or key)."""
    name = str(path)
    try:
        data = load_user_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AttestationError(f"{name}: cannot read attestation file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise AttestationError(f"{name}: cannot read attestation file: not UTF-8 ({exc.reason})") from None
    except DocumentError as exc:
        where = f"{name}:{exc.line}" if exc.line else name
        raise AttestationError(f"{where}: {exc.reason}") from None
    if data is None:
        return Attestation()
    if not isinstance(data, dict):
        raise AttestationError(f"{name}: expected a mapping with {', '.join(TOP_KEYS)}")
    unknown = sorted(str(k) for k in data if k not in TOP_KEYS)
    if unknown:
        raise AttestationError(f"{name}: {unknown[0]}: unknown key; use {', '.join(TOP_KEYS)}")
    return Attestation(
        preparer=_signatory(data.get("preparer"), f"{name}: preparer"),
        reviewer=_signatory(data.get("reviewer"), f"{name}: reviewer"),
        notes=_text(data.get("notes"), f"{name}: notes"),
    )


def with_options(base: Attestation, preparer: str | None = None, reviewer: str | None = None,
                 prepared_on: str | None = None, reviewed_on: str | None = None) -> Attestation:
    """The file's attestation with the command-line options laid over it (an option wins)."""
    prep, rev = base.preparer, base.reviewer
    if preparer is not None:
        prep = replace(prep, name=_text(preparer, "--preparer"))
    if prepared_on is not None:
        prep = replace(prep, date=_date(prepared_on, "--prepared-on"))
    if reviewer is not None:
        rev = replace(rev, name=_text(reviewer, "--reviewer"))
    if reviewed_on is not None:
        rev = replace(rev, date=_date(reviewed_on, "--reviewed-on"))
    return replace(base, preparer=prep, reviewer=rev)

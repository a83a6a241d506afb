"""Keep secret values out of everything the scanner produces.

``scrub_secret`` is applied by the manifest loader to every core/v1 Secret it
yields, so no secret value reaches the policy engine, a finding or a report.
``redact_text`` masks credentials that leak into free text (finding messages,
annotations quoted in messages): a short list of high-signal patterns, so
ordinary messages pass through untouched and fast.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "<redacted>"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def scrub_secret(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of a core/v1 Secret with every ``data``/``stringData`` value replaced.

    Keys are kept (checks may look at them), values become ``"<redacted>"``,
    and the last-applied-configuration annotation (which repeats the values)
    is dropped.  Anything that is not a core/v1 Secret is returned unchanged.
    The input is never modified (its parts may be shared through YAML aliases).
    """
    if not isinstance(obj, dict) or obj.get("kind") != "Secret" or obj.get("apiVersion") != "v1":
        return obj
    out = dict(obj)
    for field in ("data", "stringData"):
        if field not in obj:
            continue
        values = obj[field]
        if isinstance(values, dict):
            out[field] = {key: REDACTED for key in values}
        elif values is not None:
            out[field] = REDACTED  # malformed, but may still hold a value
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        annotations = meta.get("annotations")
        if isinstance(annotations, dict) and LAST_APPLIED in annotations:
            meta = dict(meta)
            meta["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
            out["metadata"] = meta
    return out


_PEM = re.compile(
    r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY((?: BLOCK)?)-----"
    r"(?:.*?-----END \1PRIVATE KEY\2-----|.*)",
    re.DOTALL,
)
_TOKENS = re.compile(
    r"\b(?:"
    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"  # AWS access key ids
    r"|gh[pousr]_[A-Za-z0-9]{36,255}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub fine-grained tokens
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"  # JWTs
    r")"
)
# key = value / key: value where the key names a credential; the value is masked.
# Booleans and null are left alone ("automountServiceAccountToken: false").
_PAIR = re.compile(
    r"(?i)(\b[\w.-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)"
    r"[\"']?\s*[:=]\s*)"
    r"(?!(?:true|false|null|none|yes|no)\b)"
    r"([\"'])?(?(2)[^\"'\n]+[\"']|[^\s,;)\]}\"']+)"
)
_URL_CREDENTIALS = re.compile(r"(://[^/\s:@]+):[^/\s@]+@")
# HTTP credentials as a server may echo them back: "Authorization: Bearer <token>", "Basic <b64>".
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=:-]{4,}")
_AUTHORIZATION = re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:[A-Za-z-]+\s+)?)[^\s\"',;]+")
# Cheap literal pre-checks: every finding message passes through here, and on
# a large scan most name no credential at all, so the full patterns above run
# only on text that contains one of their fixed parts.
_TOKEN_HINT = re.compile(r"AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|gh[pousr]_|github_pat_|xox[abposr]-|eyJ")
_PAIR_HINTS = ("pass", "pwd", "secret", "token", "key", "credential")


def _pem(m: re.Match) -> str:
    label = f"{m.group(1)}PRIVATE KEY{m.group(2)}"
    end = f"-----END {label}-----" if m.group(0).endswith(f"-----END {label}-----") else ""
    return f"-----BEGIN {label}-----{REDACTED}{end}"


def _pair(m: re.Match) -> str:
    quote = m.group(2) or ""
    return f"{m.group(1)}{quote}{REDACTED}{quote}"


def redact_text(s: str) -> str:
    """Mask private keys, access tokens and ``password=...`` style pairs in ``s``."""
    if not s:
        return s
    if "PRIVATE KEY" in s:
        s = _PEM.sub(_pem, s)
    if _TOKEN_HINT.search(s):
        s = _TOKENS.sub(REDACTED, s)
    if "://" in s:
        s = _URL_CREDENTIALS.sub(rf"\1:{REDACTED}@", s)
    lowered = s.lower()
    if "authorization" in lowered:
        s = _AUTHORIZATION.sub(rf"\1{REDACTED}", s)
    if "bearer" in lowered:
        s = _BEARER.sub(rf"\1{REDACTED}", s)
    lowered = s.lower()
    if any(hint in lowered for hint in _PAIR_HINTS):
        s = _PAIR.sub(_pair, s)
    return s

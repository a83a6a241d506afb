"""Report text that comes from data, in the report's language: check titles and remediation,
control titles and manual evidence, and the reasons the roll-up writes.

The fixed strings of the report live in ``i18n.py``; this module is the other half: text
whose English is written by someone else (a check's METADATA, a mapping file, the
compliance code) and travels through the ScanResult in English.  The translations are
data beside that English (``policies/i18n/<lang>.yaml``, ``mappings/i18n/<lang>.yaml``),
and each carries the English it translates: a translation is used only while the English
in the result is the same, so a check whose wording changed, an old result, or a user's
own check is shown in English (labelled as such) rather than with a stale or borrowed
translation.

Reasons are sentences the code builds from templates (``"{check} found no resource in its
population: {population}"``), joined with ``"; "``.  They are matched back against the
English templates in ``REASONS`` and rebuilt from the Korean ones; a reason that does not
parse stays English.  ``tests/test_korean_catalogue.py`` drives the roll-up into every
reason it can write and checks that each one translates.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup, escape

from ..policies import bundled_dir
from ..sources.yaml_loader import load_user_yaml
from ..textsafe import safe_text

# Languages with catalogues; English is the source and needs none.
CATALOGUE_LANGUAGES = ("ko",)
CHECK_FIELDS = ("title", "remediation", "population")
CONTROL_FIELDS = ("title", "manual_evidence", "note")

# Placeholders in reason templates and what their values look like.  ``check`` is a check
# id; ``detail`` is itself one or more reasons (translated in turn); ``population`` is a
# check's population sentence (translated from the check catalogue); the rest are kept as
# written (engine and server messages, kinds, names, numbers).
PLACEHOLDER = re.compile(r"\{(\w+)\}")
_VALUE_PATTERNS = {"check": r"[a-z0-9][a-z0-9-]*", "n": r"\d+", "kind": r"[A-Za-z0-9.]+"}

# Every reason sentence the code writes into a result (control reasons: compliance/frameworks.py,
# coverage.py, changes.py, config_data.py; kind gaps of the sources that the report shows) and
# the provenance lines of reports/provenance.py, English template -> {language: template}.  Order matters only between templates
# that could both match; the more specific comes first.
REASONS: dict[str, dict[str, str]] = {
    "no automated check; human evidence needed": {
        "ko": "자동 점검 항목이 없어 사람이 수집한 증적이 필요합니다"},
    "every violation is covered by an approved exception ({n} in the exception register)": {
        "ko": "모든 위반이 승인된 예외로 처리되었습니다(예외 대장의 {n}건)"},
    "its failing findings are in files outside --changed-since": {
        "ko": "실패한 발견 사항이 모두 --changed-since 범위 밖의 파일에 있습니다"},
    "{check} was not part of this scan": {
        "ko": "{check}: 이번 스캔에 포함되지 않았습니다"},
    "{check} could not run: {error}": {
        "ko": "{check}: 실행할 수 없었습니다: {error}"},
    "{check} needs {keys} in a --data file; none given, so it was not run (no restriction applied)": {
        "ko": "{check}: --data 파일에 {keys} 값이 필요하지만 주어지지 않아 실행하지 않았습니다(제한을 적용하지 않음)"},
    "needs {keys} in a --data file; none given, so it was not run (no restriction applied)": {
        "ko": "--data 파일에 {keys} 값이 필요하지만 주어지지 않아 실행하지 않았습니다(제한을 적용하지 않음)"},
    "{check} not assessed: {detail}": {
        "ko": "{check}: 평가 안 됨: {detail}"},
    "{check} found no resource in its population: {population}": {
        "ko": "{check}: 모집단에 해당하는 리소스가 없습니다: {population}"},
    "{check} found no resources of its kinds in scope": {
        "ko": "{check}: 범위 내에 평가 대상 종류의 리소스가 없습니다"},
    "kind {kind} was not collected ({why})": {
        "ko": "종류 {kind}을(를) 수집하지 못했습니다({why})"},
    "{n} finding(s) judged without it withheld": {
        "ko": "해당 종류 없이 판정된 발견 사항 {n}건은 증적에서 제외했습니다"},
    "cluster {name} was not scanned ({error})": {
        "ko": "클러스터 {name}을(를) 스캔하지 못했습니다({error})"},
    "cluster {name}: {detail}": {
        "ko": "클러스터 {name}: {detail}"},
    # kind gaps (sources/cluster.py, sources/clusters.py)
    "not served by this cluster (no such kind in API discovery)": {
        "ko": "이 클러스터가 제공하지 않습니다(API 디스커버리에 해당 종류 없음)"},
    "not found in API discovery, which failed for {groups}": {
        "ko": "API 디스커버리에서 찾지 못했습니다(디스커버리 실패: {groups})"},
    "not in the snapshot (it was exported without a check that needs this kind)": {
        "ko": "스냅숏에 없습니다(이 종류가 필요한 점검 항목 없이 내보낸 스냅숏)"},
    "not collected: the scanner ran out of memory while listing it; scan fewer namespaces or kinds": {
        "ko": "수집하지 못했습니다: 목록을 읽는 중 스캐너의 메모리가 부족했습니다. 네임스페이스나 종류를 줄여 스캔하십시오"},
    # provenance lines (reports/provenance.py)
    "{n} input file(s) hashed (SHA-256 of each in scan.inputs)": {
        "ko": "입력 파일 {n}개의 해시를 기록함(각 파일의 SHA-256은 scan.inputs에 있음)"},
    "run by {user} on {host}, CI {ci}": {
        "ko": "실행: {host}에서 {user}, CI {ci}"},
    "run by {user} on {host}": {
        "ko": "실행: {host}에서 {user}"},
    "{path}: commit {commit}, DIRTY: {n} file(s) differ from the commit": {
        "ko": "{path}: 커밋 {commit}, 변경됨: 커밋과 다른 파일 {n}개"},
    "{path}: commit {commit}, clean": {
        "ko": "{path}: 커밋 {commit}, 변경 없음"},
    "{path}: commit {commit}": {
        "ko": "{path}: 커밋 {commit}"},
    "uid {uid}, read as {user}": {
        "ko": "uid {uid}, 조회 주체 {user}"},
    "uid {uid}, identity unknown ({why})": {
        "ko": "uid {uid}, 조회 주체 알 수 없음({why})"},
    "uid unknown ({why}), read as {user}": {
        "ko": "uid 알 수 없음({why}), 조회 주체 {user}"},
    "uid unknown ({why}), identity unknown ({why2})": {
        "ko": "uid 알 수 없음({why}), 조회 주체 알 수 없음({why2})"},
    "{n} kind(s) listed, none forbidden": {
        "ko": "종류 {n}개 조회, 거부된 종류 없음"},
    "{n} kind(s) listed, forbidden: {kinds}": {
        "ko": "종류 {n}개 조회, 거부된 종류: {kinds}"},
}

# Why a framework control is not evidenced (the codes of compliance.frameworks.NOT_EVIDENCED_REASONS).
NOT_EVIDENCED: dict[str, dict[str, str]] = {
    "organisational": {"ko": "조직·관리 절차"},
    "physical": {"ko": "물리적 보호"},
    "out-of-cluster": {"ko": "클러스터 외부"},
    "not-applicable": {"ko": "해당 없음"},
}


def _norm(text: str) -> str:
    return " ".join(text.split())


def _catalogue_file(kind: str, lang: str) -> Path:
    return bundled_dir(kind) / "i18n" / f"{lang}.yaml"


@lru_cache(maxsize=None)
def catalogue(kind: str, lang: str) -> dict[str, Any]:
    """The ``policies`` or ``mappings`` catalogue of ``lang`` as loaded (empty when there is none)."""
    path = _catalogue_file(kind, lang)
    if not path.is_file():
        return {}
    data = load_user_yaml(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _translated(entry: Any, english: str, lang: str) -> str | None:
    """The translation in ``entry`` ({en, <lang>}) when it translates exactly this English."""
    if not isinstance(entry, dict) or not isinstance(entry.get(lang), str):
        return None
    source = entry.get("en")
    if not isinstance(source, str) or _norm(source) != _norm(english):
        return None
    return entry[lang]


def check_translation(check_id: str, field: str, english: str | None, lang: str) -> str | None:
    """The translation of a check's ``field`` (title, remediation, population), or None."""
    if lang == "en" or not english:
        return None
    entry = (catalogue("policies", lang).get("checks") or {}).get(check_id) or {}
    return _translated(entry.get(field), english, lang)


def control_translation(framework_id: str, control_id: str, field: str, english: str | None, lang: str) -> str | None:
    """The translation of a control's ``field`` (title, manual_evidence, note), or None."""
    if lang == "en" or not english:
        return None
    controls = (catalogue("mappings", lang).get("frameworks") or {}).get(framework_id) or {}
    entry = controls.get(str(control_id)) or {}
    return _translated(entry.get(field), english, lang)


def check_text(check_id: str, field: str, english: str, lang: str) -> str:
    """A check's title or remediation in ``lang``; the English when there is no translation (e.g. user checks)."""
    return check_translation(check_id, field, english, lang) or english


def control_text(framework_id: str, control_id: str, field: str, english: str, lang: str) -> str:
    """A control's manual evidence, title or not-evidenced note in ``lang``; the English when there is no translation."""
    return control_translation(framework_id, control_id, field, english, lang) or english


# --- reasons ---------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _template_regex(template: str) -> re.Pattern[str]:
    parts, at = [], 0
    for match in PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[at:match.start()]))
        name = match.group(1)
        parts.append(f"(?P<{name}>{_VALUE_PATTERNS.get(name, '.+')})")
        at = match.end()
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.DOTALL)


def _one(sentence: str, lang: str, context: dict[str, str]) -> str | None:
    """One reason sentence in ``lang``, or None when it matches no template."""
    for english, translations in REASONS.items():
        match = _template_regex(english).fullmatch(sentence)
        if not match or lang not in translations:
            continue
        values = match.groupdict()
        if "check" in values:
            context = {**context, "check": values["check"]}
        for name, value in values.items():
            if name == "detail":
                values[name] = _reasons(value, lang, context) or value
            elif name == "population" and context.get("check"):
                values[name] = check_text(context["check"], "population", value, lang)
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], translations[lang])
    return None


def _reasons(text: str, lang: str, context: dict[str, str]) -> str | None:
    """``text`` as sentences joined by "; ", each translated; None unless every sentence parses.

    Values may contain "; " themselves (a population sentence, a server message), so the
    split is searched: the shortest first sentence that matches a template and leaves a
    rest that parses too.
    """
    cuts = [m.start() for m in re.finditer("; ", text)] + [len(text)]
    for cut in cuts:
        head = _one(text[:cut], lang, context)
        if head is None:
            continue
        if cut == len(text):
            return head
        rest = _reasons(text[cut + 2:], lang, context)
        if rest is not None:
            return f"{head}; {rest}"
    return None


def reason_translation(reason: str | None, lang: str) -> str | None:
    """A reason (not-assessed, exceptions, gaps) in ``lang``, or None when it does not parse."""
    if lang == "en" or not reason:
        return None
    return _reasons(reason, lang, {})


def reason_text(reason: str, lang: str) -> str:
    """A reason in ``lang``; the English when it matches none of the templates."""
    return reason_translation(reason, lang) or reason


def not_evidenced_text(code: str, lang: str) -> str:
    """Why a control is not evidenced (organisational, physical, ...) in ``lang``."""
    return NOT_EVIDENCED.get(code, {}).get(lang, code)


# --- the report's Jinja side -------------------------------------------------------------

def _labelled(translation: str | None, english: str | None, lang: str) -> Any:
    """The translation; else the English, marked ``lang="en"`` in a report of another language."""
    if translation is not None:
        return translation
    if english is None or lang == "en" or english == "":
        return english
    # Marked safe here, so escape (and show control characters) as the environment would.
    return Markup('<span lang="en">{}</span>').format(escape(safe_text(english, keep_newlines=True)))


def jinja_globals() -> dict[str, Callable[..., Any]]:
    """The lookups as template globals: text in the report's language, English labelled ``lang="en"``."""
    return {
        "check_text": lambda check_id, field, english, lang: _labelled(check_translation(check_id, field, english, lang), english, lang),
        # A control title without a translation is not marked English: it may be in the framework's
        # own language (ISMS-P's titles are KISA's Korean ones).
        "control_text": lambda fw, cid, field, english, lang: (
            control_text(fw, cid, field, english, lang) if field == "title"
            else _labelled(control_translation(fw, cid, field, english, lang), english, lang)
        ),
        "reason_text": lambda reason, lang: _labelled(reason_translation(reason, lang), reason, lang),
        "not_evidenced_text": not_evidenced_text,
    }

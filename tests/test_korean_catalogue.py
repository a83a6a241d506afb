"""The Korean edition is complete: every bundled check, every control's manual evidence and every
reason the roll-up writes has Korean text, and the demo report in Korean shows no English of ours.

The catalogues (policies/i18n/ko.yaml, mappings/i18n/ko.yaml) keep the English each translation
was made from; these tests fail when a check or mapping changes its English without the Korean
following, and when the code writes a reason sentence no template in scanner.reports.localized
matches.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.compliance import frameworks as fw_mod
from scanner.compliance.coverage import mark_not_collected, merge_coverage
from scanner.compliance.frameworks import CheckCoverage, Control, Framework, load_frameworks, roll_up
from scanner.config_data import missing_data
from scanner.model import Finding, Origin, ResourceRef
from scanner.policies import load_policies
from scanner.reports import i18n, localized
from scanner.reports.localized import (
    PLACEHOLDER,
    REASONS,
    check_translation,
    control_translation,
    reason_translation,
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# --- completeness of the catalogues -----------------------------------------------------

def test_every_bundled_check_has_korean_title_remediation_and_population() -> None:
    policies = load_policies().policies
    assert len(policies) >= 80
    missing = []
    for p in policies:
        for field in ("title", "remediation") + (("population",) if p.population else ()):
            ko = check_translation(p.id, field, getattr(p, field), "ko")
            if ko is None or not HANGUL.search(ko):
                missing.append(f"{p.id}.{field}")
            elif placeholders(ko) != placeholders(getattr(p, field)):
                missing.append(f"{p.id}.{field} (placeholders differ)")
    assert not missing, f"no current Korean text in policies/i18n/ko.yaml for: {', '.join(missing)}"


def test_no_translation_for_a_check_that_does_not_exist() -> None:
    """A stale entry (a check renamed or removed) would hide that its successor has none."""
    ids = {p.id for p in load_policies().policies}
    stale = set(localized.catalogue("policies", "ko")["checks"]) - ids
    assert not stale


def test_every_control_with_manual_evidence_has_korean() -> None:
    counted, missing = 0, []
    for fw in load_frameworks():
        for control in fw.controls:
            if not control.manual_evidence:
                continue
            counted += 1
            ko = control_translation(fw.id, control.id, "manual_evidence", control.manual_evidence, "ko")
            if ko is None or not HANGUL.search(ko):
                missing.append(f"{fw.id} {control.id}")
            elif placeholders(ko) != placeholders(control.manual_evidence):
                missing.append(f"{fw.id} {control.id} (placeholders differ)")
    assert counted >= 150
    assert not missing, f"no current Korean manual_evidence in mappings/i18n/ko.yaml for: {', '.join(missing)}"


def test_every_control_title_and_not_evidenced_note_has_korean() -> None:
    """Titles of every framework but ISMS-P (whose titles are KISA's Korean ones), and every note
    on why a control is not evidenced."""
    missing = []
    for fw in load_frameworks():
        for control in (*fw.controls, *fw.not_evidenced):
            if fw.id != "isms-p" and control_translation(fw.id, control.id, "title", control.title, "ko") is None:
                missing.append(f"{fw.id} {control.id} title")
            note = getattr(control, "note", None)
            if note and control_translation(fw.id, control.id, "note", note, "ko") is None:
                missing.append(f"{fw.id} {control.id} note")
        if fw.id == "isms-p":
            assert all(HANGUL.search(c.title) for c in fw.controls)
    assert not missing, f"no current Korean text in mappings/i18n/ko.yaml for: {', '.join(missing)}"


def test_mapping_catalogue_names_only_existing_controls() -> None:
    known = {(fw.id, c.id) for fw in load_frameworks() for c in (*fw.controls, *fw.not_evidenced)}
    listed = {(f, c) for f, controls in localized.catalogue("mappings", "ko")["frameworks"].items() for c in controls}
    assert not listed - known


def test_every_fixed_string_has_korean_with_the_same_placeholders() -> None:
    en, ko = i18n.MESSAGES["en"], i18n.MESSAGES["ko"]
    assert set(en) == set(ko)
    for key in en:
        assert ko[key].strip(), key
        assert placeholders(ko[key]) == placeholders(en[key]), key


def test_reason_templates_have_korean_with_the_same_placeholders() -> None:
    for english, translations in REASONS.items():
        assert HANGUL.search(translations["ko"]), english
        assert placeholders(translations["ko"]) == placeholders(english), english
    for code in fw_mod.NOT_EVIDENCED_REASONS:
        assert HANGUL.search(localized.not_evidenced_text(code, "ko")), code


def test_translation_only_for_the_english_it_was_made_from() -> None:
    """A changed English text or a user's check with its own wording stays English."""
    policy = next(p for p in load_policies().policies if p.id == "privileged-containers")
    assert check_translation(policy.id, "title", policy.title, "ko") == "특권 컨테이너"
    assert check_translation(policy.id, "title", "  Privileged\ncontainers ", "ko") == "특권 컨테이너"  # whitespace aside
    assert check_translation(policy.id, "title", "Privileged containers (reworded)", "ko") is None
    assert localized.check_text("require-team-label", "title", "Workloads carry a team label", "ko") == "Workloads carry a team label"
    assert localized.check_text(policy.id, "title", policy.title, "en") == policy.title


# --- every reason the code can write ----------------------------------------------------

def _finding(check: str, status: str = "fail", waiver: str | None = None) -> Finding:
    return Finding(
        policy=check, severity="high", title="t", message="m",
        resource=ResourceRef("apps/v1", "Deployment", "shop", "cart"), origin=Origin(type="file", path="a.yaml"),
        status=status, waiver=waiver,
    )


def produced_reasons() -> list[str]:
    """Drive the roll-up and its helpers through every branch that writes a reason."""
    population = next(p.population for p in load_policies().policies if p.id == "anonymous-binding")
    assert "; " in population  # a value with the separator inside: the parser must cope
    coverage = {
        "ran-clean": CheckCoverage(evaluated=3),
        "errored": CheckCoverage(error="rego_type_error: undefined function foo.bar; at line 3"),
        "no-data": CheckCoverage(not_run=missing_data([next(p for p in load_policies().policies if p.requires_data)], {})
                                 [next(p for p in load_policies().policies if p.requires_data).id]),
        "uncollected": CheckCoverage(evaluated=2),
        "anonymous-binding": CheckCoverage(population=population),
        "empty-kinds": CheckCoverage(),
        "waived": CheckCoverage(evaluated=1),
    }
    policies = [p for p in load_policies().policies if p.id in ("anonymous-binding",)]

    class Stub:  # the few Policy fields mark_not_collected reads
        def __init__(self, id: str, kinds: tuple[str, ...], reads: tuple[str, ...] = ()) -> None:
            self.id, self.kinds, self.reads, self.population = id, kinds, reads, None

    mark_not_collected(coverage, [Stub("uncollected", ("Deployment",), ("NetworkPolicy",))],
                       {"NetworkPolicy": "403 forbidden: networkpolicies is forbidden", "Deployment": "timeout"}, {"uncollected": 2})
    controls = [
        Control("M", "manual", "manual", (), "collect it"),
        Control("A", "all problems", "automated", ("not-in-scan", "errored", "no-data", "uncollected", "anonymous-binding", "empty-kinds")),
        Control("W", "waived", "automated", ("waived", "ran-clean")),
    ]
    framework = Framework("t", "T", "1", Path("t.yaml"), tuple(controls))
    findings = [_finding("waived", "waived", "w-1")]
    reasons = [c.reason for fr in roll_up([framework], findings, coverage) for c in fr.controls if c.reason]
    # A fleet: one cluster missed a kind, another could not be read.
    fleet = merge_coverage(
        [("prod-eu", {"uncollected": coverage["uncollected"]}, None), ("prod-us", None, "connection refused")],
        [Stub("uncollected", ("Deployment",))], {},
    )
    fleet_fw = Framework("f", "F", "1", Path("f.yaml"), (Control("F1", "fleet", "automated", ("uncollected",)),))
    reasons += [c.reason for fr in roll_up([fleet_fw], [], fleet) for c in fr.controls if c.reason]
    reasons.append(_changed_since_reason())
    assert policies  # the population came from a real check
    return reasons


def _changed_since_reason() -> str:
    from scanner.compliance import changes

    source = Path(changes.__file__).read_text(encoding="utf-8")
    match = re.search(r'control\.reason = "([^"]+)"', source)
    assert match, "changes.py no longer writes its reason as a literal; drive it here instead"
    return match.group(1)


def test_every_reason_the_roll_up_writes_translates() -> None:
    reasons = produced_reasons()
    joined = "\n".join(reasons)
    for fragment in ("was not part of this scan", "could not run", "--data file", "was not collected", "judged without it",
                     "found no resource in its population", "found no resources of its kinds", "human evidence",
                     "approved exception", "cluster prod-us was not scanned", "cluster prod-eu:", "--changed-since"):
        assert fragment in joined, f"the roll-up no longer writes {fragment!r}; update this test and REASONS"
    for reason in reasons:
        ko = reason_translation(reason, "ko")
        assert ko is not None, f"no Korean template matches: {reason!r}"
        assert HANGUL.search(ko)
        for template in REASONS:  # no English sentence of ours survives inside the Korean
            for literal in PLACEHOLDER.split(template)[::2]:
                if len(literal.strip()) >= 12:
                    assert literal not in ko, (reason, literal)


def test_population_inside_a_reason_is_translated_and_values_are_kept() -> None:
    population = next(p.population for p in load_policies().policies if p.id == "anonymous-binding")
    reason = f"anonymous-binding found no resource in its population: {population}; image-digest could not run: boom; x"
    assert reason_translation(reason, "ko") is not None  # "boom; x" is the error's own text
    ko = reason_translation(f"anonymous-binding found no resource in its population: {population}", "ko")
    assert ko is not None and "anonymous-binding" in ko and population not in ko and "system:public-info-viewer" in ko
    assert reason_translation("a sentence no template knows", "ko") is None
    assert localized.reason_text("a sentence no template knows", "ko") == "a sentence no template knows"


# --- the demo report in Korean ------------------------------------------------------------

class VisibleText(HTMLParser):
    """Text nodes a reader sees, leaving out what the page marks as English (lang="en")."""

    VOID = {"br", "meta", "link", "rect", "img", "input", "hr", "col"}

    def __init__(self) -> None:
        super().__init__()
        self.english: list[bool] = []
        self.texts: list[str] = []
        self.marked_english: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.english.append(dict(attrs).get("lang") == "en" or tag in ("style", "title"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID:
            self.english.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            (self.marked_english if any(self.english) else self.texts).append(text)


def visible(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def english_of_ours(texts: list[str]) -> list[str]:
    """Which English fixed strings, check titles, remediations, evidence texts or reasons appear in ``texts``."""
    page = "\n".join(texts)
    nodes = set(texts)
    found = []
    ko_values = set(i18n.MESSAGES["ko"].values())
    for key, english in i18n.MESSAGES["en"].items():
        if english in ko_values:  # the same in both (none today), nothing to find
            continue
        for literal in PLACEHOLDER.split(english)[::2]:
            literal = literal.strip(" :·()")
            if (len(literal.split()) >= 3 and literal in page) or (literal and literal in nodes):
                found.append(f"i18n {key}: {literal!r}")
    for p in load_policies().policies:
        if p.title in nodes:
            found.append(f"title of {p.id}")
        if p.remediation in page:
            found.append(f"remediation of {p.id}")
    for fw in load_frameworks():
        for c in fw.controls:
            if c.manual_evidence and " ".join(c.manual_evidence.split()) in page:
                found.append(f"manual evidence of {fw.id} {c.id}")
    for template in REASONS:
        for literal in PLACEHOLDER.split(template)[::2]:
            if len(literal.strip()) >= 12 and literal in page:
                found.append(f"reason {literal!r}")
    return found


@pytest.fixture(scope="module")
def demo_pages(demo_json: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("ko-report")
    pages = {}
    for lang in ("en", "ko"):
        target = out / f"report-{lang}.html"
        result = CliRunner().invoke(main, ["report", str(demo_json), "-f", "html", "--lang", lang, "-o", str(target)])
        assert result.exit_code == 0, result.output
        pages[lang] = target.read_text(encoding="utf-8")
    return pages


def test_demo_report_in_korean_has_no_english_of_ours(demo_pages: dict[str, str]) -> None:
    ko = visible(demo_pages["ko"])
    assert english_of_ours(ko.texts) == []
    # The detector sees English where there is some: the English report is full of it.
    en_page = visible(demo_pages["en"])  # <html lang="en">: all of it is marked English
    en_found = english_of_ours(en_page.texts + en_page.marked_english)
    assert any(f.startswith("title of ") for f in en_found) and any(f.startswith("remediation of ") for f in en_found)
    assert any(f.startswith("manual evidence of ") for f in en_found) and any(f.startswith("reason ") for f in en_found)


def test_demo_report_in_korean_shows_the_translations(demo_pages: dict[str, str]) -> None:
    page = "\n".join(visible(demo_pages["ko"]).texts)
    for needle in ("특권 컨테이너", "모집단에 해당하는 리소스가 없습니다", "점검 항목이 작성한 원문(영어)", "수동으로 수집할 증적:"):
        assert needle in page, needle
    # Finding messages (written by the checks, in English) are marked so, and only they and
    # untranslated data are: the user's own check keeps its English title, marked too.
    marked = visible(demo_pages["ko"]).marked_english
    assert "Workloads carry a team label" in marked


def test_korean_words_are_kept_whole_in_print() -> None:
    css = (Path(localized.__file__).parent / "templates" / "report.css.j2").read_text(encoding="utf-8")
    assert re.search(r":lang\(ko\)\s*\{[^}]*word-break:\s*keep-all", css)


def test_every_provenance_line_translates() -> None:
    from scanner.reports.provenance import provenance_lines

    scans = [
        {"targets": [{"type": "cluster", "context": "prod", "cluster_uid": "u-1", "identity": {"username": "admin"},
                      "access": {"kinds_listed": 5, "kinds_forbidden": ["Secret"]}},
                     {"type": "cluster", "context": "dev", "cluster_uid_error": "403", "identity": {"unknown": "no SelfSubjectReview"},
                      "access": {"kinds_listed": 3}},
                     {"type": "cluster", "context": "qa", "identity": {"username": "ci"}},
                     {"type": "cluster", "context": "stg", "cluster_uid": "u-2"},
                     {"type": "manifests", "path": "deploy", "git_commit": "a" * 40, "git_dirty": True, "files_changed_from_head_count": 2},
                     {"type": "manifests", "path": "base", "git_commit": "b" * 40, "git_dirty": False},
                     {"type": "manifests", "path": "other", "git_commit": "c" * 40}],
         "inputs": [{"path": "a.yaml"}], "run": {"user": "me", "host": "box", "ci": {"provider": "github", "run_url": "https://ci/1"}}},
        {"run": {"user": "me", "host": "box"}},
    ]
    lines = [line for scan in scans for line in provenance_lines(scan)]
    assert len(lines) == 10
    for line in lines:
        ko = reason_translation(line, "ko")
        assert ko is not None and HANGUL.search(ko), line

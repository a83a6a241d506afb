"""Evidence over a period: a store of 12 real scans of a changing fixture, the period report's
figures one by one, diff on the same series, OSCAL for the period, signed results.

The series (weekly on Mondays from 2026-01-05, week 7 skipped, so 12 scans in 13 weeks):

- scans 0-1: clean except DaemonSet ``agent`` with hostNetwork (Host Namespaces fails);
- scans 2-4: Deployment ``api`` turns privileged (Privileged Containers fails); fixed in scan 5;
- scans 6-9: the hostNetwork finding is waived (``waivers.yaml#1``, expiring 2099);
- scans 10-11: the same waiver, now with an expiry in the past: expired, so Host Namespaces fails again;
- scan 11: a new Deployment ``extra`` joins the population.

Every result comes from a real ``kubecomply scan manifests``; only ``scan.started`` and
``scan.finished`` are then set to the series' dates (the scans all ran today).  Waiver expiry
is judged at scan time, which is why the expired waiver carries a date in the past.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.integrity import sealed
from test_report_html import Page, assert_self_contained

SINCE, UNTIL = "2026-01-05", "2026-04-05"
WEEKS = [w for w in range(13) if w != 7]
START = dt.datetime(2026, 1, 5, 2, 17, tzinfo=dt.timezone.utc)
HN, PC = "Host Namespaces", "Privileged Containers"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def deployment(name, privileged=False):
    container = {"name": "app", "image": "registry.example.com/app:1.0", "securityContext": {"privileged": True} if privileged else {"allowPrivilegeEscalation": False}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "shop"},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}}}}


def daemonset():
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "monitoring"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {"metadata": {"labels": {"app": "agent"}},
                     "spec": {"hostNetwork": True, "containers": [{"name": "agent", "image": "registry.example.com/agent:1.0"}]}}}}


def waivers(folder: Path, expires: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "waivers.yaml"
    path.write_text(
        "waivers:\n  - check: host-namespaces\n    match: {kind: DaemonSet, namespace: monitoring, name: agent}\n"
        f"    justification: node agent needs the host network\n    approved_by: sec@example.com\n    expires: {expires}\n    ticket: SEC-7\n"
    )
    return path


def when(index: int) -> dt.datetime:
    return START + dt.timedelta(weeks=WEEKS[index])


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """12 result files, their keys, and a store holding all of them (signed)."""
    root = tmp_path_factory.mktemp("series")
    app = root / "app"
    app.mkdir()
    valid = waivers(root / "w-valid", "2099-12-31")
    expired = waivers(root / "w-expired", "2026-03-20")
    assert run("attest", "keygen", "--private", root / "k.key", "--public", root / "k.pub").exit_code == 0
    results = []
    for i in range(12):
        (app / "api.yaml").write_text(json.dumps(deployment("api", privileged=2 <= i <= 4)))
        (app / "agent.yaml").write_text(json.dumps(daemonset()))
        if i == 11:
            (app / "extra.yaml").write_text(json.dumps(deployment("extra")))
        out_file = root / f"scan-{i:02d}.json"
        args = ["scan", "manifests", app, "--framework", "pss-baseline", "--fail-on", "none", "-f", "json", "-o", out_file]
        if 6 <= i <= 9:
            args += ["--waivers", valid]
        elif i >= 10:
            args += ["--waivers", expired]
        out = run(*args)
        assert out.exit_code == 0, out.output
        doc = json.loads(out_file.read_text())
        doc["scan"]["started"] = iso(when(i))
        doc["scan"]["finished"] = iso(when(i) + dt.timedelta(seconds=2))
        doc = sealed(doc)  # the times were moved after the scan: give the result its digest again, as the scan would have
        out_file.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        assert run("attest", out_file, "--key", root / "k.key").exit_code == 0
        results.append(out_file)
    store = root / "store"
    out = run("history", "add", *results, "--store", store, "--key", root / "k.pub")
    assert out.exit_code == 0, out.output
    assert out.stdout.count("signed, verified") == 12
    return {"root": root, "results": results, "store": store, "pub": root / "k.pub", "key": root / "k.key"}


@pytest.fixture(scope="module")
def period(series):
    out = run("report", "--store", series["store"], "--since", SINCE, "--until", UNTIL, "--schedule", "weekly", "-f", "json")
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def control(period, cid):
    (fw,) = [f for f in period["frameworks"] if f["id"] == "pss-baseline"]
    (found,) = [c for c in fw["controls"] if c["id"] == cid]
    return found


def test_the_fixture_really_changes(series):
    """The series is what the figures below assume: check the raw results first."""
    docs = [json.loads(p.read_text()) for p in series["results"]]
    status = lambda d, cid: next(c["status"] for fw in d["frameworks"] for c in fw["controls"] if c["id"] == cid)  # noqa: E731
    assert [status(d, PC) for d in docs] == ["pass"] * 2 + ["fail"] * 3 + ["pass"] * 7
    hn = [status(d, HN) for d in docs]
    assert hn[:6] == ["fail"] * 6 and hn[10:] == ["fail"] * 2
    assert all(s in ("pass", "pass-with-exceptions") for s in hn[6:10])
    assert [d["summary"]["findings_by_status"].get("waived", 0) for d in docs] == [0] * 6 + [1] * 4 + [0] * 2


def test_store_is_content_addressed_plain_files(series):
    import hashlib

    store = series["store"]
    files = sorted((store / "results" / "sha256").glob("*.json"))
    assert len(files) == 12
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem
    assert len(list((store / "attestations" / "sha256").glob("*.dsse.json"))) == 12
    assert json.loads((store / "kubecomply-store.json").read_text())["format"] == "kubecomply-history"
    again = run("history", "add", series["results"][0], "--store", store)
    assert again.exit_code == 0 and again.stdout.startswith("already stored sha256:")
    assert len(list((store / "index").glob("*.json"))) == 12


def test_history_list_filters_by_time(series):
    out = run("history", "list", "--store", series["store"], "-f", "json")
    records = json.loads(out.stdout)
    assert [r["started"] for r in records] == [iso(when(i)) for i in range(12)]
    assert all(r["signed"] and r["verified"] for r in records)
    february = json.loads(run("history", "list", "--store", series["store"], "--since", "2026-02-01", "--until", "2026-02-28", "-f", "json").stdout)
    assert [r["started"][:10] for r in february] == ["2026-02-02", "2026-02-09", "2026-02-16"]
    table = run("history", "list", "--store", series["store"]).stdout
    assert "12 result(s)" in table and "verified" in table


def test_period_scans_and_digests(period, series):
    import hashlib

    assert period["since"] == "2026-01-05T00:00:00Z" and period["until"] == "2026-04-06T00:00:00Z"
    assert len(period["scans"]) == 12
    for row, path in zip(period["scans"], series["results"]):
        assert row["digest"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        assert row["signed"] is True and row["verified"] is True
    assert [s["open_findings"] for s in period["scans"]] == [1, 1, 2, 2, 2, 1, 0, 0, 0, 0, 1, 1]


def test_period_schedule_and_gaps(period):
    assert period["missing"] == [{"from": "2026-02-23T00:00:00Z", "to": "2026-03-02T00:00:00Z"}]
    gap = period["longest_gap"]
    assert gap["seconds"] == 14 * 86400 and gap["duration"] == "14d"
    assert gap["from"]["started"] == "2026-02-16T02:17:00Z" and gap["to"]["started"] == "2026-03-02T02:17:00Z"


def test_period_privileged_containers_figures(period):
    c = control(period, PC)
    assert c["statuses"] == ["pass"] * 2 + ["fail"] * 3 + ["pass"] * 7
    assert c["scans_reported"] == 12 and c["scans_passed"] == 9 and c["pass_share"] == 0.75
    assert c["first_failure"]["started"] == "2026-01-19T02:17:00Z" and c["first_failure"]["index"] == 2
    assert c["resolved"]["started"] == "2026-02-09T02:17:00Z"
    assert c["resolution_seconds"] == 21 * 86400 and c["resolution"] == "21d"
    assert c["open_at_end"] is False and c["failure_episodes"] == 1 and c["last_status"] == "pass"


def test_period_host_namespaces_figures(period):
    c = control(period, HN)
    assert c["scans_passed"] == 4 and c["pass_share"] == round(4 / 12, 4)
    assert c["first_failure"]["index"] == 0 and c["first_failure"]["started"] == "2026-01-05T02:17:00Z"
    assert c["resolved"]["started"] == "2026-02-16T02:17:00Z"  # by the waiver
    assert c["resolution"] == "42d"
    assert c["open_at_end"] is True and c["failure_episodes"] == 2 and c["last_status"] == "fail"


def test_period_exception_lifetime(period):
    (w,) = period["exceptions"]
    assert w["id"] == "waivers.yaml#1" and w["check"] == "host-namespaces" and w["ticket"] == "SEC-7"
    assert w["scans_applied"] == 4
    assert w["first_applied"]["started"] == "2026-02-16T02:17:00Z"
    assert w["last_applied"]["started"] == "2026-03-16T02:17:00Z"
    assert w["lifetime_days"] == 28.0
    assert w["first_expired"]["started"] == "2026-03-23T02:17:00Z"
    assert w["status_at_end"] == "expired" and w["expires"] == "2026-03-20"
    assert w["statuses"] == [None] * 6 + ["applied"] * 4 + ["expired"] * 2


def test_period_html_shows_the_figures_safely(series, period, tmp_path):
    out = run("report", "--store", series["store"], "--since", SINCE, "--until", UNTIL, "--schedule", "weekly", "-f", "html", "-o", tmp_path / "p.html")
    assert out.exit_code == 0, out.output
    page = (tmp_path / "p.html").read_text()
    parsed = Page(page)
    assert_self_contained(page, parsed)  # the single-scan report's rules: CSP meta, no external reference
    assert not parsed.named("script") and "<script" not in page.lower()
    for row in period["scans"]:
        assert row["digest"] in page
    assert "75%" in page and "33%" in page and "21d" in page and "42d" in page and "failing again at end" in page
    assert "2026-02-23T00:00:00Z to 2026-03-02T00:00:00Z" in page
    assert page.count('class="m-fail"') == 3 + 8  # Privileged Containers 3 failing scans, Host Namespaces 8
    assert "28.0 days" in page


def test_period_html_escapes_values_from_results(tmp_path):
    """A hostile subject (a path from a manifest repository) is text, never markup."""
    doc = _minimal_result("2026-01-05T00:00:00Z", target='<img src=x onerror=alert(1)>')
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    assert run("history", "add", path, "--store", tmp_path / "s").exit_code == 0
    page = run("report", "--store", tmp_path / "s", "-f", "html").stdout
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def _minimal_result(started, target="deploy/", status="pass", waivers=()):
    return {
        "schema_version": "1.0",
        "scan": {"tool": "kubecomply", "version": "0.1.0", "started": started, "finished": started, "source": "manifests", "targets": [{"type": "path", "path": target}]},
        "summary": {}, "findings": [], "gaps": [], "waivers": list(waivers),
        "frameworks": [{"id": "fw", "title": "FW", "version": "1", "score": None, "coverage": 0, "counts": {}, "controls": [{"id": "C-1", "title": "one", "automation": "automated", "status": status}]}],
    }


def test_unknown_statuses_are_not_passes(tmp_path):
    """Statuses are open strings: an unknown one is not passed, and a control going to it got worse."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(_minimal_result("2026-01-05T00:00:00Z", status="pass")))
    new.write_text(json.dumps(_minimal_result("2026-01-12T00:00:00Z", status="pending-review")))
    out = run("diff", old, new, "-f", "json")
    assert out.exit_code == 1
    assert json.loads(out.stdout)["controls_changed"] == [{"framework": "fw", "control": "C-1", "title": "one", "old": "pass", "new": "pending-review", "worse": True}]
    for path in (old, new):
        run("history", "add", path, "--store", tmp_path / "s")
    period = json.loads(run("report", "--store", tmp_path / "s", "-f", "json").stdout)
    c = period["frameworks"][0]["controls"][0]
    assert c["scans_passed"] == 1 and c["pass_share"] == 0.5 and c["first_failure"] is None


def test_store_refuses_changed_results_and_mixed_subjects(series, tmp_path):
    import shutil

    store = tmp_path / "copy"
    shutil.copytree(series["store"], store)
    victim = sorted((store / "results" / "sha256").glob("*.json"))[3]
    data = bytearray(victim.read_bytes())
    data[data.index(b'"fail"') + 2] ^= 0x20
    victim.write_bytes(bytes(data))
    out = run("report", "--store", store, "-f", "json")
    assert out.exit_code == 2
    assert "stored result was changed" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    other = tmp_path / "other.json"
    other.write_text(json.dumps(_minimal_result("2026-02-01T00:00:00Z", target="elsewhere/")))
    store2 = tmp_path / "mixed"
    shutil.copytree(series["store"], store2)
    assert run("history", "add", other, "--store", store2).exit_code == 0
    out = run("report", "--store", store2, "-f", "json")
    assert out.exit_code == 2 and "pick one with --subject" in out.stderr
    subject = json.loads(run("history", "list", "--store", store2, "-f", "json").stdout)[0]["provenance"]["subject"]
    picked = run("report", "--store", store2, "--subject", subject, "-f", "json")
    assert picked.exit_code == 0 and len(json.loads(picked.stdout)["scans"]) == 12


# --- diff on the same series -------------------------------------------------------------


def diff(series, a, b):
    out = run("diff", series["results"][a], series["results"][b], "-f", "json")
    return out.exit_code, json.loads(out.stdout)


def test_diff_new_finding_is_worse(series):
    code, d = diff(series, 1, 2)
    assert code == 1 and d["worse"] is True
    assert [(f["check"], f["resource"]["name"], f["path"]) for f in d["findings"]["new"]] == [("privileged-containers", "api", "spec.template.spec.containers[0].securityContext.privileged")]
    assert d["findings"]["resolved"] == [] and d["findings"]["unchanged"] == 1
    assert [(c["control"], c["old"], c["new"], c["worse"]) for c in d["controls_changed"]] == [(PC, "pass", "fail", True)]


def test_diff_fix_is_not_worse(series):
    code, d = diff(series, 4, 5)
    assert code == 0 and d["worse_reasons"] == []
    assert [f["resource"]["name"] for f in d["findings"]["resolved"]] == ["api"]
    assert [(c["control"], c["new"]) for c in d["controls_changed"]] == [(PC, "pass")]


def test_diff_waiver_added(series):
    code, d = diff(series, 5, 6)
    assert code == 0
    assert [w["id"] for w in d["waivers"]["added"]] == ["waivers.yaml#1"]
    assert [(f["old_status"], f["new_status"]) for f in d["findings"]["status_changed"]] == [("fail", "waived")]
    assert d["findings"]["new"] == [] and d["findings"]["resolved"] == []


def test_diff_waiver_expired_is_worse(series):
    code, d = diff(series, 9, 10)
    assert code == 1
    assert [(w["id"], w["expires"]) for w in d["waivers"]["expired"]] == [("waivers.yaml#1", "2026-03-20")]
    assert [(f["old_status"], f["new_status"]) for f in d["findings"]["status_changed"]] == [("waived", "fail")]
    assert [c["control"] for c in d["controls_changed"] if c["worse"]] == [HN]
    assert any("expired" in r for r in d["worse_reasons"])


def test_diff_population_change(series):
    code, d = diff(series, 10, 11)
    assert code == 0
    assert d["population"]["resources_added"] == ["Deployment shop/extra"]
    assert d["population"]["resources"] == {"old": 2, "new": 3}


def test_diff_removed_waiver_and_text_formats(series):
    code, d = diff(series, 6, 5)  # backwards: the waiver disappears and the finding opens again
    assert code == 1 and [w["id"] for w in d["waivers"]["removed"]] == ["waivers.yaml#1"]
    text = run("diff", series["results"][1], series["results"][2]).stdout
    assert "New findings (1):" in text and "WORSE: 1 new open finding(s)" in text
    md = run("diff", series["results"][1], series["results"][2], "-f", "markdown").stdout
    assert md.startswith("### kubecomply diff") and "**Worse**" in md and "<details>" in md


# --- OSCAL for the period --------------------------------------------------------------------


def test_period_oscal_round_trip(series, period, tmp_path):
    from oscal_helpers import load_assessment_results, statuses_from

    out = run("report", "--store", series["store"], "--since", SINCE, "--until", UNTIL, "-f", "oscal", "-o", tmp_path / "p.oscal.json")
    assert out.exit_code == 0, out.output
    ar = load_assessment_results(tmp_path / "p.oscal.json")
    assert len(ar.results) == 12
    for i, result in enumerate(ar.results):
        expected = {(fw["id"], c["id"]): c["statuses"][i] for fw in period["frameworks"] for c in fw["controls"] if c["statuses"][i] is not None}
        assert statuses_from(result) == expected
        props = {p.name: p.value for p in result.props}
        assert props["result-digest"] == period["scans"][i]["digest"] and props["signed"] == "true" and props["verified"] == "true"


# --- signed evidence ----------------------------------------------------------------------------


def test_verify_untouched_and_one_byte_changed(series, tmp_path):
    result = series["results"][0]
    ok = run("verify", result, "--key", series["pub"])
    assert ok.exit_code == 0 and ok.stdout.startswith("verified: ")
    changed = tmp_path / "changed.json"
    data = bytearray(result.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed.write_bytes(bytes(data))
    bad = run("verify", changed, "--attestation", str(result) + ".dsse.json", "--key", series["pub"])
    assert bad.exit_code == 1
    (line,) = bad.stderr.strip().splitlines()
    assert "FAILED: result digest" in line and "changed after signing" in line


def test_attestation_predicate_names_inputs_run_and_result_digest(series):
    """The signed statement ties the signature to what the result says it covered, not only its bytes."""
    import base64

    result = series["results"][0]
    scan = json.loads(result.read_text(encoding="utf-8"))["scan"]
    envelope = json.loads(Path(str(result) + ".dsse.json").read_text(encoding="utf-8"))
    predicate = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    assert predicate["result_digest"] == scan["result_digest"]
    assert predicate["inputs"] == scan["inputs"] and predicate["inputs"]
    assert predicate["run"] == scan["run"] and predicate["policy_bundle"] == scan["policy_bundle"]


def test_verify_wrong_key_and_changed_envelope(series, tmp_path):
    assert run("attest", "keygen", "--private", tmp_path / "o.key", "--public", tmp_path / "o.pub").exit_code == 0
    result = series["results"][0]
    wrong = run("verify", result, "--key", tmp_path / "o.pub")
    assert wrong.exit_code == 1 and "signature does not verify" in wrong.stderr
    envelope = json.loads(Path(str(result) + ".dsse.json").read_text())
    import base64

    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["subject"][0]["digest"]["sha256"] = "0" * 64
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    forged = tmp_path / "forged.dsse.json"
    forged.write_text(json.dumps(envelope))
    out = run("verify", result, "--attestation", forged, "--key", series["pub"])
    assert out.exit_code == 1 and "signature does not verify" in out.stderr
    assert (tmp_path / "o.key").stat().st_mode & 0o077 == 0
    again = run("attest", "keygen", "--private", tmp_path / "o.key", "--public", tmp_path / "o.pub")
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_history_add_refuses_a_tampered_signed_result(series, tmp_path):
    result = series["results"][2]
    changed = tmp_path / "scan.json"
    changed.write_bytes(result.read_bytes().replace(b'"privileged-containers"', b'"privileged-containerz"', 1))
    Path(str(changed) + ".dsse.json").write_bytes(Path(str(result) + ".dsse.json").read_bytes())
    good = tmp_path / "good.json"
    good.write_bytes(series["results"][3].read_bytes())
    out = run("history", "add", changed, good, "--store", tmp_path / "s", "--key", series["pub"])
    assert out.exit_code == 1
    assert "not stored" in out.stderr and "changed after signing" in out.stderr
    records = json.loads(run("history", "list", "--store", tmp_path / "s", "-f", "json").stdout)
    assert len(records) == 1 and records[0]["signed"] is False and records[0]["verified"] is None  # no .dsse.json beside good.json: unsigned


@pytest.mark.skipif(__import__("shutil").which("chromium") is None and __import__("shutil").which("chromium-browser") is None, reason="Chromium is not on the PATH (apt-get install chromium)")
def test_period_pdf(series, tmp_path):
    out = run("report", "--store", series["store"], "--since", SINCE, "--until", UNTIL, "-f", "pdf", "-o", tmp_path / "p.pdf")
    assert out.exit_code == 0, out.output
    data = (tmp_path / "p.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000


def test_period_argument_errors(series, tmp_path):
    assert "--store" in run("report", "--since", SINCE).stderr
    korean = run("report", "--store", series["store"], "-f", "html", "--lang", "ko")
    assert korean.exit_code == 2 and "--lang" in korean.stderr
    both = run("report", series["results"][0], "--store", series["store"])
    assert both.exit_code == 2 and "not both" in both.stderr
    table = run("report", "--store", series["store"], "-f", "table")
    assert table.exit_code == 2 and "html, pdf, json, oscal" in table.stderr
    empty = run("report", "--store", series["store"], "--since", "2030-01-01", "-f", "json")
    assert empty.exit_code == 2 and "no stored results" in empty.stderr
    bad_date = run("report", "--store", series["store"], "--since", "last tuesday", "-f", "json")
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.stderr
    no_bounds = run("report", "--store", series["store"], "--schedule", "weekly", "-f", "json")
    assert no_bounds.exit_code == 2 and "--schedule needs --since and --until" in no_bounds.stderr
    not_store = tmp_path / "x"
    not_store.mkdir()
    (not_store / "file").write_text("x")
    refused = run("history", "add", series["results"][0], "--store", not_store)
    assert refused.exit_code == 2 and "not empty and not a history store" in refused.stderr

"""The JSON result written in pieces (issue 16, memory at 100,000 resources): same bytes, bounded pieces.

``-f json`` never encodes the document whole: ``jsonbytes.stream`` walks its big
containers (the resource inventory, the controls' findings and population
lists) and encodes small parts one at a time.  The bytes must stay exactly
``json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\\n"``
and ``scan.result_digest`` the SHA-256 of the compact canonical form, whatever
the piece sizes; and no piece may be the size of the document, or the stream
would hold as much memory as encoding it whole.
"""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from click.testing import CliRunner

from scanner import jsonbytes
from scanner.cli import main
from scanner.integrity import FIELD
from scanner.jsonbytes import Lazy, stream
from scanner.model import ScanResult
from scanner.reports import json_report


def stdlib_pretty(value) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def stdlib_compact(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def joined(value, checked=False) -> tuple[bytes, bytes]:
    pieces = list(stream(value, checked))
    return b"".join(p for p, _ in pieces) + b"\n", b"".join(c for _, c in pieces)


# Scalars where orjson and the stdlib could differ, so each piece's fallback is exercised too.
SCALARS = [0, 7, -5, 300, 2**40, 2**70, 1.5, 1e-05, float("nan"), "x", "é \"q\"\n\t", "", None, True, False, [], {}]


def random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return rng.choice(SCALARS)
    if roll < 0.65:
        return [random_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3, rng.randint(0, 120) if depth < 2 else 4]))]
    keys = ["a", "b", "scan", "Z", "_", "é", "findings"]
    return {f"{rng.choice(keys)}{rng.randint(0, 40)}": random_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3, rng.randint(0, 40) if depth < 2 else 3]))}


@pytest.mark.parametrize("split", [3, 17, 200])
def test_stream_gives_the_stdlib_bytes_for_any_value_and_any_piece_size(monkeypatch, split):
    monkeypatch.setattr(jsonbytes, "SPLIT", split)
    monkeypatch.setattr(jsonbytes, "_SMALL", 4)
    rng = random.Random(split)
    for _ in range(60):
        value = random_value(rng)
        assert joined(value) == (stdlib_pretty(value), stdlib_compact(value))
        if isinstance(value, list):  # the same list made item by item while it is written, at any depth
            for batch in (1, 2, 9):
                wrapped = {"k": Lazy(iter(value), batch), "a": [Lazy(iter(value), batch)]}
                assert joined(wrapped) == (stdlib_pretty({"k": value, "a": [value]}), stdlib_compact({"k": value, "a": [value]}))


def test_stream_of_an_empty_lazy_list_and_odd_keys():
    assert joined({"x": Lazy(iter([]))}) == (stdlib_pretty({"x": []}), stdlib_compact({"x": []}))
    odd = {"big": list(range(10_000)), 1: "a non-string key"}  # the stdlib's own key handling: encoded whole
    for encode in (joined, stdlib_pretty):  # mixed int and str keys cannot be sorted, by the stdlib either
        with pytest.raises(TypeError):
            encode({"a": odd, "b": odd})
    numeric = {2: list(range(5_000)), 10: "x"}
    assert joined(numeric) == (stdlib_pretty(numeric), stdlib_compact(numeric))


def write_corpus(folder, count: int) -> None:
    """``count`` workloads and services over a few namespaces; most workloads unhardened, so findings are many."""
    docs = []
    for i in range(count):
        ns, name = f"team-{i % 7}", f"app-{i}"
        if i % 4 == 3:
            docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{selector: {{app: {name}}}, ports: [{{port: 80}}]}}\n")
            continue
        hardened = i % 5 == 0
        security = "{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}" if hardened else f"{{privileged: {str(i % 3 == 0).lower()}}}"
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\n"
            f"spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
            f"    spec:\n      hostNetwork: {str(i % 6 == 1).lower()}\n      containers:\n"
            f"        - name: app\n          image: registry.example.com/app:{i % 9}\n          securityContext: {security}\n"
        )
    for start in range(0, count, 50):
        (folder / f"part-{start // 50:03d}.yaml").write_text("---\n".join(docs[start:start + 50]), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stream-corpus")
    write_corpus(folder, 600)
    return folder


def scan_to_file(folder, out) -> bytes:
    run = CliRunner().invoke(main, ["scan", "manifests", str(folder), "-f", "json", "-o", str(out), "--quiet"])
    assert run.exit_code == 1, run.output
    return out.read_bytes()


@pytest.mark.parametrize("split", [5, jsonbytes.SPLIT])
def test_a_scan_written_in_pieces_is_the_stdlib_document_and_its_digest(corpus, tmp_path, monkeypatch, split):
    """Driven through the CLI on a live result (shared resource, origin and population objects), any piece size."""
    monkeypatch.setattr(jsonbytes, "SPLIT", split)
    monkeypatch.setattr(json_report, "FINDINGS_PER_BATCH", 7 if split < 100 else 2000)
    monkeypatch.setattr(json_report, "RESOURCES_PER_BATCH", 11 if split < 100 else 2000)
    monkeypatch.setattr(json_report, "CHUNK", 1000 if split < 100 else 1 << 20)
    written = scan_to_file(corpus, tmp_path / "result.json")
    document = json.loads(written)
    assert written == stdlib_pretty(document)
    unsealed = {**document, "scan": {k: v for k, v in document["scan"].items() if k != FIELD}}
    assert document["scan"][FIELD] == "sha256:" + hashlib.sha256(stdlib_compact(unsealed)).hexdigest()
    # Big enough for the pieces to matter: many resources, findings, and controls with large populations.
    assert len(document["resources"]) == 600 and len(document["findings"]) > 1000
    populations = [c["population"] for fw in document["frameworks"] for c in fw["controls"] if c.get("population")]
    assert max(sum(last - first + 1 for first, last in runs) for p in populations for runs in p.values()) >= 400
    assert max(len(c.get("findings", [])) for fw in document["frameworks"] for c in fw["controls"]) >= 400
    # Read back and written again (``kubecomply report``): the same bytes.
    assert json_report.render_json(ScanResult.from_dict(document)) == written


def test_no_piece_is_encoded_whole(corpus, tmp_path, monkeypatch):
    """Every value handed to the encoders is small: the document, its inventory and its index lists are never encoded at once."""
    monkeypatch.setattr(jsonbytes, "SPLIT", 50)
    monkeypatch.setattr(json_report, "FINDINGS_PER_BATCH", 20)
    monkeypatch.setattr(json_report, "RESOURCES_PER_BATCH", 20)
    sizes: list[int] = []
    for name in ("pretty", "compact"):
        inner = getattr(jsonbytes, name)

        def spy(value, checked=False, inner=inner):
            sizes.append(jsonbytes._size(value, 10**9))
            return inner(value, checked)

        monkeypatch.setattr(jsonbytes, name, spy)
    written = scan_to_file(corpus, tmp_path / "result.json")
    total = jsonbytes._size(json.loads(written), 10**9)
    # Bound: a batch of 20 findings (about 20 elements each), or of items adding up to at most 2 x SPLIT elements.
    assert sizes and max(sizes) <= 20 * 25 < total / 50, (max(sizes), total)


def test_a_result_whose_scan_is_not_an_object_is_still_written(tmp_path):
    result = ScanResult(scan="odd", summary={}, findings=[], gaps=[], frameworks=[], waivers=[])  # type: ignore[arg-type]
    whole, _ = json_report.sealed_document(result)  # encoded at once, as before streaming
    assert json_report.render_json(result) == stdlib_pretty(whole)

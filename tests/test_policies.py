"""The policy loader: METADATA validation and clear file:line errors."""

from __future__ import annotations

import pytest

from conftest import check_module, write
from scanner.engine.embedded import EmbeddedEngine
from scanner.policies import WORKLOAD_KINDS, PolicyError, load_policies, parse_metadata

DENY = 'deny contains {"msg": "x", "path": ["spec"]} if input.spec.bad'


def test_user_check_is_loaded_with_expanded_kinds(policy_dir):
    write(policy_dir, "a.rego", check_module("my-check", "custom.a", DENY, kinds="[workloads, Service]"))
    policies = load_policies([policy_dir]).by_id()
    check = policies["my-check"]
    assert check.kinds == WORKLOAD_KINDS + ("Service",)
    assert check.declared_kinds == ("workloads", "Service")
    assert check.bundled is False
    assert check.package == "custom.a"
    # bundled checks are there too
    assert "privileged-containers" in policies


@pytest.mark.parametrize(
    "metadata_line, expected",
    [
        ("#   severity: urgent", "custom.severity 'urgent' is not one of"),
        ("#   id: Not_A_Slug", "must be a lower-case slug"),
        ("#   kinds: 7", "custom.kinds must be a list"),
    ],
)
def test_invalid_metadata_names_file_and_line(policy_dir, metadata_line, expected):
    text = check_module("bad-check", "custom.bad", DENY)
    key = metadata_line.split(":")[0]
    text = "\n".join(metadata_line if line.startswith(key + ":") else line for line in text.splitlines())
    write(policy_dir, "bad.rego", text)
    with pytest.raises(PolicyError) as info:
        load_policies([policy_dir], include_bundled=False)
    assert expected in str(info.value)
    assert str(info.value).startswith(str(policy_dir / "bad.rego").split("/")[-1]) or "bad.rego:" in str(info.value)
    assert info.value.line == 1


def test_missing_remediation_is_an_error(policy_dir):
    text = check_module("no-fix", "custom.nofix", DENY).replace("#   remediation: Fix it.\n", "")
    write(policy_dir, "nofix.rego", text)
    with pytest.raises(PolicyError, match="missing 'custom.remediation'"):
        load_policies([policy_dir], include_bundled=False)


def test_deny_without_metadata_is_an_error(policy_dir):
    write(policy_dir, "anon.rego", "package custom.anon\n\ndeny contains \"no\" if input.x\n")
    with pytest.raises(PolicyError) as info:
        load_policies([policy_dir], include_bundled=False)
    assert info.value.line == 3
    assert "no package-scope METADATA" in str(info.value)


def test_library_module_without_deny_needs_no_metadata(policy_dir):
    write(policy_dir, "lib.rego", "package custom.lib\n\nis_big(x) if x > 10\n")
    write(policy_dir, "a.rego", check_module("uses-lib", "custom.a", "import data.custom.lib\n" + 'deny contains "big" if lib.is_big(input.spec.n)'))
    policy_set = load_policies([policy_dir], include_bundled=False)
    assert [p.id for p in policy_set.policies] == ["uses-lib"]
    assert len(policy_set.modules) == 2


def test_check_without_deny_is_an_error(policy_dir):
    # It could never report anything, so the controls it backs would pass unseen.
    write(policy_dir, "quiet.rego", check_module("quiet", "t.quiet", "violation contains 1 if input.bad"))
    with pytest.raises(PolicyError, match="defines no 'deny' rule") as err:
        load_policies([policy_dir])
    assert "quiet.rego" in str(err.value)


def test_duplicate_check_id_is_an_error(policy_dir):
    write(policy_dir, "a.rego", check_module("privileged-containers", "custom.dup", DENY))
    with pytest.raises(PolicyError, match="already used by"):
        load_policies([policy_dir])


def test_metadata_yaml_error_points_at_the_line(policy_dir):
    text = check_module("yaml-bad", "custom.yb", DENY).replace("#   kinds: [Deployment]", "#   kinds: [Deployment")
    write(policy_dir, "yb.rego", text)
    with pytest.raises(PolicyError, match="METADATA is not valid YAML"):
        load_policies([policy_dir], include_bundled=False)


def test_test_modules_are_kept_apart(policy_dir):
    write(policy_dir, "a.rego", check_module("a-check", "custom.a", DENY))
    write(policy_dir, "a_test.rego", "package custom.a_test\n\ntest_x if true\n")
    policy_set = load_policies([policy_dir], include_bundled=False)
    assert [m.path.split("/")[-1] for m in policy_set.modules] == ["a.rego"]
    assert [m.path.split("/")[-1] for m in policy_set.test_modules] == ["a_test.rego"]


def test_syntax_error_names_file_and_line(policy_dir):
    write(policy_dir, "broken.rego", check_module("broken", "custom.broken", "deny contains x if {\n  x := \n}"))
    policy_set = load_policies([policy_dir], include_bundled=False)
    with pytest.raises(PolicyError) as info:
        EmbeddedEngine().load(policy_set)
    assert "broken.rego" in info.value.file
    assert info.value.line == 12
    assert "\n" not in str(info.value)


def test_unknown_builtin_is_rejected_at_load_even_if_never_reached(policy_dir):
    # The call sits behind a condition no resource meets: regorus alone would never notice it.
    body = 'deny contains "x" if {\n  input.never_set\n  strings.no_such_function(input.a)\n}'
    write(policy_dir, "unknown.rego", check_module("unknown-fn", "custom.unknown", body))
    policy_set = load_policies([policy_dir], include_bundled=False)
    with pytest.raises(PolicyError) as info:
        EmbeddedEngine().load(policy_set)
    assert "strings.no_such_function" in str(info.value)
    assert info.value.line == 13  # the line of the call


def test_rego_v0_syntax_is_rejected(policy_dir):
    write(policy_dir, "old.rego", check_module("old-syntax", "custom.old", 'deny[msg] { msg := "x" }'))
    with pytest.raises(PolicyError, match="if"):
        EmbeddedEngine().load(load_policies([policy_dir], include_bundled=False))


def test_parse_metadata_reads_only_the_package_block():
    text = "# just a comment\n\n# METADATA\n# title: T\n# description: D\npackage x\n"
    data, line = parse_metadata(text, "x.rego")
    assert data == {"title": "T", "description": "D"}
    assert line == 3
    assert parse_metadata("package x\n", "x.rego") == (None, None)

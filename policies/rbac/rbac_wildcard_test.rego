package kubecomply.rbac.rbac_wildcard_test

import rego.v1

import data.kubecomply.rbac.rbac_wildcard as check

_cr(name, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules}

test_pass_explicit_rules if {
	count(check.deny) == 0 with input as _cr("reader", [
		{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]},
		{"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["*"], "verbs": ["get"]},
	])
}

test_fail_wildcard_everywhere if {
	results := check.deny with input as _cr("ops", [
		{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]},
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
	])
	{r.path | some r in results} == {["rules", 1, "apiGroups", 0], ["rules", 1, "resources", 0], ["rules", 1, "verbs", 0]}
	some r in results
	r.msg == "ClusterRole \"ops\" uses the wildcard \"*\" in verbs (rules[1])"
}

test_fail_wildcard_verb_only_in_role if {
	results := check.deny with input as {"kind": "Role", "metadata": {"name": "app", "namespace": "team"}, "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "*"]}]}
	count(results) == 1
	some r in results
	r.path == ["rules", 0, "verbs", 1]
	startswith(r.msg, "Role \"app\"")
}

test_fail_star_subresource if {
	results := check.deny with input as _cr("scaler", [{"apiGroups": ["apps"], "resources": ["deployments", "*/scale"], "verbs": ["update"]}])
	count(results) == 1
	some r in results
	r.path == ["rules", 0, "resources", 1]
	contains(r.msg, "\"*/scale\"")
}

# "pods/*" is compared literally by the authorizer and grants nothing.
test_pass_resource_slash_star_is_not_a_wildcard if {
	count(check.deny) == 0 with input as _cr("odd", [{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}])
}

# Non-resource rules (health and discovery URLs) are not resource rules.
test_pass_non_resource_url_rule if {
	count(check.deny) == 0 with input as _cr("probe", [{"nonResourceURLs": ["/healthz", "/livez"], "verbs": ["*"]}])
}

test_pass_builtin_roles if {
	count(check.deny) == 0 with input as _cr("system:controller:generic-garbage-collector", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch", "patch", "update", "delete"]}])
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
}

# A user-made role called cluster-admin without the bootstrap label is checked.
test_fail_unlabelled_cluster_admin_lookalike if {
	count(check.deny) == 3 with input as _cr("cluster-admin", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr("bad", "not-a-list")
	count(check.deny) == 0 with input as _cr("bad", [null, "x", 3, {"apiGroups": "*", "resources": {"a": "*"}, "verbs": "*"}, {"resources": ["pods"], "verbs": [1, null]}])
	count(check.deny) == 0 with input as {"kind": "Role", "rules": []}
}

# Population: roles other than Kubernetes' own (system: prefix, rbac-defaults label).
test_applies_to_user_roles if {
	check.applies with input as {"kind": "ClusterRole", "metadata": {"name": "ops"}, "rules": []}
	check.applies with input as {"kind": "Role", "metadata": {"name": "dev", "namespace": "shop"}}
}

test_not_applicable_to_builtin_roles if {
	everything := [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
	builtin := {"kind": "ClusterRole", "metadata": {"name": "system:controller:foo"}, "rules": everything}
	not check.applies with input as builtin
	count(check.deny) == 0 with input as builtin
	defaults := {"kind": "ClusterRole", "metadata": {"name": "admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": everything}
	not check.applies with input as defaults
	count(check.deny) == 0 with input as defaults
}

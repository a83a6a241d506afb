package kubecomply.rbac.rbac_secrets_read_test

import rego.v1

import data.kubecomply.rbac.rbac_secrets_read as check

_cr(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "ops"}, "rules": rules}

test_pass_other_resources_and_write_only if {
	count(check.deny) == 0 with input as _cr([
		{"apiGroups": [""], "resources": ["configmaps", "pods"], "verbs": ["get", "list"]},
		{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "delete"]},
		{"apiGroups": ["apps"], "resources": ["secrets"], "verbs": ["get"]},
	])
}

test_fail_get_on_secrets if {
	results := check.deny with input as _cr([
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]},
		{"apiGroups": [""], "resources": ["secrets", "configmaps"], "verbs": ["get", "create"]},
	])
	count(results) == 1
	some r in results
	r.path == ["rules", 2]
	r.msg == "ClusterRole \"ops\" grants get on secrets (rules[2])"
}

test_fail_wildcards_imply_read if {
	results := check.deny with input as _cr([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	some r in results
	r.msg == "ClusterRole \"ops\" grants get, list, watch on secrets (rules[0])"
}

test_fail_narrowed_rule_still_reported if {
	results := check.deny with input as {"kind": "Role", "metadata": {"name": "app", "namespace": "shop"}, "rules": [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db-creds"], "verbs": ["get", "watch"]}]}
	some r in results
	r.msg == "Role \"app\" grants get, watch on secrets (rules[0]), limited to resourceNames [\"db-creds\"]"
}

test_pass_system_and_default_roles if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:controller:namespace-controller"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list"]}]}
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "aggregationRule": {}, "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr([null, "secrets", {"apiGroups": "", "resources": "secrets", "verbs": "get"}, {"resources": ["secrets"], "verbs": ["get"]}])
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

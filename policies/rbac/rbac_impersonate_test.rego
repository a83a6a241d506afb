package kubecomply.rbac.rbac_impersonate_test

import rego.v1

import data.kubecomply.rbac.rbac_impersonate as check

_cr(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "support"}, "rules": rules}

test_pass_no_impersonation if {
	count(check.deny) == 0 with input as _cr([
		{"apiGroups": [""], "resources": ["serviceaccounts", "users"], "verbs": ["get", "list"]},
		{"apiGroups": ["apps"], "resources": ["users"], "verbs": ["impersonate"]},
	])
}

test_fail_impersonate_groups_and_users if {
	results := check.deny with input as _cr([{"apiGroups": [""], "resources": ["groups", "users"], "verbs": ["impersonate"]}])
	count(results) == 1
	some r in results
	r.path == ["rules", 0]
	r.msg == "ClusterRole \"support\" grants impersonate on users, groups (rules[0])"
}

test_fail_narrowed_service_account if {
	results := check.deny with input as {"kind": "Role", "metadata": {"name": "debug"}, "rules": [{"apiGroups": [""], "resources": ["serviceaccounts"], "resourceNames": ["reader"], "verbs": ["impersonate"]}]}
	some r in results
	r.msg == "Role \"debug\" grants impersonate on serviceaccounts (rules[0]), limited to resourceNames [\"reader\"]"
}

test_fail_uids_and_wildcards if {
	results := check.deny with input as _cr([{"apiGroups": ["authentication.k8s.io"], "resources": ["uids"], "verbs": ["impersonate"]}, {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	{r.path | some r in results} == {["rules", 0], ["rules", 1]}
	some r in results
	r.msg == "ClusterRole \"support\" grants impersonate on users, groups, serviceaccounts, uids (rules[1])"
}

test_pass_default_edit_role if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "edit", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": [{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr([{"apiGroups": [""], "resources": [["users"]], "verbs": ["impersonate"]}, {"verbs": ["impersonate"]}])
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

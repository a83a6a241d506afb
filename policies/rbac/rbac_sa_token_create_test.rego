package kubecomply.rbac.rbac_sa_token_create_test

import rego.v1

import data.kubecomply.rbac.rbac_sa_token_create as check

_cr(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "token-minter"}, "rules": rules}

test_pass_service_accounts_without_token if {
	count(check.deny) == 0 with input as _cr([
		{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["create", "get", "list"]},
		{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["get"]},
	])
}

test_fail_create_token if {
	results := check.deny with input as _cr([{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}])
	count(results) == 1
	some r in results
	r.path == ["rules", 0]
	r.msg == "ClusterRole \"token-minter\" grants create on serviceaccounts/token (rules[0])"
}

test_fail_narrowed_and_star_subresource if {
	results := check.deny with input as {"kind": "Role", "metadata": {"name": "ci"}, "rules": [
		{"apiGroups": [""], "resources": ["serviceaccounts/token"], "resourceNames": ["builder"], "verbs": ["create"]},
		{"apiGroups": [""], "resources": ["*/token"], "verbs": ["*"]},
	]}
	count(results) == 2
	some r in results
	r.msg == "Role \"ci\" grants create on serviceaccounts/token (rules[0]), limited to resourceNames [\"builder\"]"
}

test_pass_system_role if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:kube-controller-manager"}, "rules": [{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr([{"apiGroups": [""], "resources": ["serviceaccounts/token"]}, {"apiGroups": [""], "resources": [null], "verbs": ["create"]}])
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

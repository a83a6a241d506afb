package kubecomply.rbac.rbac_pods_exec_test

import rego.v1

import data.kubecomply.rbac.rbac_pods_exec as check

_role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "dev", "namespace": "shop"}, "rules": rules}

test_pass_pods_and_logs_only if {
	count(check.deny) == 0 with input as _role([
		{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch", "create"]},
		{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["list", "delete"]},
	])
}

test_fail_create_exec if {
	results := check.deny with input as _role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}])
	count(results) == 1
	some r in results
	r.path == ["rules", 1]
	r.msg == "Role \"dev\" grants create on pods/exec (rules[1])"
}

# Exec over WebSocket begins as a GET.
test_fail_get_exec_and_attach if {
	results := check.deny with input as _role([{"apiGroups": [""], "resources": ["pods/attach", "pods/exec"], "verbs": ["get"]}])
	some r in results
	r.msg == "Role \"dev\" grants get on pods/exec, pods/attach (rules[0])"
}

test_fail_wildcards if {
	results := check.deny with input as _role([{"apiGroups": ["*"], "resources": ["*/exec"], "verbs": ["*"]}])
	some r in results
	r.msg == "Role \"dev\" grants create, get on pods/exec (rules[0])"
}

# "pods/*" is not a wildcard to the authorizer.
test_pass_pods_slash_star if {
	count(check.deny) == 0 with input as _role([{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["create"]}])
}

test_pass_default_and_system_roles if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "edit", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]}
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:aggregate-to-edit"}, "rules": [{"apiGroups": [""], "resources": ["pods/attach", "pods/exec"], "verbs": ["create", "get"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _role([{"apiGroups": [""], "resources": {"pods/exec": true}, "verbs": ["create"]}])
	count(check.deny) == 0 with input as {"kind": "Role", "metadata": null, "rules": null}
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

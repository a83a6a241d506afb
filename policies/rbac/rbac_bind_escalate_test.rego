package kubecomply.rbac.rbac_bind_escalate_test

import rego.v1

import data.kubecomply.rbac.rbac_bind_escalate as check

_cr(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "rbac-manager"}, "rules": rules}

test_pass_ordinary_rbac_writes if {
	count(check.deny) == 0 with input as _cr([
		{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["get", "list", "create", "update"]},
		{"apiGroups": [""], "resources": ["roles"], "verbs": ["bind"]},
	])
}

test_fail_bind if {
	results := check.deny with input as _cr([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["view"]}])
	count(results) == 1
	some r in results
	r.path == ["rules", 0]
	r.msg == "ClusterRole \"rbac-manager\" grants bind on clusterroles (rules[0]), limited to resourceNames [\"view\"]"
}

test_fail_escalate_on_both if {
	results := check.deny with input as {"kind": "Role", "metadata": {"name": "r", "namespace": "n"}, "rules": [{"apiGroups": ["get"], "resources": ["x"], "verbs": ["get"]}, {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "clusterroles"], "verbs": ["escalate", "bind"]}]}
	some r in results
	r.msg == "Role \"r\" grants bind, escalate on roles, clusterroles (rules[1])"
	r.path == ["rules", 1]
}

test_fail_wildcard_grants_both if {
	results := check.deny with input as _cr([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	some r in results
	r.msg == "ClusterRole \"rbac-manager\" grants bind, escalate on roles, clusterroles (rules[0])"
}

test_pass_system_role if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:controller:clusterrole-aggregation-controller"}, "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate", "get", "list", "patch", "update", "watch"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]})
	count(check.deny) == 0 with input as _cr([{"apiGroups": null, "resources": ["roles"], "verbs": ["bind"]}])
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

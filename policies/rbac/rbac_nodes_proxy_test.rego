package kubecomply.rbac.rbac_nodes_proxy_test

import rego.v1

import data.kubecomply.rbac.rbac_nodes_proxy as check

_cr(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "monitoring"}, "rules": rules}

test_pass_metrics_and_stats if {
	count(check.deny) == 0 with input as _cr([
		{"apiGroups": [""], "resources": ["nodes", "nodes/metrics", "nodes/stats"], "verbs": ["get", "list", "watch"]},
		{"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
	])
}

test_fail_get_nodes_proxy if {
	results := check.deny with input as _cr([{"apiGroups": [""], "resources": ["nodes", "nodes/proxy"], "verbs": ["get", "list"]}])
	count(results) == 1
	some r in results
	r.path == ["rules", 0]
	r.msg == "ClusterRole \"monitoring\" grants get, list on nodes/proxy (rules[0])"
}

test_fail_star_subresource_and_wildcard_resource if {
	results := check.deny with input as _cr([{"apiGroups": [""], "resources": ["*/proxy"], "verbs": ["create"]}, {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	{r.path | some r in results} == {["rules", 0], ["rules", 1]}
	some r in results
	r.msg == "ClusterRole \"monitoring\" grants * on nodes/proxy (rules[1])"
}

# "nodes/*" and "nodes" do not reach the proxy subresource.
test_pass_literal_nodes_star if {
	count(check.deny) == 0 with input as _cr([{"apiGroups": [""], "resources": ["nodes/*", "nodes"], "verbs": ["*"]}])
}

test_pass_empty_verbs_and_system_role if {
	count(check.deny) == 0 with input as _cr([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": []}])
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:kubelet-api-admin"}, "rules": [{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["*"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": "get"}, {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": [1]}])
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

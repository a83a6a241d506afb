package kubecomply.rbac.rbac_create_pods_test

import rego.v1

import data.kubecomply.rbac.rbac_create_pods as check

_role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "deployer", "namespace": "shop"}, "rules": rules}

test_pass_read_and_update_only if {
	count(check.deny) == 0 with input as _role([
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "delete"]},
		{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "update", "patch"]},
		{"apiGroups": [""], "resources": ["pods/exec", "services"], "verbs": ["create"]},
	])
}

test_fail_create_pods if {
	results := check.deny with input as _role([
		{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]},
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "get"]},
	])
	count(results) == 1
	some r in results
	r.path == ["rules", 1]
	r.msg == "Role \"deployer\" grants create on pods (rules[1])"
}

test_fail_create_workload_controllers if {
	results := check.deny with input as _role([{"apiGroups": ["apps", "batch"], "resources": ["deployments", "statefulsets", "cronjobs", "services"], "verbs": ["create"]}])
	some r in results
	r.msg == "Role \"deployer\" grants create on deployments, statefulsets, cronjobs (rules[0])"
}

# deployments in the core group do not exist: the group has to match.
test_pass_group_must_match if {
	count(check.deny) == 0 with input as _role([{"apiGroups": [""], "resources": ["deployments", "jobs"], "verbs": ["create"]}])
}

test_fail_wildcard_verb_and_resource if {
	results := check.deny with input as _role([{"apiGroups": [""], "resources": ["*"], "verbs": ["*"]}])
	some r in results
	r.msg == "Role \"deployer\" grants create on pods, replicationcontrollers (rules[0])"
}

# Kubernetes cannot authorise create by name: a rule with resourceNames grants no creation.
test_pass_resource_names_block_create if {
	count(check.deny) == 0 with input as _role([{"apiGroups": [""], "resources": ["pods"], "resourceNames": ["web-0"], "verbs": ["create"]}])
}

test_fail_empty_resource_names_cover_everything if {
	count(check.deny) == 1 with input as _role([{"apiGroups": [""], "resources": ["pods"], "resourceNames": [], "verbs": ["create"]}])
	count(check.deny) == 1 with input as _role([{"apiGroups": [""], "resources": ["pods"], "resourceNames": 5, "verbs": ["create"]}])
}

test_pass_system_role if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:controller:replicaset-controller"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _role([7, {"apiGroups": [""], "resources": "pods", "verbs": ["create"]}, {"apiGroups": [""], "resources": ["pods"], "verbs": "create"}])
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

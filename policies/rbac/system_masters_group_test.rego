package kubecomply.rbac.system_masters_group_test

import rego.v1

import data.kubecomply.rbac.system_masters_group as check

_crb(metadata, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRoleBinding",
	"metadata": metadata,
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
	"subjects": subjects,
}

test_pass_ordinary_groups if {
	count(check.deny) == 0 with input as _crb({"name": "admins"}, [{"kind": "Group", "name": "platform-admins"}, {"kind": "User", "name": "system:masters"}])
}

# The binding Kubernetes creates itself.
test_pass_default_cluster_admin_binding if {
	count(check.deny) == 0 with input as _crb({"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, [{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}])
}

test_fail_system_masters if {
	results := check.deny with input as _crb({"name": "break-glass"}, [{"kind": "User", "name": "alice"}, {"kind": "Group", "name": "system:masters"}])
	count(results) == 1
	some r in results
	r.path == ["subjects", 1]
	r.msg == "ClusterRoleBinding \"break-glass\" binds ClusterRole \"cluster-admin\" to Group \"system:masters\" (subjects[1]), whose members bypass RBAC"
}

# The name alone does not exempt a binding; only the bootstrap label does.
test_fail_unlabelled_binding_named_like_the_default if {
	count(check.deny) == 1 with input as _crb({"name": "cluster-admin"}, [{"kind": "Group", "name": "system:masters"}])
	count(check.deny) == 1 with input as {"kind": "RoleBinding", "metadata": {"name": "system:x", "namespace": "n", "labels": null}, "roleRef": {"kind": "Role", "name": "r"}, "subjects": [{"kind": "Group", "name": "system:masters"}]}
}

test_malformed_subjects_are_ignored if {
	count(check.deny) == 0 with input as _crb({"name": "x"}, {"kind": "Group", "name": "system:masters"})
	count(check.deny) == 0 with input as _crb(null, [1, "system:masters", {"kind": ["Group"], "name": "system:masters"}])
}

# Population: bindings other than the rbac-defaults ones Kubernetes creates.
test_applies_to_user_bindings if {
	check.applies with input as _crb({"name": "admins"}, [{"kind": "Group", "name": "platform-admins"}])
	check.applies with input as _crb({"name": "admins", "labels": {"kubernetes.io/bootstrapping": "other"}}, [])
}

test_not_applicable_to_default_bindings if {
	defaults := _crb({"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, [{"kind": "Group", "name": "system:masters"}])
	not check.applies with input as defaults
	count(check.deny) == 0 with input as defaults
}

package kubecomply.rbac.cluster_admin_binding_test

import rego.v1

import data.kubecomply.rbac.cluster_admin_binding as check

_crb(subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRoleBinding",
	"metadata": {"name": "ops-admins"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
	"subjects": subjects,
}

test_pass_other_roles if {
	count(check.deny) == 0 with input as {"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "User", "name": "alice"}]}
	count(check.deny) == 0 with input as {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "n"}, "roleRef": {"kind": "Role", "name": "cluster-admin"}, "subjects": [{"kind": "User", "name": "alice"}]}
}

# The cluster's own binding (system:masters) and control-plane users are left to other checks or skipped.
test_pass_system_subjects if {
	count(check.deny) == 0 with input as _crb([
		{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"},
		{"kind": "User", "name": "system:kube-controller-manager"},
		{"kind": "User", "name": "system:anonymous"},
		{"kind": "Group", "name": "system:unauthenticated"},
	])
}

test_fail_each_subject_at_its_path if {
	results := check.deny with input as _crb([
		{"kind": "Group", "name": "system:masters"},
		{"kind": "User", "name": "alice"},
		{"kind": "ServiceAccount", "name": "tiller", "namespace": "kube-system"},
	])
	count(results) == 2
	{r.path | some r in results} == {["subjects", 1], ["subjects", 2]}
	some r in results
	r.msg == "ClusterRoleBinding \"ops-admins\" binds ClusterRole \"cluster-admin\" to ServiceAccount \"kube-system/tiller\" (subjects[2])"
}

test_fail_service_account_written_as_user_and_sa_groups if {
	results := check.deny with input as _crb([
		{"kind": "User", "name": "system:serviceaccount:ci:deployer"},
		{"kind": "Group", "name": "system:serviceaccounts"},
	])
	count(results) == 2
	some r in results
	r.msg == "ClusterRoleBinding \"ops-admins\" binds ClusterRole \"cluster-admin\" to User \"system:serviceaccount:ci:deployer\" (subjects[0])"
}

test_fail_namespaced_role_binding if {
	results := check.deny with input as {"kind": "RoleBinding", "metadata": {"name": "shop-admin", "namespace": "shop"}, "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "Group", "name": "shop-devs"}]}
	some r in results
	r.msg == "RoleBinding \"shop-admin\" in namespace \"shop\" binds ClusterRole \"cluster-admin\" to Group \"shop-devs\" (subjects[0])"
	r.path == ["subjects", 0]
}

test_malformed_subjects_are_ignored if {
	count(check.deny) == 0 with input as _crb({"kind": "User", "name": "alice"})
	count(check.deny) == 0 with input as _crb(null)
	count(check.deny) == 1 with input as _crb(["alice", 3, {"kind": "User", "name": 7}])
	count(check.deny) == 0 with input as {"kind": "ClusterRoleBinding", "roleRef": "cluster-admin", "subjects": [{"kind": "User", "name": "a"}]}
}

# Population: bindings of the ClusterRole cluster-admin.
test_applies_to_cluster_admin_bindings if {
	check.applies with input as _crb([{"kind": "User", "name": "alice"}])
	check.applies with input as {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "shop"}, "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": []}
}

test_not_applicable_to_other_bindings if {
	other := {"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "ClusterRole", "name": "admin"}, "subjects": [{"kind": "User", "name": "alice"}]}
	not check.applies with input as other
	count(check.deny) == 0 with input as other
	not check.applies with input as {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "n"}, "roleRef": {"kind": "Role", "name": "cluster-admin"}}
	not check.applies with input as {"kind": "ClusterRoleBinding", "metadata": {"name": "b"}}
}

package kubecomply.rbac.anonymous_binding_test

import rego.v1

import data.kubecomply.rbac.anonymous_binding as check

_crb(role, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRoleBinding",
	"metadata": {"name": "open"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
	"subjects": subjects,
}

test_pass_named_subjects if {
	count(check.deny) == 0 with input as _crb("view", [{"kind": "User", "name": "alice"}, {"kind": "Group", "name": "system:serviceaccounts:shop"}])
}

# What Kubernetes binds by default.
test_pass_default_discovery_bindings if {
	count(check.deny) == 0 with input as _crb("system:public-info-viewer", [{"kind": "Group", "name": "system:authenticated"}, {"kind": "Group", "name": "system:unauthenticated"}])
	count(check.deny) == 0 with input as _crb("system:basic-user", [{"kind": "Group", "name": "system:authenticated"}])
}

# kubeadm publishes cluster-info to anonymous users for node discovery.
test_pass_kubeadm_cluster_info if {
	count(check.deny) == 0 with input as {"kind": "RoleBinding", "metadata": {"name": "kubeadm:bootstrap-signer-clusterinfo", "namespace": "kube-public"}, "roleRef": {"kind": "Role", "name": "kubeadm:bootstrap-signer-clusterinfo"}, "subjects": [{"kind": "User", "name": "system:anonymous"}]}
	count(check.deny) == 1 with input as {"kind": "RoleBinding", "metadata": {"name": "kubeadm:bootstrap-signer-clusterinfo", "namespace": "default"}, "roleRef": {"kind": "Role", "name": "kubeadm:bootstrap-signer-clusterinfo"}, "subjects": [{"kind": "User", "name": "system:anonymous"}]}
}

test_fail_anonymous_user if {
	results := check.deny with input as _crb("cluster-admin", [{"kind": "User", "name": "alice"}, {"kind": "User", "name": "system:anonymous", "apiGroup": "rbac.authorization.k8s.io"}])
	count(results) == 1
	some r in results
	r.path == ["subjects", 1]
	r.msg == "ClusterRoleBinding \"open\" binds ClusterRole \"cluster-admin\" to User \"system:anonymous\" (subjects[1]): anyone who does not authenticate"
}

test_fail_authenticated_group_in_role_binding if {
	results := check.deny with input as {"kind": "RoleBinding", "metadata": {"name": "all-read", "namespace": "shop"}, "roleRef": {"kind": "Role", "name": "reader"}, "subjects": [{"kind": "Group", "name": "system:authenticated"}, {"kind": "Group", "name": "system:unauthenticated"}]}
	count(results) == 2
	some r in results
	r.msg == "RoleBinding \"all-read\" in namespace \"shop\" binds Role \"reader\" to Group \"system:authenticated\" (subjects[0]): every authenticated identity, all service accounts included"
}

# A role named like a discovery role but of kind Role is not the default.
test_fail_lookalike_discovery_role if {
	count(check.deny) == 1 with input as {"kind": "RoleBinding", "metadata": {"name": "x", "namespace": "n"}, "roleRef": {"kind": "Role", "name": "system:discovery"}, "subjects": [{"kind": "User", "name": "system:anonymous"}]}
}

test_malformed_subjects_are_ignored if {
	count(check.deny) == 0 with input as _crb("edit", "system:anonymous")
	count(check.deny) == 0 with input as _crb("edit", [null, {"kind": "ServiceAccount", "name": "system:anonymous"}, {"kind": "User", "name": ["system:anonymous"]}])
	count(check.deny) == 1 with input as {"kind": "ClusterRoleBinding", "metadata": {"name": "x"}, "roleRef": 5, "subjects": [{"kind": "Group", "name": "system:unauthenticated"}]}
}

# Population: bindings other than the discovery bindings made for anonymous clients.
test_applies_to_ordinary_bindings if {
	check.applies with input as _crb("view", [{"kind": "User", "name": "alice"}])
	check.applies with input as {"kind": "RoleBinding", "metadata": {"name": "r", "namespace": "shop"}, "roleRef": {"kind": "Role", "name": "reader"}, "subjects": []}
}

test_not_applicable_to_discovery_bindings if {
	discovery := _crb("system:public-info-viewer", [{"kind": "Group", "name": "system:unauthenticated"}])
	not check.applies with input as discovery
	count(check.deny) == 0 with input as discovery
	not check.applies with input as {"kind": "RoleBinding", "metadata": {"name": "kubeadm:bootstrap-signer-clusterinfo", "namespace": "kube-public"}, "roleRef": {"kind": "Role", "name": "kubeadm:bootstrap-signer-clusterinfo"}, "subjects": [{"kind": "User", "name": "system:anonymous"}]}
}

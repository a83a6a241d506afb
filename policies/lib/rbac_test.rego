package kubecomply.lib.rbac_test

import rego.v1

import data.kubecomply.lib.rbac

# The RBAC authorizer's matching: exact value, "*", and "*/<subresource>".
test_resource_matching_follows_the_authorizer if {
	rbac.resource_matches(["pods/exec"], "pods/exec")
	rbac.resource_matches(["*"], "pods/exec")
	rbac.resource_matches(["*/exec"], "pods/exec")
	rbac.resource_matches(["*"], "secrets")
	not rbac.resource_matches(["pods/*"], "pods/exec")
	not rbac.resource_matches(["pods"], "pods/exec")
	not rbac.resource_matches(["pods/exec"], "pods")
	not rbac.resource_matches(["*/exec"], "secrets")
	not rbac.resource_matches("*", "secrets")
	not rbac.resource_matches(null, "secrets")
}

test_grants_needs_group_resource_and_verb if {
	rule := {"apiGroups": ["", "apps"], "resources": ["pods", "deployments"], "verbs": ["get", "create"]}
	rbac.grants(rule, "", "pods", "create")
	rbac.grants(rule, "apps", "pods", "get") # groups and resources are not paired within a rule
	not rbac.grants(rule, "batch", "jobs", "create")
	not rbac.grants(rule, "", "pods", "delete")
	not rbac.grants({"resources": ["pods"], "verbs": ["get"]}, "", "pods", "get")
	not rbac.grants({"nonResourceURLs": ["*"], "verbs": ["*"]}, "", "pods", "get")
	rbac.grants({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, "certificates.k8s.io", "signers", "approve")
}

test_granted_lists_keep_the_given_order if {
	rule := {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles", "roles"], "verbs": ["escalate", "bind"]}
	rbac.granted_verbs(rule, ["bind", "escalate", "update"]) == ["bind", "escalate"]
	rbac.granted_resources(rule, [["rbac.authorization.k8s.io", "roles"], ["", "roles"], ["rbac.authorization.k8s.io", "clusterroles"]]) == ["roles", "clusterroles"]
	rbac.granted_verbs("x", ["bind"]) == []
}

test_builtin_roles if {
	rbac.builtin({"name": "system:aggregate-to-edit"})
	rbac.builtin({"name": "view", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}})
	not rbac.builtin({"name": "view"})
	not rbac.builtin({"name": 5})
	not rbac.builtin(null)
}

test_labels if {
	rbac.role_label({"kind": "Role", "metadata": {"name": "app"}}) == "Role \"app\""
	rbac.role_label({"kind": "ClusterRole"}) == "ClusterRole \"\""
	rbac.names_note({"resourceNames": ["a"]}) == ", limited to resourceNames [\"a\"]"
	rbac.names_note({"resourceNames": []}) == ""
	rbac.names_note({}) == ""
	rbac.subject_label({"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}) == "ServiceAccount \"ns/sa\""
	rbac.subject_label({"kind": "ServiceAccount", "name": "sa"}) == "ServiceAccount \"sa\""
	rbac.subject_label({"name": "x"}) == "subject \"x\""
	rbac.role_ref_label({"kind": "ClusterRole", "name": "view"}) == "ClusterRole \"view\""
	rbac.role_ref_label("view") == "an unnamed role"
	rbac.binding_label({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "n"}}) == "RoleBinding \"b\" in namespace \"n\""
	rbac.binding_label({"kind": "ClusterRoleBinding", "metadata": {"name": "b"}}) == "ClusterRoleBinding \"b\""
}

package kubecomply.rbac.rbac_csr_approval_test

import rego.v1

import data.kubecomply.rbac.rbac_csr_approval as check

_cr(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "csr-approver"}, "rules": rules}

test_pass_read_and_create_csrs if {
	count(check.deny) == 0 with input as _cr([
		{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"], "verbs": ["get", "list", "watch", "create", "update"]},
		{"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["sign"]},
		{"apiGroups": [""], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]},
	])
}

# The approver role from the Kubernetes documentation: both halves, in two rules.
test_fail_documented_approver if {
	results := check.deny with input as _cr([
		{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"], "verbs": ["get", "list", "watch"]},
		{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]},
		{"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "resourceNames": ["example.com/my-signer-name"], "verbs": ["approve"]},
	])
	count(results) == 2
	{r.path | some r in results} == {["rules", 1], ["rules", 2]}
	some r1 in results
	r1.msg == "ClusterRole \"csr-approver\" grants update on certificatesigningrequests/approval (rules[1])"
	some r2 in results
	r2.msg == "ClusterRole \"csr-approver\" grants approve on signers (rules[2]), limited to resourceNames [\"example.com/my-signer-name\"]"
}

test_fail_one_half_alone if {
	count(check.deny) == 1 with input as _cr([{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["patch"]}])
	count(check.deny) == 1 with input as _cr([{"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve"]}])
}

test_fail_wildcard_rule_grants_both if {
	results := check.deny with input as _cr([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	some r in results
	r.msg == "ClusterRole \"csr-approver\" grants update, patch on certificatesigningrequests/approval and approve on signers (rules[0])"
}

test_pass_system_approver if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:controller:certificate-controller"}, "rules": [{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr([{"apiGroups": ["certificates.k8s.io"], "resources": "signers", "verbs": ["approve"]}, false])
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

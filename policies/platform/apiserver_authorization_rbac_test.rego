package kubecomply.platform.apiserver_authorization_rbac_test

import rego.v1

import data.kubecomply.platform.apiserver_authorization_rbac as check

_pod(command) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1", "namespace": "kube-system"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command}]}}

test_pass_node_rbac if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode=Node,RBAC"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode", "Webhook, RBAC, Node"])
}

# Only this condition: AlwaysAllow beside RBAC is the other check's finding.
test_pass_with_always_allow_beside_rbac if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode=AlwaysAllow,Node,RBAC"])
}

test_fail_lacking_rbac if {
	results := check.deny with input as _pod(["kube-apiserver", "--authorization-mode=Node,Webhook"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 1]
	contains(r.msg, "lacks RBAC")
}

test_fail_missing_flag if {
	results := check.deny with input as _pod(["kube-apiserver", "--anonymous-auth=false"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
	contains(r.msg, "RBAC is not among its authorizers")
}

test_authorization_config_file_passes_when_flag_absent if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-config=/etc/kubernetes/authz.yaml"])
}

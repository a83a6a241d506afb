package kubecomply.platform.apiserver_authorization_not_always_allow_test

import rego.v1

import data.kubecomply.platform.apiserver_authorization_not_always_allow as check

_pod(command) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1", "namespace": "kube-system"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command}]}}

test_pass_node_rbac if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode=Node,RBAC"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode", "Node,Webhook,RBAC"])
}

# The point of splitting the old check: a mode list without Node (or RBAC) is
# still not AlwaysAllow, and this check must not fail for it.
test_pass_without_node_or_rbac if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode=RBAC"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode=Node,Webhook"])
}

test_fail_missing if {
	results := check.deny with input as _pod(["kube-apiserver", "--anonymous-auth=false"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
	contains(r.msg, "the default is AlwaysAllow")
}

test_fail_always_allow if {
	results := check.deny with input as _pod(["kube-apiserver", "--authorization-mode=Node, AlwaysAllow"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 1]
	contains(r.msg, "includes AlwaysAllow")
}

test_authorization_config_file_passes_when_flag_absent if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-config=/etc/kubernetes/authz.yaml"])
}

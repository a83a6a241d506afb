package kubecomply.platform.apiserver_authorization_node_test

import rego.v1

import data.kubecomply.platform.apiserver_authorization_node as check

_pod(command) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1", "namespace": "kube-system"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command}]}}

test_pass_node_rbac if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode=Node,RBAC"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode", "Webhook, RBAC, Node"])
}

# Only this condition: AlwaysAllow beside Node is the other check's finding.
test_pass_with_always_allow_beside_node if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-mode=AlwaysAllow,Node,RBAC"])
}

test_fail_lacking_node if {
	results := check.deny with input as _pod(["kube-apiserver", "--authorization-mode=RBAC,Webhook"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 1]
	contains(r.msg, "lacks Node")
}

test_fail_missing_flag if {
	results := check.deny with input as _pod(["kube-apiserver", "--anonymous-auth=false"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
	contains(r.msg, "Node is not among its authorizers")
}

test_authorization_config_file_passes_when_flag_absent if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authorization-config=/etc/kubernetes/authz.yaml"])
}

# Population: kube-apiserver Pods only; any other Pod is not applicable.
test_applies_to_apiserver_pods if {
	check.applies with input as {"kind": "Pod", "metadata": {"name": "kube-apiserver-cp1"}, "spec": {"containers": [{"name": "kube-apiserver", "command": ["kube-apiserver", "--secure-port=6443"]}]}}
	check.applies with input as {"kind": "Pod", "metadata": {"name": "api"}, "spec": {"containers": [{"name": "sidecar", "image": "envoy"}, {"name": "api", "command": ["/usr/local/bin/hyperkube", "kube-apiserver"]}]}}
}

test_not_applicable_to_other_pods if {
	other := {"kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx", "args": ["--insecure-port=8080", "--anonymous-auth=true"]}]}}
	not check.applies with input as other
	count(check.deny) == 0 with input as other
	not check.applies with input as {"kind": "Pod", "metadata": {"name": "shell"}, "spec": {"containers": [{"name": "sh", "command": ["sh", "-c", "kube-apiserver --profiling=true"]}]}}
	not check.applies with input as {"kind": "Pod", "metadata": {"name": "empty"}}
}

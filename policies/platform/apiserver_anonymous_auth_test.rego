package kubecomply.platform.apiserver_anonymous_auth_test

import rego.v1

import data.kubecomply.platform.apiserver_anonymous_auth as check

_pod(command) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1", "namespace": "kube-system"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command}]}}

test_pass_disabled if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--anonymous-auth=false", "--authorization-mode=Node,RBAC"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--anonymous-auth", "false"])
}

test_fail_missing if {
	results := check.deny with input as _pod(["kube-apiserver", "--authorization-mode=Node,RBAC"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
}

test_fail_true_points_at_the_flag if {
	results := check.deny with input as _pod(["kube-apiserver", "--secure-port=6443", "--anonymous-auth=true"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 2]
	contains(r.msg, "--anonymous-auth=true")
}

# The last occurrence wins, as kube-apiserver reads its flags.
test_last_occurrence_wins if {
	count(check.deny) == 1 with input as _pod(["kube-apiserver", "--anonymous-auth=false", "--anonymous-auth=true"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--anonymous-auth=true", "--anonymous-auth=false"])
}

test_bare_flag_is_true if {
	count(check.deny) == 1 with input as _pod(["kube-apiserver", "--anonymous-auth", "--profiling=false"])
}

test_authentication_config_file_passes_when_flag_absent if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--authentication-config=/etc/kubernetes/authn.yaml"])
}

test_other_pods_are_ignored if {
	count(check.deny) == 0 with input as _pod(["nginx", "-g", "daemon off;"])
	count(check.deny) == 0 with input as {"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [{"name": "a", "image": "x"}]}}
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

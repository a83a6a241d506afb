package kubecomply.lib.apiserver_test

import rego.v1

import data.kubecomply.lib.apiserver

_pod(containers) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1", "namespace": "kube-system"}, "spec": {"containers": containers}}

test_recognises_command_forms if {
	count(apiserver.servers) == 1 with input as _pod([{"name": "a", "command": ["kube-apiserver", "--x=1"]}])
	count(apiserver.servers) == 1 with input as _pod([{"name": "a", "command": ["/usr/local/bin/kube-apiserver"]}])
	count(apiserver.servers) == 1 with input as _pod([{"name": "a", "args": ["kube-apiserver", "--x=1"]}])
	count(apiserver.servers) == 1 with input as _pod([{"name": "a", "command": ["/hyperkube", "kube-apiserver"]}])
	count(apiserver.servers) == 1 with input as _pod([{"name": "a", "command": ["/hyperkube", "apiserver"]}])
}

test_ignores_other_containers if {
	count(apiserver.servers) == 0 with input as _pod([
		{"name": "a", "command": ["kube-controller-manager"]},
		{"name": "b", "command": ["sh", "-c", "kube-apiserver --x=1"]},
		{"name": "c", "image": "kube-apiserver"},
		{"name": "d", "command": "kube-apiserver"},
		{"name": "e", "command": [1, "kube-apiserver"]},
		"kube-apiserver",
	])
	count(apiserver.servers) == 0 with input as {"kind": "Pod", "spec": {"containers": {"a": 1}}}
}

test_parses_flags_in_both_forms_and_across_command_and_args if {
	some s in apiserver.servers with input as _pod([{"name": "a", "command": ["kube-apiserver", "--a=1", "--b", "two"], "args": ["--c", "--d=x=y", "--a=3", "--e"]}])
	s.flags.a == {"value": "3", "bare": false, "path": ["spec", "containers", 0, "args", 2]}
	s.flags.b == {"value": "two", "bare": false, "path": ["spec", "containers", 0, "command", 2]}
	s.flags.c.bare
	s.flags.d.value == "x=y"
	s.flags.e.bare
	s.path == ["spec", "containers", 0]
}

test_bool_value if {
	apiserver.bool_value({"bare": true, "value": ""}) == "true"
	apiserver.bool_value({"bare": false, "value": "False"}) == "false"
}

test_dash_values if {
	some s in apiserver.servers with input as _pod([{"name": "a", "command": ["kube-apiserver", "--audit-log-path", "-", "--x", "-1", "--y", "-v=2"]}])
	s.flags["audit-log-path"].value == "-"
	s.flags.x.value == "-1"
	s.flags.y.bare
}

test_authorization_modes if {
	apiserver.authorization_modes("Node, RBAC,Webhook") == {"Node", "RBAC", "Webhook"}
	apiserver.authorization_modes("AlwaysAllow") == {"AlwaysAllow"}
}

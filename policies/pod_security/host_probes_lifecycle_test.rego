package kubecomply.pod_security.host_probes_lifecycle_test

import rego.v1

import data.kubecomply.pod_security.host_probes_lifecycle as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_sts(spec) := {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": spec}}}

test_pass_probes_without_host if {
	c := {"name": "app", "livenessProbe": {"httpGet": {"port": 8080, "host": ""}}, "readinessProbe": {"tcpSocket": {"port": 8080}}}
	count(check.deny) == 0 with input as _sts({"containers": [c]})
}

test_fail_liveness_http_host if {
	c := {"name": "app", "livenessProbe": {"httpGet": {"port": 8080, "host": "169.254.169.254"}}}
	results := check.deny with input as _sts({"containers": [c]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet", "host"]
}

test_fail_prestop_tcp_host_and_startup if {
	c := {"name": "app", "startupProbe": {"tcpSocket": {"port": 1, "host": "10.0.0.1"}}, "lifecycle": {"preStop": {"tcpSocket": {"port": 1, "host": "example.com"}}}}
	results := check.deny with input as _pod({"initContainers": [c], "containers": [{"name": "x"}]})
	{r.path | some r in results} == {
		["spec", "initContainers", 0, "startupProbe", "tcpSocket", "host"],
		["spec", "initContainers", 0, "lifecycle", "preStop", "tcpSocket", "host"],
	}
}

# Handlers and actions that are not objects have no host; null and "" hosts
# are unset; any other host value is reported, shown as JSON.
test_malformed_handlers if {
	c := {
		"name": "app",
		"livenessProbe": "x",
		"readinessProbe": {"httpGet": "x", "tcpSocket": [{"host": "h"}]},
		"startupProbe": {"httpGet": {"host": null}, "tcpSocket": {"host": 7}},
		"lifecycle": {"postStart": null, "preStop": {"httpGet": {"host": "h"}, "exec": {"host": "h"}}},
	}
	results := check.deny with input as _pod({"containers": [c, {"name": "b", "lifecycle": "x"}]})
	{[r.msg, r.path] | some r in results} == {
		[`container "app" sets startupProbe.tcpSocket.host: 7`, ["spec", "containers", 0, "startupProbe", "tcpSocket", "host"]],
		[`container "app" sets lifecycle.preStop.httpGet.host: "h"`, ["spec", "containers", 0, "lifecycle", "preStop", "httpGet", "host"]],
	}
}

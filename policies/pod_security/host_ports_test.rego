package kubecomply.pod_security.host_ports_test

import rego.v1

import data.kubecomply.pod_security.host_ports as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_rs(spec) := {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": {"template": {"spec": spec}}}

test_pass_container_port_only if {
	count(check.deny) == 0 with input as _rs({"containers": [{"name": "app", "ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 0}]}]})
}

test_fail_host_port if {
	results := check.deny with input as _rs({"containers": [{"name": "app", "ports": [{"containerPort": 80}, {"containerPort": 443, "hostPort": 443}]}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "ports", 1, "hostPort"]
	contains(r.msg, "443")
}

test_fail_init_container_host_port if {
	count(check.deny) == 1 with input as _pod({"initContainers": [{"name": "i", "ports": [{"containerPort": 1, "hostPort": 8080}]}], "containers": [{"name": "app"}]})
}

# Ports that are not a list, and entries that are not objects, are ignored.
test_malformed_ports if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "a", "ports": {"hostPort": 80}}, {"name": "b", "ports": [80, "x", {"hostPort": null}]}]})
}

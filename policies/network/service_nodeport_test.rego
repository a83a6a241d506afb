package kubecomply.network.service_nodeport_test

import rego.v1

import data.kubecomply.network.service_nodeport as check

_svc(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": spec}

test_pass_cluster_ip if {
	count(check.deny) == 0 with input as _svc({"type": "ClusterIP", "ports": [{"port": 80}]})
	count(check.deny) == 0 with input as _svc({"ports": [{"port": 80}]})
	count(check.deny) == 0 with input as _svc({"type": "LoadBalancer"})
}

test_fail_node_port if {
	results := check.deny with input as _svc({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "type"]
	r.msg == `Service "web" is of type NodePort, which opens its port on every node`
}

test_malformed_spec_ignored if {
	count(check.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "x"}, "spec": "NodePort"}
}

package kubecomply.network.service_external_ips_test

import rego.v1

import data.kubecomply.network.service_external_ips as check

_svc(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": spec}

test_pass_without_external_ips if {
	count(check.deny) == 0 with input as _svc({"ports": [{"port": 80}]})
	count(check.deny) == 0 with input as _svc({"externalIPs": []})
	count(check.deny) == 0 with input as _svc({"externalIPs": null})
}

test_fail_external_ips if {
	results := check.deny with input as _svc({"externalIPs": ["203.0.113.10", "203.0.113.11"]})
	count(results) == 1
	some r in results
	r.path == ["spec", "externalIPs"]
	contains(r.msg, "(2 address(es))")
}

package kubecomply.hardening.kube_system_workloads_test

import rego.v1

import data.kubecomply.hardening.kube_system_workloads as check

_ds(ns) := {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": ns}, "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}

test_pass_other_namespaces if {
	count(check.deny) == 0 with input as _ds("monitoring")
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
}

test_fail_kube_system if {
	results := check.deny with input as _ds("kube-system")
	count(results) == 1
	some r in results
	r.path == ["metadata", "namespace"]
	r.msg == `DaemonSet "agent" runs in the kube-system namespace`
}

test_fail_unnamed if {
	some r in check.deny with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "kube-system", "generateName": "x-"}}
	r.msg == `Pod "" runs in the kube-system namespace`
}

package kubecomply.hardening.default_namespace_test

import rego.v1

import data.kubecomply.hardening.default_namespace as check

_deploy(metadata) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}

test_pass_own_namespace if {
	count(check.deny) == 0 with input as _deploy({"name": "web", "namespace": "shop"})
}

test_fail_default if {
	results := check.deny with input as _deploy({"name": "web", "namespace": "default"})
	count(results) == 1
	some r in results
	r.path == ["metadata", "namespace"]
	contains(r.msg, `Deployment "web" is in the default namespace`)
}

test_fail_no_namespace if {
	results := check.deny with input as _deploy({"name": "web"})
	count(results) == 1
	some r in results
	r.path == ["metadata"]
	contains(r.msg, "no metadata.namespace")
}

test_fail_empty_namespace_cronjob if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": ""}, "spec": {}}
	results := check.deny with input as obj
	count(results) == 1
	some r in results
	r.path == ["metadata", "namespace"]
}

test_malformed_metadata if {
	results := check.deny with input as {"apiVersion": "v1", "kind": "Pod", "metadata": null}
	count(results) == 1
	some r in results
	r.path == []
	some r2 in check.deny with input as _deploy({"name": ["x"], "namespace": 7})
	r2.path == ["metadata", "namespace"]
	contains(r2.msg, `Deployment ["x"]`)
}

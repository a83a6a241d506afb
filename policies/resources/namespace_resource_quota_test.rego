package kubecomply.resources.namespace_resource_quota_test

import rego.v1

import data.kubecomply.resources.namespace_resource_quota as check

_ns(name) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}

_obj := {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "default", "namespace": "shop"}, "spec": {}}

test_pass_resourcequota_in_namespace if {
	count(check.deny) == 0 with input as _ns("shop") with data.inventory as {"namespace": {"shop": {"v1": {"ResourceQuota": {"default": _obj}}}}}
}

test_fail_without_resourcequota if {
	results := check.deny with input as _ns("shop") with data.inventory as {"namespace": {"shop": {"v1": {"ConfigMap": {"x": {}}}}}}
	count(results) == 1
	some r in results
	r.msg == `no ResourceQuota in namespace "shop" among the scanned resources`
	r.path == ["metadata", "name"]
}

test_fail_resourcequota_elsewhere if {
	count(check.deny) == 1 with input as _ns("shop") with data.inventory as {"namespace": {"payments": {"v1": {"ResourceQuota": {"default": _obj}}}}}
	count(check.deny) == 1 with input as _ns("shop") with data.inventory as {"namespace": {"shop": {"v1": {"ResourceQuota": {}}}}}
}

test_fail_without_inventory if {
	count(check.deny) == 1 with input as _ns("shop")
}

test_namespace_without_name_ignored if {
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {}}
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": 5}}
}

package kubecomply.resources.namespace_limit_range_test

import rego.v1

import data.kubecomply.resources.namespace_limit_range as check

_ns(name) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}

_obj := {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "default", "namespace": "shop"}, "spec": {}}

test_pass_limitrange_in_namespace if {
	count(check.deny) == 0 with input as _ns("shop") with data.inventory as {"namespace": {"shop": {"v1": {"LimitRange": {"default": _obj}}}}}
}

test_fail_without_limitrange if {
	results := check.deny with input as _ns("shop") with data.inventory as {"namespace": {"shop": {"v1": {"ConfigMap": {"x": {}}}}}}
	count(results) == 1
	some r in results
	r.msg == `no LimitRange in namespace "shop" among the scanned resources`
	r.path == ["metadata", "name"]
}

test_fail_limitrange_elsewhere if {
	count(check.deny) == 1 with input as _ns("shop") with data.inventory as {"namespace": {"payments": {"v1": {"LimitRange": {"default": _obj}}}}}
	count(check.deny) == 1 with input as _ns("shop") with data.inventory as {"namespace": {"shop": {"v1": {"LimitRange": {}}}}}
}

test_fail_without_inventory if {
	count(check.deny) == 1 with input as _ns("shop")
}

test_namespace_without_name_ignored if {
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {}}
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": 5}}
}

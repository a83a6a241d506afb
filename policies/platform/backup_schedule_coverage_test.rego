package kubecomply.platform.backup_schedule_coverage_test

import rego.v1

import data.kubecomply.platform.backup_schedule_coverage as check

_ns(name) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"kubecomply.io/holds-data": "true"}}}

_schedule(name, spec) := {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": name, "namespace": "velero"}, "spec": spec}

_inventory(schedules) := {
	"namespace": {
		"velero": {"velero.io/v1": {"Schedule": {s.metadata.name: s | some s in schedules}}},
		"payments": {"v1": {"ConfigMap": {"x": {}}}},
	},
	"cluster": {},
}

test_pass_unlabelled_namespace if {
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "scratch"}} with data.inventory as {"namespace": {}, "cluster": {}}
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "scratch", "labels": {"kubecomply.io/holds-data": "false"}}} with data.inventory as {"namespace": {}}
}

test_pass_named_or_wildcard_or_everything if {
	count(check.deny) == 0 with input as _ns("payments") with data.inventory as _inventory([_schedule("daily", {"schedule": "0 1 * * *", "template": {"includedNamespaces": ["shop", "payments"]}})])
	count(check.deny) == 0 with input as _ns("payments") with data.inventory as _inventory([_schedule("all", {"template": {"includedNamespaces": ["*"], "excludedNamespaces": ["kube-system"]}})])
	count(check.deny) == 0 with input as _ns("payments") with data.inventory as _inventory([_schedule("all", {"template": {"ttl": "720h0m0s"}})])
}

test_fail_no_schedule_at_all if {
	results := check.deny with input as _ns("payments") with data.inventory as {"namespace": {}, "cluster": {}}
	count(results) == 1
	some r in results
	r.path == ["metadata", "labels", "kubecomply.io/holds-data"]
	contains(r.msg, "0 schedule(s) found")
}

test_fail_other_namespaces_only if {
	count(check.deny) == 1 with input as _ns("payments") with data.inventory as _inventory([_schedule("shop", {"template": {"includedNamespaces": ["shop"]}})])
}

test_fail_excluded_wins if {
	count(check.deny) == 1 with input as _ns("payments") with data.inventory as _inventory([_schedule("all", {"template": {"includedNamespaces": ["*"], "excludedNamespaces": ["payments"]}})])
}

test_fail_paused_schedule_does_not_count if {
	count(check.deny) == 1 with input as _ns("payments") with data.inventory as _inventory([_schedule("p", {"paused": true, "template": {"includedNamespaces": ["payments"]}})])
}

test_one_covering_schedule_is_enough if {
	count(check.deny) == 0 with input as _ns("payments") with data.inventory as _inventory([
		_schedule("a", {"template": {"includedNamespaces": ["shop"]}}),
		_schedule("b", {"template": {"includedNamespaces": ["payments"]}}),
	])
}

# Malformed schedules never raise and never count as coverage.
test_malformed_schedules if {
	count(check.deny) == 1 with input as _ns("payments") with data.inventory as _inventory([
		_schedule("a", "payments"),
		_schedule("b", {"template": {"includedNamespaces": "payments"}}),
		_schedule("c", {"template": "payments"}),
	])
	count(check.deny) == 0 with input as _ns("payments") with data.inventory as _inventory([_schedule("d", {"template": {"includedNamespaces": [], "excludedNamespaces": "payments"}})])
}

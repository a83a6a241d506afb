package kubecomply.platform.backup_schedule_coverage_test

import rego.v1

import data.kubecomply.platform.backup_schedule_coverage as check

_ns(name) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"kubecomply.io/holds-data": "true"}}}

_schedule(name, spec) := {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": name, "namespace": "velero"}, "spec": spec}

_inventory(schedules) := {"namespace": {
	"velero": {"velero.io/v1": {"Schedule": {s.metadata.name: s | some s in schedules}}},
	"payments": {"v1": {"ConfigMap": {"x": {}}}},
}, "cluster": {}}

test_pass_unlabelled_namespace if {
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "scratch"}} with data.inventory as {"namespace": {}, "cluster": {}}
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "scratch", "labels": {"kubecomply.io/holds-data": "false"}}} with data.inventory as {"namespace": {}}
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "docs", "labels": {"data-classification": "public"}}} with data.inventory as {"namespace": {}}
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
	contains(r.msg, "labelled kubecomply.io/holds-data=true")
}

# Population: namespaces holding data, by any recognised label or by --data.
test_applies_to_labelled_namespaces if {
	check.applies with input as _ns("payments")
	check.applies with input as {"kind": "Namespace", "metadata": {"name": "payments", "labels": {"data-classification": "cardholder"}}}
	check.applies with input as {"kind": "Namespace", "metadata": {"name": "hr", "labels": {"acme.com/data-classification": "confidential"}}}
}

test_not_applicable_without_data if {
	not check.applies with input as {"kind": "Namespace", "metadata": {"name": "scratch"}}
	not check.applies with input as {"kind": "Namespace", "metadata": {"name": "docs", "labels": {"data-classification": "public"}}}
	not check.applies with input as {"kind": "Namespace", "metadata": {"name": "scratch", "labels": {"kubecomply.io/holds-data": "false"}}}
	not check.applies with input as {"kind": "Namespace", "metadata": {"name": "scratch"}} with data.kubecomply.config as {"data_namespaces": ["payments"]}
}

test_applies_to_namespaces_listed_in_data if {
	check.applies with input as {"kind": "Namespace", "metadata": {"name": "payments"}} with data.kubecomply.config as {"data_namespaces": ["payments"]}
	check.applies with input as {"kind": "Namespace", "metadata": {"name": "orders-db"}} with data.kubecomply.config as {"data_namespaces": ["*-db"]}
}

# The demo's payments namespace is labelled data-classification: cardholder.
test_fail_classified_namespace_without_schedule if {
	results := check.deny with input as {"kind": "Namespace", "metadata": {"name": "payments", "labels": {"team": "payments", "data-classification": "cardholder"}}}
		with data.inventory as {"namespace": {}, "cluster": {}}
	count(results) == 1
	some r in results
	r.path == ["metadata", "labels", "data-classification"]
	contains(r.msg, "labelled data-classification=cardholder")
}

test_fail_listed_namespace_without_schedule_points_at_the_name if {
	results := check.deny with input as {"kind": "Namespace", "metadata": {"name": "payments"}}
		with data.inventory as {"namespace": {}, "cluster": {}}
		with data.kubecomply.config as {"data_namespaces": ["pay*"]}
	count(results) == 1
	some r in results
	r.path == ["metadata", "name"]
	contains(r.msg, "data_namespaces")
}

test_pass_listed_namespace_with_schedule if {
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "payments"}}
		with data.inventory as _inventory([_schedule("daily", {"template": {"includedNamespaces": ["payments"]}})])
		with data.kubecomply.config as {"data_namespaces": ["payments"]}
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

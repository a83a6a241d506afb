package kubecomply.lib.data_classification_test

import rego.v1

import data.kubecomply.lib.data_classification as dc

_ns(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments", "labels": labels}}

test_recognised_keys_hold_data if {
	every key in [
		"kubecomply.io/holds-data",
		"kubecomply.io/data-classification",
		"data-classification",
		"data.classification",
		"dataclassification",
		"data_classification",
		"classification",
		"acme.example.com/data-classification",
	] {
		dc.holds_data(_ns({key: "confidential"}))
	}
}

test_our_label_true_holds_data if {
	dc.holds_data(_ns({"kubecomply.io/holds-data": "true"}))
	dc.holds_data(_ns({"kubecomply.io/holds-data": true}))
}

test_public_none_false_empty_do_not_hold_data if {
	every value in ["public", "Public", " NONE ", "none", "false", "False", "", false] {
		not dc.holds_data(_ns({"data-classification": value, "kubecomply.io/holds-data": value}))
	}
}

test_unrelated_or_lookalike_keys_do_not_count if {
	not dc.holds_data(_ns({"team": "payments", "tier": "confidential"}))
	not dc.holds_data(_ns({"acme.io/classification": "confidential"}))
	not dc.holds_data(_ns({"data-classification-owner": "alice"}))
	not dc.holds_data({"kind": "Namespace", "metadata": {"name": "payments"}})
	not dc.holds_data({"kind": "Namespace", "metadata": {"name": "payments", "labels": null}})
	not dc.holds_data({"kind": "Namespace", "metadata": "payments"})
}

test_non_string_values if {
	dc.holds_data(_ns({"data-classification": true}))
	dc.holds_data(_ns({"classification": 3}))
	not dc.holds_data(_ns({"data-classification": null}))
	not dc.holds_data(_ns({"data-classification": {"level": "secret"}}))
	not dc.holds_data(_ns({"data-classification": ["secret"]}))
}

test_data_namespaces_names_and_globs if {
	ns := {"kind": "Namespace", "metadata": {"name": "payments"}}
	dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": ["shop", "payments"]}
	dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": ["pay*"]}
	dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": ["pa?ments"]}
	dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": "payments"}
	not dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": ["shop", "pay"]}
	not dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": []}
	not dc.holds_data(ns) with data.kubecomply.config as {"allowed_registries": ["ghcr.io"]}
	not dc.holds_data(ns)
}

# A malformed pattern is compared literally instead of stopping the check.
test_data_namespaces_malformed_entries_never_raise if {
	ns := {"kind": "Namespace", "metadata": {"name": "payments"}}
	not dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": ["[pay", 3, null, {"name": "payments"}]}
	dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": ["[pay", "payments"]}
	not dc.holds_data(ns) with data.kubecomply.config as {"data_namespaces": {"payments": true}}
}

test_reason_names_the_label_first if {
	why := dc.reason(_ns({"data-classification": "cardholder", "team": "payments"}))
	why.text == "labelled data-classification=cardholder"
	why.path == ["metadata", "labels", "data-classification"]
	both := dc.reason(_ns({"kubecomply.io/holds-data": "true"})) with data.kubecomply.config as {"data_namespaces": ["payments"]}
	both.path == ["metadata", "labels", "kubecomply.io/holds-data"]
}

test_reason_for_a_listed_namespace if {
	why := dc.reason({"kind": "Namespace", "metadata": {"name": "payments"}}) with data.kubecomply.config as {"data_namespaces": ["pay*"]}
	why.path == ["metadata", "name"]
	contains(why.text, "data_namespaces")
}

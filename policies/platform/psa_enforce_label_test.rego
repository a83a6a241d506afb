package kubecomply.platform.psa_enforce_label_test

import rego.v1

import data.kubecomply.platform.psa_enforce_label as check

_ns(name, labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}

test_pass_restricted_and_baseline if {
	count(check.deny) == 0 with input as _ns("shop", {"pod-security.kubernetes.io/enforce": "restricted"})
	count(check.deny) == 0 with input as _ns("payments", {"pod-security.kubernetes.io/enforce": "baseline", "team": "p"})
}

test_fail_missing_label if {
	results := check.deny with input as _ns("monitoring", {"team": "platform", "pod-security.kubernetes.io/warn": "restricted"})
	count(results) == 1
	some r in results
	r.path == ["metadata", "labels"]
	contains(r.msg, "has no pod-security.kubernetes.io/enforce label")
}

test_fail_missing_labels_entirely if {
	results := check.deny with input as {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bare"}}
	some r in results
	r.path == ["metadata"]
}

test_fail_privileged if {
	results := check.deny with input as _ns("tools", {"pod-security.kubernetes.io/enforce": "privileged"})
	count(results) == 1
	some r in results
	r.path == ["metadata", "labels", "pod-security.kubernetes.io/enforce"]
	contains(r.msg, "privileged")
}

test_kube_system_may_be_privileged_but_must_say_so if {
	count(check.deny) == 0 with input as _ns("kube-system", {"pod-security.kubernetes.io/enforce": "privileged"})
	count(check.deny) == 1 with input as _ns("kube-system", {})
}

test_fail_invalid_level if {
	results := check.deny with input as _ns("typo", {"pod-security.kubernetes.io/enforce": "restricetd"})
	count(results) == 1
	some r in results
	contains(r.msg, `"restricetd"`)
}

package kubecomply.secrets.sa_token_secret_test

import rego.v1

import data.kubecomply.secrets.sa_token_secret as check

test_pass_opaque_and_tls_secrets if {
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "type": "Opaque", "data": {"password": "<redacted>"}}
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls"}, "type": "kubernetes.io/tls"}
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "untyped"}}
}

# As a cluster scan sees it: metadata and type only, no data.
test_fail_service_account_token if {
	results := check.deny with input as {
		"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
		"metadata": {"name": "ci-token", "namespace": "ci", "annotations": {"kubernetes.io/service-account.name": "deployer"}},
	}
	count(results) == 1
	some r in results
	r.path == ["type"]
	contains(r.msg, `Secret "ci-token"`)
	contains(r.msg, `ServiceAccount "deployer"`)
}

test_fail_without_annotation_or_name if {
	results := check.deny with input as {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token", "metadata": "odd"}
	count(results) == 1
	some r in results
	contains(r.msg, "annotation missing")
}

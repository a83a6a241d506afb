package kubecomply.secrets.credentials_in_annotations_test

import rego.v1

import data.kubecomply.secrets.credentials_in_annotations as check

_svc(annotations) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "annotations": annotations}}

# Fake credentials, built from pieces so that no scanner mistakes this file for a leak.
_aws := concat("", ["ASIA", "IOSFODNN7EXAMPLE"])

_jwt := concat(".", ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJhZG1pbiJ9", "c2ln"])

test_pass_ordinary_annotations if {
	count(check.deny) == 0 with input as _svc({
		"prometheus.io/scrape": "true",
		"nginx.ingress.kubernetes.io/auth-secret": "basic-auth",
		"vault.hashicorp.com/agent-inject-secret-db-password": "database/creds/app",
		"vault.hashicorp.com/agent-inject-token": "true",
		"checksum/token-config": "0f343b0931126a20f133d67c2b018a3b5a1d5f3b0c1f2e3d4c5b6a7980706050",
		"eks.amazonaws.com/token-expiration": "86400",
		"description": "a long free text annotation that mentions nothing sensitive",
	})
}

test_fail_token_in_annotation if {
	results := check.deny with input as _svc({"note": concat(" ", ["use", _aws, "to deploy"])})
	count(results) == 1
	some r in results
	r.path == ["metadata", "annotations", "note"]
	contains(r.msg, "an AWS access key id")
	not contains(r.msg, "ASIA")
}

test_fail_password_annotation if {
	results := check.deny with input as _svc({"example.com/admin-password": "hunter2"})
	count(results) == 1
	some r in results
	not contains(r.msg, "hunter2")
	contains(r.msg, `"example.com/admin-password"`)
}

test_fail_pod_template_annotation_of_deployment if {
	obj := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {
		"metadata": {"annotations": {"sidecar/api-token": _jwt}},
		"spec": {"containers": [{"name": "app"}]},
	}}}
	results := check.deny with input as obj
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "metadata", "annotations", "sidecar/api-token"]
	contains(r.msg, "a JSON Web Token")
}

# The last-applied annotation repeats the object: skipped, however large.
test_last_applied_is_skipped if {
	count(check.deny) == 0 with input as _svc({"kubectl.kubernetes.io/last-applied-configuration": concat("", ["{\"password\":\"hunter2\",\"k\":\"", _aws, "\"}"])})
}

test_malformed_annotations if {
	count(check.deny) == 0 with input as _svc(["password=hunter2"])
	count(check.deny) == 0 with input as _svc({"api-token": 12345, "password": null})
	count(check.deny) == 0 with input as {"kind": "Namespace", "metadata": "x"}
}

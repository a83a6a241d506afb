package kubecomply.hardening.default_service_account_test

import rego.v1

import data.kubecomply.hardening.default_service_account as check

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

test_pass_named_account if {
	count(check.deny) == 0 with input as _deploy({"serviceAccountName": "web", "containers": [{"name": "app"}]})
}

test_pass_deprecated_field if {
	count(check.deny) == 0 with input as _pod({"serviceAccount": "web", "containers": [{"name": "app"}]})
}

test_fail_unset if {
	results := check.deny with input as _deploy({"containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec"]
}

test_fail_explicit_default if {
	results := check.deny with input as _pod({"serviceAccountName": "default", "containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "serviceAccountName"]
}

test_fail_empty_and_deprecated_default if {
	results := check.deny with input as _pod({"serviceAccountName": "", "serviceAccount": "default", "containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "serviceAccount"]
}

test_fail_cronjob_malformed_name if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"serviceAccountName": null, "containers": [{"name": "app"}]}}}}}}
	results := check.deny with input as obj
	count(results) == 1
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec"]
}

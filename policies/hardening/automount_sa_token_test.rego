package kubecomply.hardening.automount_sa_token_test

import rego.v1

import data.kubecomply.hardening.automount_sa_token as check

_deploy(ns, spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": ns}, "spec": {"template": {"spec": spec}}}

_cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

_sa(name, automount) := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}, "automountServiceAccountToken": automount}

test_pass_pod_disables if {
	count(check.deny) == 0 with input as _deploy("shop", {"automountServiceAccountToken": false, "containers": [{"name": "app"}]})
}

test_fail_unset_without_inventory if {
	results := check.deny with input as _deploy("shop", {"containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec"]
	contains(r.msg, `"default"`)
}

test_fail_explicit_true_cronjob if {
	results := check.deny with input as _cronjob({"automountServiceAccountToken": true, "containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "automountServiceAccountToken"]
}

# The ServiceAccount in the same namespace disables the token: the pod inherits that.
test_pass_service_account_disables if {
	inventory := {"namespace": {"shop": {"v1": {"ServiceAccount": {"web": _sa("web", false)}}}}}
	count(check.deny) == 0 with input as _deploy("shop", {"serviceAccountName": "web", "containers": [{"name": "app"}]}) with data.inventory as inventory
}

test_pass_default_service_account_disables if {
	inventory := {"namespace": {"shop": {"v1": {"ServiceAccount": {"default": _sa("default", false)}}}}}
	count(check.deny) == 0 with input as _deploy("shop", {"containers": [{"name": "app"}]}) with data.inventory as inventory
}

# Pod spec true overrides the ServiceAccount's false.
test_fail_pod_true_overrides_service_account if {
	inventory := {"namespace": {"shop": {"v1": {"ServiceAccount": {"web": _sa("web", false)}}}}}
	count(check.deny) == 1 with input as _deploy("shop", {"serviceAccountName": "web", "automountServiceAccountToken": true, "containers": [{"name": "app"}]}) with data.inventory as inventory
}

# A ServiceAccount of the same name in another namespace, or one that mounts, does not count.
test_fail_service_account_elsewhere_or_mounting if {
	inventory := {"namespace": {
		"other": {"v1": {"ServiceAccount": {"web": _sa("web", false)}}},
		"shop": {"v1": {"ServiceAccount": {"api": _sa("api", true)}}},
	}}
	count(check.deny) == 1 with input as _deploy("shop", {"serviceAccountName": "web", "containers": [{"name": "app"}]}) with data.inventory as inventory
	count(check.deny) == 1 with input as _deploy("shop", {"serviceAccountName": "api", "containers": [{"name": "app"}]}) with data.inventory as inventory
}

# Without a namespace, the pod and its ServiceAccount both sit in the cluster part.
test_pass_no_namespace_service_account if {
	inventory := {"cluster": {"v1": {"ServiceAccount": {"web": _sa("web", false)}}}}
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"serviceAccount": "web", "containers": [{"name": "app"}]}}
	count(check.deny) == 0 with input as pod with data.inventory as inventory
}

test_malformed_value_counts_as_unset if {
	count(check.deny) == 1 with input as _deploy("shop", {"automountServiceAccountToken": "false", "serviceAccountName": 3, "containers": [{"name": "app"}]})
}

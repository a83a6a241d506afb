package kubecomply.resources.memory_limits_test

import rego.v1

import data.kubecomply.resources.memory_limits as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

_set := {"limits": {"memory": "128Mi"}}

test_pass_set_on_containers_and_init_containers if {
	count(check.deny) == 0 with input as _deploy({"initContainers": [{"name": "i", "resources": _set}], "containers": [{"name": "app", "resources": _set}]})
}

test_fail_missing_resources if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "image": "x"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0]
	contains(r.msg, `container "app"`)
	contains(r.msg, "limits.memory")
}

test_fail_points_at_existing_parent if {
	results := check.deny with input as _pod({"containers": [{"name": "app", "resources": {"limits": {"other": "1"}}}]})
	some r in results
	r.path == ["spec", "containers", 0, "resources", "limits"]
}

test_fail_init_container if {
	results := check.deny with input as _pod({"initContainers": [{"name": "setup"}], "containers": [{"name": "app", "resources": _set}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "initContainers", 0]
	contains(r.msg, `init container "setup"`)
}

# Ephemeral containers may not declare resources at all.
test_ephemeral_containers_ignored if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app", "resources": _set}], "ephemeralContainers": [{"name": "dbg"}]})
}

# YAML `memory:` without a value is null, i.e. not set; wrong-typed parents too.
test_null_and_malformed_values_fail if {
	results := check.deny with input as _pod({"containers": [
		{"name": "a", "resources": {"limits": {"memory": null}}},
		{"name": "b", "resources": null},
		{"name": "c", "resources": {"limits": "128Mi"}},
		{"name": "d", "resources": {"limits": {"memory": 1}}},
	]})
	{r.path | some r in results} == {
		["spec", "containers", 0, "resources", "limits"],
		["spec", "containers", 1, "resources"],
		["spec", "containers", 2, "resources", "limits"],
	}
}

# A request does not bound usage: requests.memory alone still fails.
test_fail_request_only if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "resources": {"requests": {"memory": "128Mi"}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "resources"]
}

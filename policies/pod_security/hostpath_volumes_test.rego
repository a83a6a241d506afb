package kubecomply.pod_security.hostpath_volumes_test

import rego.v1

import data.kubecomply.pod_security.hostpath_volumes as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_job(spec) := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": spec}}}

test_pass_emptydir if {
	count(check.deny) == 0 with input as _job({"containers": [{"name": "app"}], "volumes": [{"name": "tmp", "emptyDir": {}}]})
}

test_fail_hostpath_job if {
	results := check.deny with input as _job({"containers": [{"name": "app"}], "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "volumes", 1, "hostPath"]
	contains(r.msg, `"sock"`)
}

test_null_hostpath_is_fine if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app"}], "volumes": [{"name": "x", "hostPath": null}]})
}

# Volumes that are not a list, and entries that are not objects, are ignored.
test_malformed_volumes if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "a"}], "volumes": {"hostPath": {"path": "/"}}})
	count(check.deny) == 1 with input as _pod({"containers": [{"name": "a"}], "volumes": ["x", {"name": "h", "hostPath": "/"}]})
}

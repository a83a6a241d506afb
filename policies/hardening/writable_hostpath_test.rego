package kubecomply.hardening.writable_hostpath_test

import rego.v1

import data.kubecomply.hardening.writable_hostpath as check

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_volumes := [{"name": "tmp", "emptyDir": {}}, {"name": "logs", "hostPath": {"path": "/var/log"}}]

test_pass_read_only_mount if {
	count(check.deny) == 0 with input as _deploy({
		"volumes": _volumes,
		"containers": [{"name": "app", "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "logs", "mountPath": "/host/logs", "readOnly": true}]}],
	})
}

# A hostPath volume that no container mounts cannot be written.
test_pass_unmounted_hostpath if {
	count(check.deny) == 0 with input as _pod({"volumes": _volumes, "containers": [{"name": "app", "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}]})
}

test_fail_missing_read_only if {
	results := check.deny with input as _deploy({"volumes": _volumes, "containers": [{"name": "app", "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "logs", "mountPath": "/host/logs"}]}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "volumeMounts", 1]
	contains(r.msg, `container "app"`)
	contains(r.msg, `"logs"`)
}

test_fail_read_only_false_init_container if {
	results := check.deny with input as _pod({
		"volumes": _volumes,
		"initContainers": [{"name": "setup", "volumeMounts": [{"name": "logs", "mountPath": "/l", "readOnly": false}]}],
		"containers": [{"name": "app", "volumeMounts": [{"name": "logs", "mountPath": "/l", "readOnly": true}]}],
	})
	count(results) == 1
	some r in results
	r.path == ["spec", "initContainers", 0, "volumeMounts", 0, "readOnly"]
	contains(r.msg, `init container "setup"`)
}

test_fail_each_writable_mount if {
	results := check.deny with input as _pod({
		"volumes": _volumes,
		"containers": [{"name": "a", "volumeMounts": [{"name": "logs", "mountPath": "/l"}]}, {"name": "b", "volumeMounts": [{"name": "logs", "mountPath": "/m", "readOnly": "true"}]}],
		"ephemeralContainers": [{"name": "debug", "volumeMounts": [{"name": "logs", "mountPath": "/l"}]}],
	})
	count(results) == 3
}

test_malformed if {
	count(check.deny) == 0 with input as _pod({"volumes": [{"name": "h", "hostPath": null}], "containers": [{"name": "a", "volumeMounts": [{"name": "h"}]}]})
	count(check.deny) == 0 with input as _pod({"volumes": _volumes, "containers": [{"name": "a", "volumeMounts": {"name": "logs"}}, "x"]})
}

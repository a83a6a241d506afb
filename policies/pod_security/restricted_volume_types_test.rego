package kubecomply.pod_security.restricted_volume_types_test

import rego.v1

import data.kubecomply.pod_security.restricted_volume_types as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_allowed_types if {
	vols := [
		{"name": "a"},
		{"name": "b", "emptyDir": {}},
		{"name": "c", "secret": {"secretName": "s"}},
		{"name": "d", "persistentVolumeClaim": {"claimName": "c"}},
		{"name": "e", "projected": {"sources": []}},
		{"name": "f", "image": {"reference": "registry.example/data:1"}},
		{"name": "g", "csi": {"driver": "x"}},
	]
	count(check.deny) == 0 with input as _deploy({"containers": [{"name": "app"}], "volumes": vols})
}

test_fail_nfs if {
	results := check.deny with input as _deploy({"containers": [{"name": "app"}], "volumes": [{"name": "ok", "emptyDir": {}}, {"name": "share", "nfs": {"server": "s", "path": "/"}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "volumes", 1, "nfs"]
}

test_fail_hostpath if {
	count(check.deny) == 1 with input as _pod({"containers": [{"name": "app"}], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]})
}

# An allowed source set to null does not count; null keys are not reported;
# volumes that are not a list, and entries that are not objects, are skipped.
test_null_sources_and_malformed_volumes if {
	results := check.deny with input as _pod({"containers": [{"name": "app"}], "volumes": [{"name": "a", "secret": null, "nfs": {}, "iscsi": null}, "x", {"name": "b", "secret": {}, "nfs": {}}]})
	{[r.msg, r.path] | some r in results} == {[`volume "a" uses the restricted volume type nfs`, ["spec", "volumes", 0, "nfs"]]}
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app"}], "volumes": {"a": {"nfs": {}}}})
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app"}], "volumes": "x"})
}

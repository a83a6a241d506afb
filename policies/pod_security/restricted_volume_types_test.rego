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

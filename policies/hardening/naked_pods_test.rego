package kubecomply.hardening.naked_pods_test

import rego.v1

import data.kubecomply.hardening.naked_pods as check

_pod(metadata) := {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {"containers": [{"name": "app"}]}}

test_pass_owned_pod if {
	count(check.deny) == 0 with input as _pod({"name": "web-5d9c-abcde", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d9c", "controller": true}]})
}

test_pass_mirror_pod if {
	count(check.deny) == 0 with input as _pod({"name": "kube-apiserver-node1", "annotations": {"kubernetes.io/config.mirror": "abc"}})
}

test_fail_bare_pod if {
	results := check.deny with input as _pod({"name": "debug"})
	count(results) == 1
	some r in results
	r.path == ["metadata"]
	contains(r.msg, `"debug"`)
}

test_fail_empty_owner_references if {
	results := check.deny with input as _pod({"name": "debug", "ownerReferences": []})
	some r in results
	r.path == ["metadata", "ownerReferences"]
}

test_malformed_metadata if {
	results := check.deny with input as {"apiVersion": "v1", "kind": "Pod", "metadata": "x"}
	some r in results
	r.path == []
	count(check.deny) == 1 with input as _pod({"name": 5, "ownerReferences": "x"})
}

# Population: Pods other than mirror Pods of static Pods.
test_applies_to_ordinary_pods if {
	check.applies with input as _pod({"name": "debug"})
	check.applies with input as _pod({"name": "web-1", "ownerReferences": [{"kind": "ReplicaSet", "name": "web"}]})
}

test_not_applicable_to_mirror_pods if {
	mirror := _pod({"name": "etcd-cp1", "annotations": {"kubernetes.io/config.mirror": "abc123"}})
	not check.applies with input as mirror
	count(check.deny) == 0 with input as mirror
}

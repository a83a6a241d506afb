# METADATA
# title: Memory request not set
# description: >-
#   A memory request is what the scheduler reserves for a container. Without
#   one, pods are packed onto nodes that cannot hold their working set, and
#   under memory pressure the kubelet evicts the pods that use more than they
#   requested first. When only limits.memory is written, Kubernetes copies it
#   into the request, so that counts as set. Containers and init containers
#   are checked; ephemeral containers cannot have resources.
# custom:
#   id: memory-requests
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Set resources.requests.memory (for example "128Mi") on every container
#     and init container, sized from observed usage; or give the namespace a
#     LimitRange with a defaultRequest so the API server fills it in.
#   references:
#     kubescape: ["C-0269", "C-0004"]
#     trivy: ["KSV-0016"]
#     checkov: ["CKV_K8S_12"]
#     polaris: ["memoryRequestsMissing"]
#     kube_score: ["container-resources"]
package kubecomply.resources.memory_requests

import rego.v1

import data.kubecomply.lib.workloads.containers

# Hot path: one direct field read per container. `not x != null` holds when
# the field is absent, null, or under a parent that is absent, null or not an
# object, and fails for any value that is set. The message and path are built
# only for violations, without the library's generic helpers (tens of us per
# violation less in regorus, and every unset field is a violation):
# json.marshal quotes the name like k8s.quote does for strings and shows any
# other value as JSON.
_label := {"containers": "container", "initContainers": "init container"}

deny contains result if {
	some c in containers
	object.get(c, ["container", "resources", "requests", "memory"], null) == null
	c.type != "ephemeralContainers"

	# A limit without a request is copied into the request by the API server.
	object.get(c, ["container", "resources", "limits", "memory"], null) == null
	result := {
		"msg": sprintf("%s %s does not set resources.requests.memory (nor limits.memory, which would default it)", [_label[c.type], json.marshal(object.get(c.container, "name", ""))]),
		"path": _path(c),
	}
}

# The closest existing parent of resources.requests.memory.
_path(c) := array.concat(c.path, ["resources", "requests"]) if {
	_ = c.container.resources.requests
} else := array.concat(c.path, ["resources"]) if {
	_ = c.container.resources
} else := c.path

# METADATA
# title: Memory limit not set
# description: >-
#   Memory cannot be throttled: a container without a memory limit can grow
#   until the node runs out, and then the kernel's OOM killer and the kubelet's
#   evictions hit other pods on the node as well. A limit confines a leak or a
#   memory-exhaustion attack to the container that causes it. Containers and
#   init containers are checked; ephemeral containers cannot have resources.
# custom:
#   id: memory-limits
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Set resources.limits.memory on every container and init container
#     (commonly equal to the memory request), or give the namespace a
#     LimitRange with a default limit.
#   references:
#     kubescape: ["C-0271", "C-0004"]
#     trivy: ["KSV-0018"]
#     checkov: ["CKV_K8S_13"]
#     polaris: ["memoryLimitsMissing"]
#     kube_score: ["container-resources"]
package kubecomply.resources.memory_limits

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
	object.get(c, ["container", "resources", "limits", "memory"], null) == null
	c.type != "ephemeralContainers"
	result := {
		"msg": sprintf("%s %s does not set resources.limits.memory", [_label[c.type], json.marshal(object.get(c.container, "name", ""))]),
		"path": _path(c),
	}
}

# The closest existing parent of resources.limits.memory.
_path(c) := array.concat(c.path, ["resources", "limits"]) if {
	_ = c.container.resources.limits
} else := array.concat(c.path, ["resources"]) if {
	_ = c.container.resources
} else := c.path

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

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

# Hot path: one direct field read per container. `not x != null` holds when
# the field is absent, null, or under a parent that is absent, null or not an
# object, and fails for any value that is set. Messages and paths are built
# only for violations.
deny contains result if {
	some c in workloads.containers
	not c.container.resources.limits.memory != null
	c.type != "ephemeralContainers"
	result := {
		"msg": sprintf("%s does not set resources.limits.memory", [k8s.container_label(c)]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["resources", "limits"]),
	}
}

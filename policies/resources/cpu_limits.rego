# METADATA
# title: CPU limit not set
# description: >-
#   Without a CPU limit a container may take every idle CPU cycle of its node,
#   so one busy or compromised workload slows down its neighbours and the
#   node's own daemons. Some teams deliberately run without CPU limits to avoid
#   throttling; waive this check for them rather than leaving it unmeasured.
#   Containers and init containers are checked; ephemeral containers cannot
#   have resources.
# custom:
#   id: cpu-limits
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Set resources.limits.cpu on every container and init container, or give
#     the namespace a LimitRange with a default limit. If your policy is
#     requests without CPU limits, record that as a waiver.
#   references:
#     kubescape: ["C-0270", "C-0050"]
#     trivy: ["KSV-0011"]
#     checkov: ["CKV_K8S_11"]
#     polaris: ["cpuLimitsMissing"]
#     kube_score: ["container-resources"]
package kubecomply.resources.cpu_limits

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
	object.get(c, ["container", "resources", "limits", "cpu"], null) == null
	c.type != "ephemeralContainers"
	result := {
		"msg": sprintf("%s %s does not set resources.limits.cpu", [_label[c.type], json.marshal(object.get(c.container, "name", ""))]),
		"path": _path(c),
	}
}

# The closest existing parent of resources.limits.cpu.
_path(c) := array.concat(c.path, ["resources", "limits"]) if {
	_ = c.container.resources.limits
} else := array.concat(c.path, ["resources"]) if {
	_ = c.container.resources
} else := c.path

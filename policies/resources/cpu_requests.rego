# METADATA
# title: CPU request not set
# description: >-
#   A CPU request is what the scheduler reserves for a container on a node.
#   Without one the pod is placed as if it needed no CPU, so nodes get
#   overcommitted, the container gets the smallest share under contention
#   (BestEffort or Burstable QoS) and capacity planning has nothing to go on.
#   When only limits.cpu is written, Kubernetes copies it into the request, so
#   that counts as set. Containers and init containers are checked (the pod's
#   effective request is the larger of the app containers' sum and the largest
#   init container); ephemeral containers cannot have resources.
# custom:
#   id: cpu-requests
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Set resources.requests.cpu (for example "100m") on every container and
#     init container, sized from observed usage; or give the namespace a
#     LimitRange with a defaultRequest so the API server fills it in.
#   references:
#     kubescape: ["C-0268", "C-0050"]
#     trivy: ["KSV-0015"]
#     checkov: ["CKV_K8S_10"]
#     polaris: ["cpuRequestsMissing"]
#     kube_score: ["container-resources"]
package kubecomply.resources.cpu_requests

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
	object.get(c, ["container", "resources", "requests", "cpu"], null) == null
	c.type != "ephemeralContainers"

	# A limit without a request is copied into the request by the API server.
	object.get(c, ["container", "resources", "limits", "cpu"], null) == null
	result := {
		"msg": sprintf("%s %s does not set resources.requests.cpu (nor limits.cpu, which would default it)", [_label[c.type], json.marshal(object.get(c.container, "name", ""))]),
		"path": _path(c),
	}
}

# The closest existing parent of resources.requests.cpu.
_path(c) := array.concat(c.path, ["resources", "requests"]) if {
	_ = c.container.resources.requests
} else := array.concat(c.path, ["resources"]) if {
	_ = c.container.resources
} else := c.path

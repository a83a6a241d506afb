# METADATA
# title: Containers run as UID 0
# description: >-
#   runAsUser 0 makes the container process root, which overrides the image's
#   USER and turns any container escape into root on the node. The restricted
#   standard forbids UID 0 at pod and container level.
# custom:
#   id: run-as-root-user
#   severity: medium
#   kinds: [workloads]
#   population: Workloads whose pods share the node's user namespace (not spec.hostUsers=false)
#   remediation: >-
#     Remove runAsUser: 0 from the pod securityContext and from every
#     container, init container and ephemeral container; use a non-zero UID
#     (for example 10001). Pods with spec.hostUsers false are exempt.
#   references:
#     pss: ["restricted/Running as Non-root user (v1.23+)"]
#     psa_check: ["runAsUser"]
#     trivy: ["KSV-0105"]
package kubecomply.pod_security.run_as_root_user

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every
# pod and container). A field under a value that is absent, null or not an object is
# undefined, so the comparison simply fails. Message helpers are only called
# for violations.

# Population: workloads whose pods share the node's user namespace. From
# policy v1.35 PSA exempts pods with spec.hostUsers: false, where root in
# the pod maps to an unprivileged user on the node.
applies if {
	some pod in pod_specs
	not pod.spec.hostUsers == false
}

deny contains result if {
	some pod in pod_specs
	pod.spec.securityContext.runAsUser == 0
	# From policy v1.35 user-namespaced pods are exempt.
	not pod.spec.hostUsers == false
	result := {
		"msg": "pod sets securityContext.runAsUser: 0",
		"path": array.concat(pod.path, ["securityContext", "runAsUser"]),
	}
}

deny contains result if {
	some c in containers
	c.container.securityContext.runAsUser == 0
	not c.pod.spec.hostUsers == false
	result := {
		"msg": sprintf("%s sets securityContext.runAsUser: 0", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "runAsUser"]),
	}
}

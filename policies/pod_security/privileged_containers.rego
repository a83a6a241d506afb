# METADATA
# title: Privileged containers
# description: >-
#   A privileged container gets every capability and unrestricted access to the
#   node's devices, and most confinement (seccomp, AppArmor, SELinux, /proc
#   masking) is switched off for it. Escaping to the node from such a container
#   is trivial, so it is the single most dangerous setting in a pod.
# custom:
#   id: privileged-containers
#   severity: critical
#   kinds: [workloads]
#   remediation: >-
#     Remove securityContext.privileged (or set it to false) in every container,
#     init container and ephemeral container. If the workload needs one specific
#     privilege, grant only that capability instead.
#   references:
#     pss: ["baseline/Privileged Containers"]
#     psa_check: ["privileged"]
#     cis: ["5.2.2"]
#     kubescape: ["C-0057"]
#     trivy: ["KSV-0017"]
#     checkov: ["CKV_K8S_16"]
package kubecomply.pod_security.privileged_containers

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every
# container). A field under a value that is absent, null or not an object is
# undefined, so the comparison simply fails. Message helpers are only called
# for violations.

deny contains result if {
	some c in containers
	c.container.securityContext.privileged == true
	result := {
		"msg": sprintf("%s sets securityContext.privileged: true", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "privileged"]),
	}
}

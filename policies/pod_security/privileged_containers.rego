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
import data.kubecomply.lib.workloads

deny contains result if {
	some c in workloads.containers
	k8s.security_context(c).privileged == true
	result := {
		"msg": sprintf("%s sets securityContext.privileged: true", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "privileged"]),
	}
}

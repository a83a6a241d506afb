# METADATA
# title: Privilege escalation allowed
# description: >-
#   Unless allowPrivilegeEscalation is false, a process in the container can
#   gain more privileges than its parent, for example through set-user-ID
#   binaries or file capabilities. The restricted standard requires every
#   container to turn this off explicitly, because the default allows it.
# custom:
#   id: privilege-escalation
#   severity: medium
#   kinds: [workloads]
#   population: Workloads whose pods run Linux (not spec.os.name=windows)
#   remediation: >-
#     Set securityContext.allowPrivilegeEscalation: false in every container,
#     init container and ephemeral container (not required for Windows pods,
#     spec.os.name windows).
#   references:
#     pss: ["restricted/Privilege Escalation (v1.8+)"]
#     psa_check: ["allowPrivilegeEscalation"]
#     cis: ["5.2.6"]
#     kubescape: ["C-0016"]
#     trivy: ["KSV-0001"]
#     checkov: ["CKV_K8S_20"]
package kubecomply.pod_security.privilege_escalation

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every
# container). A field under a value that is absent, null or not an object is
# undefined, so the comparison simply fails. Message helpers are only called
# for violations.

# Population: workloads whose pods run Linux. From policy v1.25 PSA exempts
# Windows pods (spec.os.name: windows) from this Linux-only control.
applies if {
	some pod in pod_specs
	not pod.spec.os.name == "windows"
}

deny contains result if {
	some c in containers
	c.container.securityContext.allowPrivilegeEscalation == true
	# Linux-only control: PSA exempts Windows pods from policy v1.25.
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s sets securityContext.allowPrivilegeEscalation: true", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "allowPrivilegeEscalation"]),
	}
}

# Unset: absent or null (also when the securityContext itself is not an object).
deny contains result if {
	some c in containers
	not c.container.securityContext.allowPrivilegeEscalation != null
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s does not set securityContext.allowPrivilegeEscalation: false", [k8s.container_label(c)]),
		"path": k8s.security_context_path(c),
	}
}

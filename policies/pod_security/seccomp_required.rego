# METADATA
# title: Seccomp profile not set
# description: >-
#   Without an explicit seccomp profile many runtimes run containers
#   unconfined, with the whole system call surface of the kernel available. The
#   restricted standard requires RuntimeDefault or Localhost, either at pod
#   level or on every container.
# custom:
#   id: seccomp-required
#   severity: medium
#   kinds: [workloads]
#   population: Workloads whose pods run Linux (not spec.os.name=windows)
#   remediation: >-
#     Set spec.securityContext.seccompProfile.type: RuntimeDefault (or
#     Localhost) on the pod, or on every container, init container and
#     ephemeral container; never Unconfined. Not required for Windows pods.
#   references:
#     pss: ["restricted/Seccomp (v1.19+)"]
#     psa_check: ["seccompProfile_restricted"]
#     cis: ["5.6.2"]
#     trivy: ["KSV-0030"]
#     checkov: ["CKV_K8S_31"]
package kubecomply.pod_security.seccomp_required

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

_allowed_types := {"RuntimeDefault", "Localhost"}

# The type of a profile for messages ("" when absent or not an object).
_type(profile) := object.get(k8s.as_object(profile), "type", "")

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every pod and
# container). A field under a value that is absent, null or not an object is
# undefined: `_allowed_types[profile.type]` is then undefined, the same as
# type "", and `not x.seccompProfile != null` holds, the same as "unset".
# Message and path helpers are only called for violations.

# Population: workloads whose pods run Linux. From policy v1.25 PSA exempts
# Windows pods (spec.os.name: windows) from this Linux-only control.
applies if {
	some pod in pod_specs
	not pod.spec.os.name == "windows"
}

# Pod level set to a forbidden type.
deny contains result if {
	some pod in pod_specs
	profile := pod.spec.securityContext.seccompProfile
	profile != null
	not _allowed_types[profile.type]
	# Linux-only control: PSA exempts Windows pods from policy v1.25.
	not pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("pod sets securityContext.seccompProfile.type: %s", [k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(pod.path, pod.spec, ["securityContext", "seccompProfile", "type"]),
	}
}

# A container set to a forbidden type (whatever the pod level says).
deny contains result if {
	some c in containers
	profile := c.container.securityContext.seccompProfile
	profile != null
	not _allowed_types[profile.type]
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s sets securityContext.seccompProfile.type: %s", [k8s.container_label(c), k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "seccompProfile", "type"]),
	}
}

# A container without a profile (absent or null) while the pod level has no
# allowed one, which containers would inherit.
deny contains result if {
	some c in containers
	not c.container.securityContext.seccompProfile != null
	not _allowed_types[c.pod.spec.securityContext.seccompProfile.type]
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("neither the pod nor %s sets securityContext.seccompProfile.type to RuntimeDefault or Localhost", [k8s.container_label(c)]),
		"path": k8s.security_context_path(c),
	}
}

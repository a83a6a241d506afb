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
import data.kubecomply.lib.workloads

_allowed_types := {"RuntimeDefault", "Localhost"}

_pod_profile(pod) := object.get(k8s.pod_security_context(pod), "seccompProfile", null)

_container_profile(c) := object.get(k8s.security_context(c), "seccompProfile", null)

_type(profile) := object.get(k8s.as_object(profile), "type", "")

# The pod level sets an allowed profile, which containers inherit.
_pod_allowed(pod) if {
	profile := _pod_profile(pod)
	profile != null
	_allowed_types[_type(profile)]
}

# Pod level set to a forbidden type.
deny contains result if {
	some pod in workloads.pod_specs
	# Linux-only control: PSA exempts Windows pods from policy v1.25.
	not k8s.is_windows(pod)
	profile := _pod_profile(pod)
	profile != null
	not _allowed_types[_type(profile)]
	result := {
		"msg": sprintf("pod sets securityContext.seccompProfile.type: %s", [k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(pod.path, pod.spec, ["securityContext", "seccompProfile", "type"]),
	}
}

# A container set to a forbidden type (whatever the pod level says).
deny contains result if {
	some c in workloads.containers
	not k8s.is_windows(c.pod)
	profile := _container_profile(c)
	profile != null
	not _allowed_types[_type(profile)]
	result := {
		"msg": sprintf("%s sets securityContext.seccompProfile.type: %s", [k8s.container_label(c), k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "seccompProfile", "type"]),
	}
}

# A container without a profile while the pod level has no allowed one.
deny contains result if {
	some c in workloads.containers
	not k8s.is_windows(c.pod)
	_container_profile(c) == null
	not _pod_allowed(c.pod)
	result := {
		"msg": sprintf("neither the pod nor %s sets securityContext.seccompProfile.type to RuntimeDefault or Localhost", [k8s.container_label(c)]),
		"path": k8s.security_context_path(c),
	}
}

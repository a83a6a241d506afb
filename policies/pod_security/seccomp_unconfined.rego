# METADATA
# title: Seccomp profile set to Unconfined
# description: >-
#   Seccomp filters the system calls a container may make and is one of the
#   main barriers against kernel exploits. Explicitly setting the profile to
#   Unconfined (or to anything other than the runtime default or a node-local
#   profile) switches that barrier off.
# custom:
#   id: seccomp-unconfined
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost
#     with a localhostProfile) at pod level, and remove Unconfined from every
#     container, init container and ephemeral container.
#   references:
#     pss: ["baseline/Seccomp"]
#     psa_check: ["seccompProfile_baseline"]
#     trivy: ["KSV-0104"]
package kubecomply.pod_security.seccomp_unconfined

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

_allowed_types := {"RuntimeDefault", "Localhost"}

# The type of a profile for messages ("" when absent or not an object).
_type(profile) := object.get(k8s.as_object(profile), "type", "")

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every pod
# and container). A field under a value that is absent, null or not an object
# is undefined: `_allowed_types[profile.type]` is then undefined, the same as
# type "". Message and path helpers are only called for violations.

deny contains result if {
	some pod in pod_specs
	profile := pod.spec.securityContext.seccompProfile
	profile != null
	not _allowed_types[k8s.get(profile, "type")]
	result := {
		"msg": sprintf("pod sets securityContext.seccompProfile.type: %s", [k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(pod.path, pod.spec, ["securityContext", "seccompProfile", "type"]),
	}
}

deny contains result if {
	some c in containers
	profile := c.container.securityContext.seccompProfile
	profile != null
	not _allowed_types[k8s.get(profile, "type")]
	result := {
		"msg": sprintf("%s sets securityContext.seccompProfile.type: %s", [k8s.container_label(c), k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "seccompProfile", "type"]),
	}
}

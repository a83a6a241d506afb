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
import data.kubecomply.lib.workloads

_allowed_types := {"RuntimeDefault", "Localhost"}

deny contains result if {
	some pod in workloads.pod_specs
	profile := k8s.pod_security_context(pod).seccompProfile
	profile != null
	type := object.get(k8s.as_object(profile), "type", "")
	not _allowed_types[type]
	result := {
		"msg": sprintf("pod sets securityContext.seccompProfile.type: %s", [k8s.quote(type)]),
		"path": k8s.deepest_existing_path(pod.path, pod.spec, ["securityContext", "seccompProfile", "type"]),
	}
}

deny contains result if {
	some c in workloads.containers
	profile := k8s.security_context(c).seccompProfile
	profile != null
	type := object.get(k8s.as_object(profile), "type", "")
	not _allowed_types[type]
	result := {
		"msg": sprintf("%s sets securityContext.seccompProfile.type: %s", [k8s.container_label(c), k8s.quote(type)]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "seccompProfile", "type"]),
	}
}

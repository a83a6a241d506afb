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
import data.kubecomply.lib.workloads

deny contains result if {
	some pod in workloads.pod_specs
	# From policy v1.35 user-namespaced pods are exempt.
	not k8s.host_users_false(pod)
	k8s.pod_security_context(pod).runAsUser == 0
	result := {
		"msg": "pod sets securityContext.runAsUser: 0",
		"path": array.concat(pod.path, ["securityContext", "runAsUser"]),
	}
}

deny contains result if {
	some c in workloads.containers
	not k8s.host_users_false(c.pod)
	k8s.security_context(c).runAsUser == 0
	result := {
		"msg": sprintf("%s sets securityContext.runAsUser: 0", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "runAsUser"]),
	}
}

# METADATA
# title: Containers may run as root
# description: >-
#   A container that runs as root (UID 0) is one kernel or runtime bug away
#   from root on the node, and it can modify everything in its own filesystem.
#   The restricted standard requires runAsNonRoot true so the kubelet refuses
#   to start any container whose user would be root.
# custom:
#   id: run-as-non-root
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Set spec.securityContext.runAsNonRoot: true on the pod (or on every
#     container, init container and ephemeral container), do not set it to
#     false anywhere, and build the image with a non-root USER. Pods with
#     spec.hostUsers false are exempt.
#   references:
#     pss: ["restricted/Running as Non-root"]
#     psa_check: ["runAsNonRoot"]
#     cis: ["5.2.7"]
#     kubescape: ["C-0013"]
#     trivy: ["KSV-0012"]
#     checkov: ["CKV_K8S_23"]
package kubecomply.pod_security.run_as_non_root

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

_pod_value(pod) := object.get(k8s.pod_security_context(pod), "runAsNonRoot", null)

_container_value(c) := object.get(k8s.security_context(c), "runAsNonRoot", null)

# Pod level explicitly false.
deny contains result if {
	some pod in workloads.pod_specs
	# From policy v1.35 user-namespaced pods are exempt.
	not k8s.host_users_false(pod)
	_pod_value(pod) == false
	result := {
		"msg": "pod sets securityContext.runAsNonRoot: false",
		"path": array.concat(pod.path, ["securityContext", "runAsNonRoot"]),
	}
}

# A container explicitly false (a pod-level true does not save it).
deny contains result if {
	some c in workloads.containers
	not k8s.host_users_false(c.pod)
	_container_value(c) == false
	result := {
		"msg": sprintf("%s sets securityContext.runAsNonRoot: false", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "runAsNonRoot"]),
	}
}

# A container that does not set it, while the pod does not set it to true.
deny contains result if {
	some c in workloads.containers
	not k8s.host_users_false(c.pod)
	_container_value(c) == null
	_pod_value(c.pod) != true
	result := {
		"msg": sprintf("neither the pod nor %s sets securityContext.runAsNonRoot: true", [k8s.container_label(c)]),
		"path": k8s.security_context_path(c),
	}
}

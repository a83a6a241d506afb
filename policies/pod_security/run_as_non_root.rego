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
#   population: Workloads whose pods share the node's user namespace (not spec.hostUsers=false)
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
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# Hot path: direct field access only, no function calls (a user function costs
# ~6 µs per call in regorus). A field under a securityContext that is absent,
# null or not an object is simply undefined, so `x.runAsNonRoot == false` fails
# and `not x.runAsNonRoot != null` holds, the same as the unset case.
# Message and path helpers are only called for violations.

# Population: workloads whose pods share the node's user namespace. From
# policy v1.35 PSA exempts pods with spec.hostUsers: false, where root in
# the pod maps to an unprivileged user on the node.
applies if {
	some pod in pod_specs
	not pod.spec.hostUsers == false
}

# Pod level explicitly false.
deny contains result if {
	some pod in pod_specs
	pod.spec.securityContext.runAsNonRoot == false
	# From policy v1.35 user-namespaced pods are exempt.
	not pod.spec.hostUsers == false
	result := {
		"msg": "pod sets securityContext.runAsNonRoot: false",
		"path": array.concat(pod.path, ["securityContext", "runAsNonRoot"]),
	}
}

# A container explicitly false (a pod-level true does not save it).
deny contains result if {
	some c in containers
	c.container.securityContext.runAsNonRoot == false
	not c.pod.spec.hostUsers == false
	result := {
		"msg": sprintf("%s sets securityContext.runAsNonRoot: false", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "runAsNonRoot"]),
	}
}

# A container that does not set it (absent or null), while the pod does not
# set it to true.
deny contains result if {
	some c in containers
	not c.container.securityContext.runAsNonRoot != null
	not c.pod.spec.securityContext.runAsNonRoot == true
	not c.pod.spec.hostUsers == false
	result := {
		"msg": sprintf("neither the pod nor %s sets securityContext.runAsNonRoot: true", [k8s.container_label(c)]),
		"path": k8s.security_context_path(c),
	}
}

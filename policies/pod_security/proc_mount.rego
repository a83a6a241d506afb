# METADATA
# title: /proc mount type
# description: >-
#   The container runtime masks sensitive parts of /proc (kernel keys, timers,
#   sysrq and similar) by default. An Unmasked procMount exposes them to the
#   container. Baseline allows it only for pods in a user namespace
#   (hostUsers false), where the process is not root on the node.
# custom:
#   id: proc-mount
#   severity: medium
#   kinds: [workloads]
#   population: Workloads whose pods share the node's user namespace (not spec.hostUsers=false)
#   remediation: >-
#     Remove securityContext.procMount or set it to Default in every container,
#     init container and ephemeral container (or run the pod with
#     spec.hostUsers false).
#   references:
#     pss: ["baseline//proc Mount Type"]
#     psa_check: ["procMount"]
#     trivy: ["KSV-0027"]
package kubecomply.pod_security.proc_mount

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every
# container). A field under a value that is absent, null or not an object is
# undefined, so the comparison simply fails. Message helpers are only called
# for violations.

# Population: workloads whose pods share the node's user namespace. From
# policy v1.35 PSA exempts pods with spec.hostUsers: false, where root in
# the pod maps to an unprivileged user on the node.
applies if {
	some pod in pod_specs
	not pod.spec.hostUsers == false
}

deny contains result if {
	some c in containers
	mount := c.container.securityContext.procMount
	mount != null
	mount != "Default"
	# From policy v1.35 a user-namespaced pod may use any procMount at baseline.
	not c.pod.spec.hostUsers == false
	result := {
		"msg": sprintf("%s sets securityContext.procMount: %s", [k8s.container_label(c), k8s.quote(mount)]),
		"path": array.concat(c.path, ["securityContext", "procMount"]),
	}
}

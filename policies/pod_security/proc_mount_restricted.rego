# METADATA
# title: /proc mount type (restricted)
# description: >-
#   The restricted standard keeps the default /proc masking even for pods in a
#   user namespace. An Unmasked /proc exposes kernel interfaces that the
#   runtime normally hides, and user namespaces alone are not considered
#   enough protection at this level.
# custom:
#   id: proc-mount-restricted
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Remove securityContext.procMount or set it to Default in every container,
#     init container and ephemeral container, including pods with
#     spec.hostUsers false.
#   references:
#     pss: ["restricted//proc Mount Type"]
#     psa_check: ["procMount_restricted"]
#     trivy: ["KSV-0027"]
package kubecomply.pod_security.proc_mount_restricted

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every
# container). A field under a value that is absent, null or not an object is
# undefined, so the comparison simply fails. Message helpers are only called
# for violations.

deny contains result if {
	some c in containers
	mount := c.container.securityContext.procMount
	mount != null
	mount != "Default"
	result := {
		"msg": sprintf("%s sets securityContext.procMount: %s", [k8s.container_label(c), k8s.quote(mount)]),
		"path": array.concat(c.path, ["securityContext", "procMount"]),
	}
}

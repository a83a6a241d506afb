# METADATA
# title: Containers run with a low GID
# description: >-
#   The primary group of a container process decides which files it can use
#   through group permissions. A GID below 10000 usually belongs to a group on
#   the node (root is 0, and system groups such as disk or docker sit in the
#   low range), so a process that escapes its container would share that
#   group's access to host files and devices. The effective GID is the
#   container's securityContext.runAsGroup, else the pod's; when neither is
#   set the runtime uses the image's group, usually root (0).
# custom:
#   id: run-as-high-gid
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Set securityContext.runAsGroup to a value of 10000 or more in the pod
#     securityContext (inherited by every container) or in each container,
#     init container and ephemeral container. Windows pods and pods with
#     spec.hostUsers false (user namespaces, where container IDs are
#     remapped) are exempt.
#   references:
#     trivy: ["KSV-0021"]
package kubecomply.hardening.run_as_high_gid

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

# Three rules instead of an "effective value" function, so that the common
# case costs a few field reads per container (a user function call costs
# ~6 µs in regorus). Only a number counts as set: null and other types are
# treated as unset.

# The container sets a low GID.
deny contains result if {
	some c in workloads.containers
	gid := c.container.securityContext.runAsGroup
	is_number(gid)
	gid < 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s runs as GID %v; use 10000 or more", [k8s.container_label(c), gid]),
		"path": array.concat(c.path, ["securityContext", "runAsGroup"]),
	}
}

# The container sets nothing and inherits a low GID from the pod.
deny contains result if {
	some c in workloads.containers
	not is_number(c.container.securityContext.runAsGroup)
	gid := c.pod.spec.securityContext.runAsGroup
	is_number(gid)
	gid < 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s runs as GID %v from the pod securityContext; use 10000 or more", [k8s.container_label(c), gid]),
		"path": array.concat(c.pod.path, ["securityContext", "runAsGroup"]),
	}
}

# Neither sets a GID: the image's group applies.
deny contains result if {
	some c in workloads.containers
	not is_number(c.container.securityContext.runAsGroup)
	not is_number(c.pod.spec.securityContext.runAsGroup)
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s sets no runAsGroup (in the container or the pod), so the image's group applies; set a GID of 10000 or more", [k8s.container_label(c)]),
		"path": k8s.security_context_path(c),
	}
}

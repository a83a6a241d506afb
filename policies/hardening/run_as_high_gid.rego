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
#   population: Workloads whose pods run Linux in the node's user namespace (not spec.os.name=windows, not spec.hostUsers=false)
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

import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# Two rules and no function call until a violation is found (a user function
# costs ~6 µs in regorus). Only a number counts as set in the container; the
# pod value is compared directly, so an absent or null one fails the test
# (a string sorts above every number in Rego and passes; the API server
# rejects such a manifest anyway).

# Population: workloads whose pods run Linux and share the node's user
# namespace. IDs mean nothing for Windows pods (spec.os.name: windows), and
# in a user namespace (spec.hostUsers: false) they are mapped to high IDs on
# the node anyway.
applies if {
	some pod in pod_specs
	not pod.spec.hostUsers == false
	not pod.spec.os.name == "windows"
}

# The container sets a low GID.
deny contains result if {
	some c in containers
	gid := c.container.securityContext.runAsGroup
	is_number(gid)
	gid < 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s %s runs as GID %v; use 10000 or more", [_types[c.type], json.marshal(object.get(c.container, "name", "")), gid]),
		"path": array.concat(c.path, ["securityContext", "runAsGroup"]),
	}
}

# The container sets nothing: the pod's value applies, if any.
deny contains result if {
	some c in containers
	not is_number(c.container.securityContext.runAsGroup)
	not c.pod.spec.securityContext.runAsGroup >= 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := _inherited(c)
}

_inherited(c) := {
	"msg": sprintf("%s %s runs as GID %v from the pod securityContext; use 10000 or more", [_types[c.type], json.marshal(object.get(c.container, "name", "")), gid]),
	"path": array.concat(c.pod.path, ["securityContext", "runAsGroup"]),
} if {
	gid := c.pod.spec.securityContext.runAsGroup
	is_number(gid)
} else := {
	"msg": sprintf("%s %s sets no runAsGroup (in the container or the pod), so the image's group applies; set a GID of 10000 or more", [_types[c.type], json.marshal(object.get(c.container, "name", ""))]),
	"path": _security_context_path(c),
}

_security_context_path(c) := array.concat(c.path, ["securityContext"]) if {
	is_object(c.container.securityContext)
} else := c.path

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

# METADATA
# title: Containers run with a low UID
# description: >-
#   A UID below 10000 usually exists on the node too: system accounts and
#   real users live in that range. A process that escapes its container with
#   such a UID acts as that host user, with that user's files and
#   permissions. Running every container as a high UID (10000 or more) that
#   no host account uses keeps an escape from landing on a real identity.
#   The effective UID is the container's securityContext.runAsUser, else the
#   pod's; when neither is set the image decides, often root.
# custom:
#   id: run-as-high-uid
#   severity: low
#   kinds: [workloads]
#   population: Workloads whose pods run Linux in the node's user namespace (not spec.os.name=windows, not spec.hostUsers=false)
#   remediation: >-
#     Set securityContext.runAsUser to a value of 10000 or more in the pod
#     securityContext (inherited by every container) or in each container,
#     init container and ephemeral container, and build the image so that it
#     works as that user. Windows pods and pods with spec.hostUsers false
#     (user namespaces, where container UIDs are remapped) are exempt.
#   references:
#     trivy: ["KSV-0020"]
#     checkov: ["CKV_K8S_40"]
package kubecomply.hardening.run_as_high_uid

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

# The container sets a low UID.
deny contains result if {
	some c in containers
	uid := c.container.securityContext.runAsUser
	is_number(uid)
	uid < 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s %s runs as UID %v; use 10000 or more", [_types[c.type], json.marshal(object.get(c.container, "name", "")), uid]),
		"path": array.concat(c.path, ["securityContext", "runAsUser"]),
	}
}

# The container sets nothing: the pod's value applies, if any.
deny contains result if {
	some c in containers
	not is_number(c.container.securityContext.runAsUser)
	not c.pod.spec.securityContext.runAsUser >= 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := _inherited(c)
}

_inherited(c) := {
	"msg": sprintf("%s %s runs as UID %v from the pod securityContext; use 10000 or more", [_types[c.type], json.marshal(object.get(c.container, "name", "")), uid]),
	"path": array.concat(c.pod.path, ["securityContext", "runAsUser"]),
} if {
	uid := c.pod.spec.securityContext.runAsUser
	is_number(uid)
} else := {
	"msg": sprintf("%s %s sets no runAsUser (in the container or the pod), so the image's user applies; set a UID of 10000 or more", [_types[c.type], json.marshal(object.get(c.container, "name", ""))]),
	"path": _security_context_path(c),
}

_security_context_path(c) := array.concat(c.path, ["securityContext"]) if {
	is_object(c.container.securityContext)
} else := c.path

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

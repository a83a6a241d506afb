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

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

# Three rules instead of an "effective value" function, so that the common
# case costs a few field reads per container (a user function call costs
# ~6 µs in regorus). Only a number counts as set: null and other types are
# treated as unset.

# The container sets a low UID.
deny contains result if {
	some c in workloads.containers
	uid := c.container.securityContext.runAsUser
	is_number(uid)
	uid < 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s runs as UID %v; use 10000 or more", [k8s.container_label(c), uid]),
		"path": array.concat(c.path, ["securityContext", "runAsUser"]),
	}
}

# The container sets nothing and inherits a low UID from the pod.
deny contains result if {
	some c in workloads.containers
	not is_number(c.container.securityContext.runAsUser)
	uid := c.pod.spec.securityContext.runAsUser
	is_number(uid)
	uid < 10000
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s runs as UID %v from the pod securityContext; use 10000 or more", [k8s.container_label(c), uid]),
		"path": array.concat(c.pod.path, ["securityContext", "runAsUser"]),
	}
}

# Neither sets a UID: the image's USER applies.
deny contains result if {
	some c in workloads.containers
	not is_number(c.container.securityContext.runAsUser)
	not is_number(c.pod.spec.securityContext.runAsUser)
	not c.pod.spec.hostUsers == false
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s sets no runAsUser (in the container or the pod), so the image's user applies; set a UID of 10000 or more", [k8s.container_label(c)]),
		"path": k8s.security_context_path(c),
	}
}

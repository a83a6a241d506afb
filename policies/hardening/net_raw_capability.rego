# METADATA
# title: NET_RAW capability not dropped
# description: >-
#   Most container runtimes grant NET_RAW by default. It lets a process craft
#   raw packets, which is what ARP and DNS spoofing against other pods on the
#   same node need, and it has been the entry point of several kernel
#   exploits. Ordinary applications never need it (ping is the usual
#   exception), so it should be dropped explicitly and never added back.
# custom:
#   id: net-raw-capability
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Add ALL (or at least NET_RAW) to securityContext.capabilities.drop in
#     every container, init container and ephemeral container, and remove
#     NET_RAW (and ALL) from capabilities.add. Windows pods are exempt: Linux
#     capabilities do not apply to them.
#   references:
#     checkov: ["CKV_K8S_28"]
package kubecomply.hardening.net_raw_capability

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

# Entries of capabilities.add that grant NET_RAW. Runtimes disagree on whether
# a CAP_ prefix is accepted, so an added CAP_NET_RAW counts as granting it,
# while only the exact names below count as dropping it.
_grants := {"NET_RAW", "CAP_NET_RAW", "ALL"}

# drop is absent, null or not a list: nothing is dropped.
deny contains result if {
	some c in workloads.containers
	not is_array(c.container.securityContext.capabilities.drop)
	not c.pod.spec.os.name == "windows"
	result := _not_dropped(c)
}

# drop is a list with neither ALL nor NET_RAW.
deny contains result if {
	some c in workloads.containers
	drop := c.container.securityContext.capabilities.drop
	is_array(drop)
	not "ALL" in drop
	not "NET_RAW" in drop
	not c.pod.spec.os.name == "windows"
	result := _not_dropped(c)
}

_not_dropped(c) := {
	"msg": sprintf("%s does not drop NET_RAW (neither ALL nor NET_RAW is in securityContext.capabilities.drop)", [k8s.container_label(c)]),
	"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "capabilities", "drop"]),
}

deny contains result if {
	some c in workloads.containers
	add := c.container.securityContext.capabilities.add
	is_array(add)
	some i, cap in add
	_grants[cap]
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s adds capability %s, which grants NET_RAW", [k8s.container_label(c), cap]),
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}
}

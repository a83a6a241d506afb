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
#   population: Workloads whose pods run Linux (not spec.os.name=windows)
#   remediation: >-
#     Add ALL (or at least NET_RAW) to securityContext.capabilities.drop in
#     every container, init container and ephemeral container, and remove
#     NET_RAW (and ALL) from capabilities.add. Windows pods are exempt: Linux
#     capabilities do not apply to them.
#   references:
#     checkov: ["CKV_K8S_28"]
package kubecomply.hardening.net_raw_capability

import rego.v1

import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# Entries of capabilities.add that grant NET_RAW. Runtimes disagree on whether
# a CAP_ prefix is accepted, so an added CAP_NET_RAW counts as granting it,
# while only the exact names below count as dropping it.
_grants := {"NET_RAW", "CAP_NET_RAW", "ALL"}

# Population: workloads whose pods run Linux; the setting has no meaning
# for Windows pods (spec.os.name: windows).
applies if {
	some pod in pod_specs
	not pod.spec.os.name == "windows"
}

# drop is absent, null or not a list: nothing is dropped.
deny contains result if {
	some c in containers
	not is_array(c.container.securityContext.capabilities.drop)
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s %s has no securityContext.capabilities.drop list, so NET_RAW is not dropped", [_types[c.type], json.marshal(object.get(c.container, "name", ""))]),
		"path": _drop_path(c),
	}
}

# drop is a list with neither ALL nor NET_RAW.
deny contains result if {
	some c in containers
	drop := c.container.securityContext.capabilities.drop
	is_array(drop)
	not "ALL" in drop
	not "NET_RAW" in drop
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s %s does not drop NET_RAW (neither ALL nor NET_RAW is in securityContext.capabilities.drop)", [_types[c.type], json.marshal(object.get(c.container, "name", ""))]),
		"path": array.concat(c.path, ["securityContext", "capabilities", "drop"]),
	}
}

# Where to point when drop is not a list: drop itself when present, else the
# closest parent that exists.
_drop_path(c) := array.concat(c.path, ["securityContext", "capabilities", "drop"]) if {
	_ := c.container.securityContext.capabilities.drop
} else := array.concat(c.path, ["securityContext", "capabilities"]) if {
	_ := c.container.securityContext.capabilities
} else := array.concat(c.path, ["securityContext"]) if {
	is_object(c.container.securityContext)
} else := c.path

deny contains result if {
	some c in containers
	add := c.container.securityContext.capabilities.add
	is_array(add)
	some i, cap in add
	_grants[cap]
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s %s adds capability %s, which grants NET_RAW", [_types[c.type], json.marshal(object.get(c.container, "name", "")), cap]),
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}
}

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

# METADATA
# title: SYS_ADMIN capability added
# description: >-
#   CAP_SYS_ADMIN is a catch-all capability: it allows mounting filesystems,
#   changing namespaces, using many device and BPF operations and much more.
#   A process holding it is close to root on the node, and most published
#   container escapes rely on it. Adding ALL grants it as well.
# custom:
#   id: sys-admin-capability
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Remove SYS_ADMIN (and ALL) from securityContext.capabilities.add in every
#     container, init container and ephemeral container. Add only the narrow
#     capabilities the process really needs, or move the privileged task to a
#     node-level agent that is governed separately.
#   references:
#     kubescape: ["C-0046"]
#     trivy: ["KSV-0005"]
#     checkov: ["CKV_K8S_39"]
package kubecomply.hardening.sys_admin_capability

import rego.v1

import data.kubecomply.lib.workloads.containers

# Entries of capabilities.add that grant CAP_SYS_ADMIN (with or without the
# CAP_ prefix, which some runtimes accept).
_grants := {"SYS_ADMIN", "CAP_SYS_ADMIN", "ALL"}

deny contains result if {
	some c in containers
	add := c.container.securityContext.capabilities.add
	is_array(add)
	some i, cap in add
	_grants[cap]
	result := {
		"msg": sprintf("%s %s adds capability %s, which grants SYS_ADMIN", [_types[c.type], json.marshal(object.get(c.container, "name", "")), cap]),
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}
}

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

# METADATA
# title: Capabilities not dropped
# description: >-
#   Containers start with the runtime's default capability set, which is more
#   than most applications need. The restricted standard requires every
#   container to drop ALL capabilities and to add back at most
#   NET_BIND_SERVICE, so a compromised process holds no kernel privileges.
# custom:
#   id: capabilities-drop-all
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Set securityContext.capabilities.drop: ["ALL"] in every container, init
#     container and ephemeral container, and remove every entry of
#     capabilities.add except NET_BIND_SERVICE. Not required for Windows pods.
#   references:
#     pss: ["restricted/Capabilities (v1.22+)"]
#     psa_check: ["capabilities_restricted"]
#     cis: ["5.2.9"]
#     trivy: ["KSV-0106"]
#     checkov: ["CKV_K8S_37"]
package kubecomply.pod_security.capabilities_drop_all

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

_capabilities(c) := k8s.as_object(object.get(k8s.security_context(c), "capabilities", {}))

_drops_all(c) if {
	some cap in k8s.as_array(object.get(_capabilities(c), "drop", []))
	cap == "ALL"
}

deny contains result if {
	some c in workloads.containers
	# Linux-only control: PSA exempts Windows pods from policy v1.25.
	not k8s.is_windows(c.pod)
	not _drops_all(c)
	result := {
		"msg": sprintf("%s does not drop ALL in securityContext.capabilities.drop", [k8s.container_label(c)]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "capabilities", "drop"]),
	}
}

deny contains result if {
	some c in workloads.containers
	not k8s.is_windows(c.pod)
	some i, cap in k8s.as_array(object.get(_capabilities(c), "add", []))
	cap != "NET_BIND_SERVICE"
	result := {
		"msg": sprintf("%s adds capability %v; only NET_BIND_SERVICE may be added", [k8s.container_label(c), cap]),
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}
}

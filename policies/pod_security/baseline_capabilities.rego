# METADATA
# title: Capabilities beyond the default set
# description: >-
#   Linux capabilities split root's power into pieces; some of them, such as
#   SYS_ADMIN, NET_ADMIN or NET_RAW, are enough on their own to attack the node
#   or other pods. The baseline standard only lets a container add back
#   capabilities from the container runtime's default set.
# custom:
#   id: baseline-capabilities
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Remove every entry of securityContext.capabilities.add that is not one of
#     AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
#     NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.
#   references:
#     pss: ["baseline/Capabilities"]
#     psa_check: ["capabilities_baseline"]
#     cis: ["5.2.9"]
#     kubescape: ["C-0046"]
#     trivy: ["KSV-0022"]
#     checkov: ["CKV_K8S_25"]
package kubecomply.pod_security.baseline_capabilities

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers

# The runtime's default capability set; adding these back is allowed.
allowed_capabilities := {
	"AUDIT_WRITE",
	"CHOWN",
	"DAC_OVERRIDE",
	"FOWNER",
	"FSETID",
	"KILL",
	"MKNOD",
	"NET_BIND_SERVICE",
	"SETFCAP",
	"SETGID",
	"SETPCAP",
	"SETUID",
	"SYS_CHROOT",
}

# Direct field access instead of the as_object/as_array helpers (a user
# function costs ~6 µs per call in regorus and this runs for every container).
# The is_array guard keeps an object or string `add` from being iterated.
deny contains result if {
	some c in containers
	added := c.container.securityContext.capabilities.add
	is_array(added)
	some i, cap in added
	not allowed_capabilities[cap]
	result := {
		"msg": sprintf("%s adds capability %v in securityContext.capabilities.add", [k8s.container_label(c), cap]),
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}
}

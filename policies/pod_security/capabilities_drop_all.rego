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
#   population: Workloads whose pods run Linux (not spec.os.name=windows)
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
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every
# container). A field under a value that is absent, null or not an object is
# undefined. Message and path helpers are only called for violations.

# Population: workloads whose pods run Linux. From policy v1.25 PSA exempts
# Windows pods (spec.os.name: windows) from this Linux-only control.
applies if {
	some pod in pod_specs
	not pod.spec.os.name == "windows"
}

# drop is absent, null or not a list: nothing is dropped.
deny contains result if {
	some c in containers
	not is_array(c.container.securityContext.capabilities.drop)
	# Linux-only control: PSA exempts Windows pods from policy v1.25.
	not c.pod.spec.os.name == "windows"
	result := _missing_drop_all(c)
}

# drop is a list without ALL.
deny contains result if {
	some c in containers
	drop := c.container.securityContext.capabilities.drop
	is_array(drop)
	not "ALL" in drop
	not c.pod.spec.os.name == "windows"
	result := _missing_drop_all(c)
}

_missing_drop_all(c) := {
	"msg": sprintf("%s does not drop ALL in securityContext.capabilities.drop", [k8s.container_label(c)]),
	"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "capabilities", "drop"]),
}

deny contains result if {
	some c in containers
	add := c.container.securityContext.capabilities.add
	is_array(add)
	some i, cap in add
	cap != "NET_BIND_SERVICE"
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s adds capability %v; only NET_BIND_SERVICE may be added", [k8s.container_label(c), cap]),
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}
}

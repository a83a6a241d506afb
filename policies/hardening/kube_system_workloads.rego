# METADATA
# title: Workload in kube-system
# description: >-
#   kube-system holds the cluster's own components, and the service accounts,
#   secrets and privileges that come with them; it is usually exempt from
#   Pod Security admission and other guardrails. An application placed there
#   runs next to, and often with the same reach as, the control plane.
#   Cluster add-ons installed there on purpose are reported as well, at low
#   severity, so that each one is a visible, waivable decision.
# custom:
#   id: kube-system-workloads
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Move application workloads to their own namespace. For cluster add-ons
#     that must stay in kube-system, record a waiver with the reason.
#   references:
#     trivy: ["KSV-0037"]
package kubecomply.hardening.kube_system_workloads

import rego.v1

deny contains result if {
	input.metadata.namespace == "kube-system"
	result := {
		"msg": sprintf("%s %s runs in the kube-system namespace", [input.kind, _name(input.metadata)]),
		"path": ["metadata", "namespace"],
	}
}

# A function, not a value rule: regorus evaluates every value rule of the
# package for every resource.
_name(metadata) := sprintf("%q", [metadata.name]) if {
	is_string(metadata.name)
} else := json.marshal(metadata.name) if {
	"name" in object.keys(metadata)
} else := `""`

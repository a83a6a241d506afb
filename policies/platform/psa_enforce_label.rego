# METADATA
# title: Namespace without an enforced Pod Security level
# description: >-
#   Pod Security Admission enforces a Pod Security Standard per namespace through
#   the label pod-security.kubernetes.io/enforce. A namespace without it falls back
#   to the cluster-wide default (privileged, unless the API server's
#   AdmissionConfiguration says otherwise, which a manifest scan cannot see), and
#   a namespace labelled enforce=privileged admits any Pod, including ones that
#   take over the node. Fails when the label is missing, set to privileged, or set
#   to a value that is not a Pod Security level. kube-system is allowed to be
#   labelled privileged, since it hosts node-level system components (CNI,
#   kube-proxy, storage drivers); it still needs the label, so that the
#   exemption is explicit and reviewed. Other exemptions go through waivers.
# custom:
#   id: psa-enforce-label
#   severity: medium
#   kinds: [Namespace]
#   remediation: >-
#     Label the namespace pod-security.kubernetes.io/enforce=restricted (or
#     baseline where restricted is not yet possible), ideally with
#     pod-security.kubernetes.io/enforce-version pinned and the audit and warn
#     labels set to restricted. Move workloads that need privileges into a
#     dedicated namespace and waive that namespace explicitly.
#   references:
#     pss: ["Pod Security Admission"]
#     cis: ["5.2.1"]
#     kubescape: ["C-0192"]
package kubecomply.platform.psa_enforce_label

import rego.v1

_levels := {"privileged", "baseline", "restricted"}

# Namespaces that may run privileged system components.
_privileged_allowed := {"kube-system"}

deny contains result if {
	not input.metadata.labels["pod-security.kubernetes.io/enforce"]
	result := {
		"msg": sprintf("Namespace %s has no pod-security.kubernetes.io/enforce label: Pods are admitted at the cluster default level (privileged unless configured)", [_name]),
		"path": _labels_path,
	}
}

deny contains result if {
	input.metadata.labels["pod-security.kubernetes.io/enforce"] == "privileged"
	not input.metadata.name in _privileged_allowed
	result := {
		"msg": sprintf("Namespace %s enforces the privileged Pod Security level: any Pod is admitted", [_name]),
		"path": ["metadata", "labels", "pod-security.kubernetes.io/enforce"],
	}
}

deny contains result if {
	level := input.metadata.labels["pod-security.kubernetes.io/enforce"]
	not level in _levels
	result := {
		"msg": sprintf("Namespace %s sets pod-security.kubernetes.io/enforce to %s, which is not privileged, baseline or restricted", [_name, _quote(level)]),
		"path": ["metadata", "labels", "pod-security.kubernetes.io/enforce"],
	}
}

_name := sprintf("%q", [input.metadata.name]) if {
	is_string(input.metadata.name)
} else := `""`

_labels_path := ["metadata", "labels"] if {
	is_object(input.metadata.labels)
} else := ["metadata"]

_quote(x) := sprintf("%q", [x]) if {
	is_string(x)
} else := json.marshal(x)

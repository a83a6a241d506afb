# METADATA
# title: Namespace without a NetworkPolicy
# description: >-
#   Kubernetes lets every pod talk to every other pod in the cluster until a
#   NetworkPolicy selects it. A namespace without any NetworkPolicy therefore
#   has no network isolation at all: a compromised pod anywhere can reach its
#   pods, and its pods can reach everything. In a manifest scan only the
#   scanned files are seen, so a policy applied separately is not found. A
#   NetworkPolicy only has effect with a network plugin that enforces it.
# custom:
#   id: namespace-network-policy
#   severity: medium
#   kinds: [Namespace]
#   reads: [NetworkPolicy]
#   remediation: >-
#     Add NetworkPolicies to the namespace: start with a default-deny policy
#     (podSelector: {} with policyTypes Ingress and Egress) and then allow the
#     traffic each workload needs. Scan them together with the Namespace.
#   references:
#     cis: ["5.3.2"]
#     kubescape: ["C-0054"]
package kubecomply.network.namespace_network_policy

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

# NetworkPolicy in networking.k8s.io/v1, and the long-removed extensions/v1beta1.
_versions := ["networking.k8s.io/v1", "extensions/v1beta1"]

deny contains result if {
	ns := input.metadata.name
	is_string(ns)
	not _has_policy(ns)
	result := {
		"msg": sprintf("no NetworkPolicy in namespace %s among the scanned resources", [k8s.quote(ns)]),
		"path": ["metadata", "name"],
	}
}

_has_policy(ns) if {
	some version in _versions
	some _ in data.inventory.namespace[ns][version].NetworkPolicy
}

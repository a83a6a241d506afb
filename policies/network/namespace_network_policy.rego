# METADATA
# title: Namespace without a NetworkPolicy
# description: >-
#   Kubernetes lets every pod talk to every other pod in the cluster until a
#   NetworkPolicy selects it. A namespace without any NetworkPolicy therefore
#   has no network isolation at all: a compromised pod anywhere can reach its
#   pods, and its pods can reach everything. In a manifest scan only the
#   scanned files are seen, so a policy applied separately is not found. A
#   NetworkPolicy only has effect with a network plugin that enforces it.
#   Policies of the plugins' own APIs count as well: CiliumNetworkPolicy,
#   CiliumClusterwideNetworkPolicy, Calico NetworkPolicy and
#   GlobalNetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy; a
#   cluster-wide one counts for the namespaces it selects (all, by name or by
#   namespace labels).
# custom:
#   id: namespace-network-policy
#   severity: medium
#   kinds: [Namespace]
#   reads: [NetworkPolicy]
#   reads_if_served: [CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy]
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
import data.kubecomply.lib.network_policies as netpol

deny contains result if {
	ns := input.metadata.name
	is_string(ns)
	not netpol.covered(ns, netpol.namespace_labels(input))
	result := {
		"msg": sprintf("no NetworkPolicy in namespace %s among the scanned resources", [k8s.quote(ns)]),
		"path": ["metadata", "name"],
	}
}

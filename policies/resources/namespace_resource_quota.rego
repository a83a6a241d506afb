# METADATA
# title: Namespace without a ResourceQuota
# description: >-
#   A ResourceQuota caps what a namespace may consume in total (CPU, memory,
#   storage, number of pods, Services, load balancers...). Without one, a
#   single team, a runaway autoscaler or an attacker with create rights in the
#   namespace can exhaust the cluster's capacity for everyone else. Any
#   ResourceQuota in the namespace counts. In a manifest scan only the scanned
#   files are seen, so a quota applied separately is not found.
# custom:
#   id: namespace-resource-quota
#   severity: low
#   kinds: [Namespace]
#   reads: [ResourceQuota]
#   remediation: >-
#     Add a ResourceQuota (v1) to the namespace with hard limits for at
#     least requests.cpu, requests.memory, limits.cpu and limits.memory (and
#     object counts where useful), and scan it together with the Namespace.
#   references:
#     trivy: ["KSV-0040"]
package kubecomply.resources.namespace_resource_quota

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

# One keyed lookup: the ResourceQuota objects filed under this namespace.
deny contains result if {
	ns := input.metadata.name
	is_string(ns)
	not _has_resourcequota(ns)
	result := {
		"msg": sprintf("no ResourceQuota in namespace %s among the scanned resources", [k8s.quote(ns)]),
		"path": ["metadata", "name"],
	}
}

_has_resourcequota(ns) if {
	some _ in data.inventory.namespace[ns].v1.ResourceQuota
}

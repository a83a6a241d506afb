# METADATA
# title: Namespace without a LimitRange
# description: >-
#   A LimitRange gives containers that omit resources a default request and
#   limit, and can bound what a single container or pod may ask for. Without
#   one, every container without resources runs unbounded and BestEffort,
#   and under a ResourceQuota on CPU or memory such pods are rejected
#   outright. Any LimitRange in the namespace counts. In a manifest scan only
#   the scanned files are seen, so a LimitRange applied separately is not
#   found.
# custom:
#   id: namespace-limit-range
#   severity: low
#   kinds: [Namespace]
#   reads: [LimitRange]
#   remediation: >-
#     Add a LimitRange (v1) to the namespace with a limits entry of type
#     Container that sets default, defaultRequest and max for cpu and memory,
#     and scan it together with the Namespace.
#   references:
#     trivy: ["KSV-0039"]
package kubecomply.resources.namespace_limit_range

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

# One keyed lookup: the LimitRange objects filed under this namespace.
deny contains result if {
	ns := input.metadata.name
	is_string(ns)
	not _has_limitrange(ns)
	result := {
		"msg": sprintf("no LimitRange in namespace %s among the scanned resources", [k8s.quote(ns)]),
		"path": ["metadata", "name"],
	}
}

_has_limitrange(ns) if {
	some _ in data.inventory.namespace[ns].v1.LimitRange
}

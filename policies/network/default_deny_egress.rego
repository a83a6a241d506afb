# METADATA
# title: No default-deny egress NetworkPolicy
# description: >-
#   A default-deny egress policy selects every pod of the namespace
#   (podSelector: {}), lists Egress in policyTypes and allows nothing (no
#   egress rules). Pods can then only open the connections further policies
#   allow, which stops a compromised pod from reaching the cluster API,
#   cloud metadata endpoints, other namespaces or the internet. Egress must be
#   listed in policyTypes explicitly: when policyTypes is unset, Egress only
#   applies to policies that have egress rules. Remember to allow DNS. In a
#   manifest scan only the scanned files are seen, so a policy applied
#   separately is not found.
# custom:
#   id: default-deny-egress
#   severity: low
#   kinds: [Namespace]
#   reads: [NetworkPolicy]
#   remediation: >-
#     Add a NetworkPolicy to the namespace with podSelector: {},
#     policyTypes: [Egress] and no egress rules, then allow the required flows
#     with further policies. Scan it together with the Namespace.
#   references:
#     kubescape: ["C-0030"]
package kubecomply.network.default_deny_egress

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

_versions := ["networking.k8s.io/v1", "extensions/v1beta1"]

deny contains result if {
	ns := input.metadata.name
	is_string(ns)
	not _default_deny(ns)
	result := {
		"msg": sprintf("no NetworkPolicy in namespace %s among the scanned resources denies all egress traffic (podSelector: {}, Egress in policyTypes, no egress rules)", [k8s.quote(ns)]),
		"path": ["metadata", "name"],
	}
}

# Keyed lookup of the namespace's policies; the tests run only for Namespaces.
_default_deny(ns) if {
	some version in _versions
	some policy in data.inventory.namespace[ns][version].NetworkPolicy
	spec := policy.spec
	is_object(spec)
	_selects_all(object.get(spec, "podSelector", null))
	_has_type(spec)
	not _has_rules(object.get(spec, "egress", null))
}

# An absent or null podSelector decodes to the empty selector (all pods).
_selects_all(sel) if sel == null

_selects_all(sel) if {
	is_object(sel)
	count(k8s.as_object(object.get(sel, "matchLabels", {}))) == 0
	count(k8s.as_array(object.get(sel, "matchExpressions", []))) == 0
}

_has_rules(rules) if {
	is_array(rules)
	count(rules) > 0
}

# Egress must be listed: without policyTypes it applies only to policies with
# egress rules, which are then not default deny.
_has_type(spec) if {
	types := spec.policyTypes
	is_array(types)
	"Egress" in types
}

# METADATA
# title: No default-deny ingress NetworkPolicy
# description: >-
#   A default-deny ingress policy selects every pod of the namespace
#   (podSelector: {}), lists Ingress in policyTypes and allows nothing (no
#   ingress rules). Every pod is then isolated for incoming traffic, and each
#   allowed flow has to be opened by a further policy, so a new workload or a
#   forgotten one is not reachable by accident. policyTypes defaults to
#   Ingress when unset. Policies are additive: another policy may still allow
#   traffic. In a manifest scan only the scanned files are seen, so a policy
#   applied separately is not found.
# custom:
#   id: default-deny-ingress
#   severity: medium
#   kinds: [Namespace]
#   reads: [NetworkPolicy]
#   remediation: >-
#     Add a NetworkPolicy to the namespace with podSelector: {},
#     policyTypes: [Ingress] and no ingress rules, then allow the required flows
#     with further policies. Scan it together with the Namespace.
#   references:
#     kubescape: ["C-0030"]
package kubecomply.network.default_deny_ingress

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

_versions := ["networking.k8s.io/v1", "extensions/v1beta1"]

deny contains result if {
	ns := input.metadata.name
	is_string(ns)
	not _default_deny(ns)
	result := {
		"msg": sprintf("no NetworkPolicy in namespace %s among the scanned resources denies all ingress traffic (podSelector: {}, Ingress in policyTypes, no ingress rules)", [k8s.quote(ns)]),
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
	not _has_rules(object.get(spec, "ingress", null))
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

_has_type(spec) if {
	types := spec.policyTypes
	is_array(types)
	"Ingress" in types
}

# Without policyTypes, Ingress always applies.
_has_type(spec) if not is_array(object.get(spec, "policyTypes", null))

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

deny contains result if {
	ns := input.metadata.name
	is_string(ns)
	not covered(ns, namespace_labels(input))
	result := {
		"msg": sprintf("no NetworkPolicy in namespace %s among the scanned resources", [k8s.quote(ns)]),
		"path": ["metadata", "name"],
	}
}

# ---- Whether a namespace is covered by any network policy, whichever API wrote it.
#
# Kubernetes NetworkPolicy is not the only way pods are isolated: Cilium
# (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), Calico (its own
# NetworkPolicy in projectcalico.org/v3 or crd.projectcalico.org/v1, and
# GlobalNetworkPolicy) and the upstream AdminNetworkPolicy /
# BaselineAdminNetworkPolicy (policy.networking.k8s.io) all select pods too.
# A namespace counts as covered, as with NetworkPolicy, when some policy can
# select its pods:
#   - any namespaced policy of these kinds in the namespace;
#   - a cluster-wide one that selects every pod (an empty selector), or whose
#     namespace part names this namespace or matches its labels.
# Cluster-wide selectors we cannot read for sure (a Calico selector expression
# other than one equality, say) do not count: the check then reports the
# namespace, which can be waived, rather than passing it on a guess.
#
# Kept in this module, not in lib/: a library that reads data.inventory would make
# the engine hand over every kind (scanner/engine/inventory_kinds.py).

# [group prefix of apiVersion, kind] of the namespaced policy kinds.
_namespaced := [
	["networking.k8s.io/", "NetworkPolicy"],
	["extensions/", "NetworkPolicy"],
	["cilium.io/", "CiliumNetworkPolicy"],
	["projectcalico.org/", "NetworkPolicy"],
	["crd.projectcalico.org/", "NetworkPolicy"],
]

# The namespace's labels as selectors see them: Kubernetes adds
# kubernetes.io/metadata.name itself, so a manifest need not carry it.
namespace_labels(ns_obj) := object.union(
	k8s.as_object(object.get(k8s.as_object(object.get(ns_obj, "metadata", {})), "labels", {})),
	{"kubernetes.io/metadata.name": ns_obj.metadata.name},
)

# Some policy covers namespace ns (a string) with the given labels.
covered(ns, _) if {
	some version, kinds in data.inventory.namespace[ns]
	some pair in _namespaced
	startswith(version, pair[0])
	count(k8s.as_object(object.get(kinds, pair[1], {}))) > 0
}

covered(ns, labels) if {
	some version, kinds in data.inventory.cluster
	startswith(version, "cilium.io/")
	some policy in k8s.as_object(object.get(kinds, "CiliumClusterwideNetworkPolicy", {}))
	some sel in _cilium_selectors(policy)
	_cilium_selects(sel, ns, labels)
}

covered(ns, labels) if {
	some version, kinds in data.inventory.cluster
	some group in ["projectcalico.org/", "crd.projectcalico.org/"]
	startswith(version, group)
	some policy in k8s.as_object(object.get(kinds, "GlobalNetworkPolicy", {}))
	_calico_selects(k8s.as_object(object.get(policy, "spec", {})), ns, labels)
}

covered(_, labels) if {
	some version, kinds in data.inventory.cluster
	startswith(version, "policy.networking.k8s.io/")
	some kind in ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy"]
	some policy in k8s.as_object(object.get(kinds, kind, {}))
	subject := policy.spec.subject
	is_object(subject)
	_anp_selects(subject, labels)
}

# ------------------------------------------------------------------ Cilium

# A clusterwide policy has one rule in spec or several in specs; node (host) policies have no endpointSelector.
_cilium_selectors(policy) := [sel |
	some rule in array.concat([object.get(policy, "spec", null)], k8s.as_array(object.get(policy, "specs", [])))
	is_object(rule)
	sel := rule.endpointSelector
	is_object(sel)
]

_cilium_selects(sel, _, _) if {
	count(k8s.as_object(object.get(sel, "matchLabels", {}))) == 0
	count(k8s.as_array(object.get(sel, "matchExpressions", []))) == 0
}

_cilium_selects(sel, ns, labels) if {
	match := k8s.as_object(object.get(sel, "matchLabels", {}))
	exprs := k8s.as_array(object.get(sel, "matchExpressions", []))
	count([k | some k, _ in match; _cilium_namespace_key(k)]) + count([e | some e in exprs; _cilium_namespace_key(e.key)]) > 0
	every k, v in match {
		_cilium_label_ok(k, v, ns, labels)
	}
	every e in exprs {
		_cilium_expression_ok(e, ns, labels)
	}
}

# Cilium label keys may carry a source prefix.
_strip(k) := substring(k, 4, -1) if {
	some prefix in ["k8s:", "any:"]
	startswith(k, prefix)
} else := k

_cilium_namespace_key(k) if _strip(k) == "io.kubernetes.pod.namespace"

_cilium_namespace_key(k) if startswith(_strip(k), "io.cilium.k8s.namespace.labels.")

# A namespace label read through Cilium's name for it; the pod namespace is the name label.
_cilium_namespace_value(k, ns, _) := ns if _strip(k) == "io.kubernetes.pod.namespace"

_cilium_namespace_value(k, _, labels) := labels[substring(_strip(k), 31, -1)] if startswith(_strip(k), "io.cilium.k8s.namespace.labels.")

# A pod label constrains which pods, not which namespace, as a NetworkPolicy's podSelector does.
_cilium_label_ok(k, _, _, _) if not _cilium_namespace_key(k)

_cilium_label_ok(k, v, ns, labels) if _cilium_namespace_value(k, ns, labels) == v

_cilium_expression_ok(e, _, _) if not _cilium_namespace_key(e.key)

_cilium_expression_ok(e, ns, labels) if {
	_cilium_namespace_key(e.key)
	e.operator == "In"
	_cilium_namespace_value(e.key, ns, labels) in k8s.as_array(e.values)
}

# ------------------------------------------------------------------ Calico

_calico_all(s) if s == null

_calico_all(s) if {
	is_string(s)
	trim_space(s) in {"", "all()"}
}

_calico_selects(spec, _, _) if {
	_calico_all(object.get(spec, "namespaceSelector", null))
	_calico_all(object.get(spec, "selector", null))
}

# namespaceSelector: one equality, on the name (projectcalico.org/name) or on a namespace label.
_calico_selects(spec, ns, labels) if {
	sel := spec.namespaceSelector
	is_string(sel)
	m := regex.find_all_string_submatch_n(`^\s*([A-Za-z0-9_./-]+)\s*==\s*["']([^"']*)["']\s*$`, sel, 1)[0]
	_calico_label(m[1], ns, labels) == m[2]
}

_calico_label(key, ns, _) := ns if key == "projectcalico.org/name"

_calico_label(key, _, labels) := labels[key] if key != "projectcalico.org/name"

# ------------------------------------------------------------------ AdminNetworkPolicy

_anp_selects(subject, labels) if _selector_matches(subject.namespaces, labels)

_anp_selects(subject, labels) if _selector_matches(subject.pods.namespaceSelector, labels)

# A Kubernetes LabelSelector; the empty selector matches every namespace.
_selector_matches(sel, labels) if {
	is_object(sel)
	every k, v in k8s.as_object(object.get(sel, "matchLabels", {})) {
		labels[k] == v
	}
	every e in k8s.as_array(object.get(sel, "matchExpressions", [])) {
		_expression_matches(e, labels)
	}
}

_expression_matches(e, labels) if {
	e.operator == "In"
	labels[e.key] in k8s.as_array(e.values)
}

_expression_matches(e, labels) if {
	e.operator == "NotIn"
	not _value_in(labels, e.key, e.values)
}

_expression_matches(e, labels) if {
	e.operator == "Exists"
	_ = labels[e.key]
}

_expression_matches(e, labels) if {
	e.operator == "DoesNotExist"
	not _has(labels, e.key)
}

_value_in(labels, key, values) if labels[key] in k8s.as_array(values)

_has(labels, key) if _ = labels[key]

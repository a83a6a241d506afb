# METADATA
# title: NetworkPolicy rule that allows all traffic
# description: >-
#   An ingress rule without `from` and without `ports` (for example `- {}`)
#   admits traffic from every source, inside and outside the cluster, on
#   every port; an egress rule without `to` and `ports` lets the selected pods
#   connect anywhere. Because NetworkPolicies are additive, one such rule
#   cancels every default-deny and every narrower rule for the pods it
#   selects. A rule whose only restriction is an ipBlock of 0.0.0.0/0 or ::/0
#   without exceptions, and without ports, is treated the same. Rules of a
#   direction the policy does not enforce (not in policyTypes) are ignored.
# custom:
#   id: allow-all-network-policy
#   severity: medium
#   kinds: [NetworkPolicy]
#   remediation: >-
#     Replace the empty rule with rules that name the peers (podSelector,
#     namespaceSelector or a narrow ipBlock) and the ports the selected pods
#     really need. If the pods must be open to everyone on some ports (a public
#     load balancer backend), list those ports.
#   references:
#     kubernetes: ["https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic"]
package kubecomply.network.allow_all_network_policy

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

# For each direction: the rules key, the peers key, the policyTypes entry.
_directions := {"ingress": ["from", "Ingress"], "egress": ["to", "Egress"]}

_any_address := {"0.0.0.0/0", "::/0"}

deny contains result if {
	some direction, names in _directions
	rules := input.spec[direction]
	is_array(rules)
	_enforced(input.spec, direction, names[1])
	some i, rule in rules
	_allows_all(rule, names[0])
	result := {
		"msg": sprintf("NetworkPolicy %s: %s rule %d has no %s and no ports, so it allows all %s traffic for the pods it selects", [k8s.quote(input.metadata.name), direction, i, names[0], direction]),
		"path": ["spec", direction, i],
	}
}

# A null entry (`- ` in YAML) is an empty rule too.
_allows_all(rule, _) if rule == null

_allows_all(rule, peers_key) if {
	is_object(rule)
	not _nonempty(k8s.get(rule, "ports"))
	not _nonempty(k8s.get(rule, peers_key))
}

_allows_all(rule, peers_key) if {
	is_object(rule)
	not _nonempty(k8s.get(rule, "ports"))
	some peer in k8s.as_array(rule[peers_key])
	_any_address[peer.ipBlock.cidr]
	not _nonempty(k8s.get(peer, ["ipBlock", "except"]))
	not peer.podSelector
	not peer.namespaceSelector
}

_nonempty(x) if {
	is_array(x)
	count(x) > 0
}

# policyTypes lists the enforced directions; when it is unset, Ingress is
# always enforced and Egress is when the policy has egress rules (it does
# when this is asked).
_enforced(spec, _, type) if {
	types := spec.policyTypes
	is_array(types)
	type in types
}

_enforced(spec, _, _) if not is_array(object.get(spec, "policyTypes", null))

# METADATA
# title: Access to nodes/proxy
# description: >-
#   The nodes/proxy subresource forwards requests to the kubelet API of a
#   node, which can list pods, read logs and run commands in any container on
#   that node. Those requests bypass admission control and are not recorded in
#   the API server audit log in any detail. get alone is not read-only: a
#   WebSocket upgrade arrives as an HTTP GET, which the kubelet authorises as
#   the get verb, so get on nodes/proxy is enough to exec into containers.
#   Any verb on nodes/proxy is therefore reported. A rule narrowed with
#   resourceNames is still reported (it still reaches those nodes). Roles
#   named "system:..." and the default roles labelled
#   kubernetes.io/bootstrapping: rbac-defaults belong to Kubernetes and are
#   skipped; aggregated ClusterRoles are checked on the rules they carry.
# custom:
#   id: rbac-nodes-proxy
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove nodes/proxy (and "*" resources in the core group) from the role.
#     Monitoring agents that scrape kubelet metrics can use nodes/metrics and
#     nodes/stats instead (and, where the kubelet supports fine-grained
#     authorization, subresources such as nodes/pods or nodes/healthz), none
#     of which reaches command execution.
#   references:
#     cis: ["5.1.10"]
#     kubescape: ["C-0279"]
#     trivy: ["KSV-0047"]
#     checkov: ["CKV2_K8S_2"]
package kubecomply.rbac.rbac_nodes_proxy

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them). The full group and resource match runs only for these.
_resource_hits := {"nodes/proxy", "*", "*/proxy"}

_candidates contains i if {
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	resources := rule.resources
	is_array(resources)
	some resource in resources
	_resource_hits[resource]
}

# Population: roles other than the ones Kubernetes creates and reconciles
# itself (name prefix "system:", label kubernetes.io/bootstrapping:
# rbac-defaults), whose rules cannot be changed durably.
applies if not rbac.builtin(input.metadata)

deny contains result if {
	some i in _candidates
	not rbac.builtin(input.metadata)
	rule := input.rules[i]
	rule_verbs := rule.verbs
	is_array(rule_verbs)
	verbs := [v | some v in rule_verbs; is_string(v)]
	count(verbs) > 0
	count(rbac.granted_resources(rule, [["", "nodes/proxy"]])) > 0
	result := {
		"msg": sprintf("%s grants %s on nodes/proxy (rules[%d])%s", [rbac.role_label(input), concat(", ", verbs), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

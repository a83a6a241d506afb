# METADATA
# title: bind or escalate on roles
# description: >-
#   Kubernetes normally refuses to let anyone create a binding or edit a role
#   that grants more than they already hold. The bind verb on roles or
#   clusterroles lifts that guard for bindings (bind the role to yourself), and
#   escalate lifts it for role edits (add any permission to a role you are
#   bound to). Either one turns the ability to write RBAC objects into a path
#   to cluster-admin. A rule narrowed with resourceNames is still reported (it
#   can still bind or escalate those roles); the message names them. Roles
#   named "system:..." and the default roles labelled
#   kubernetes.io/bootstrapping: rbac-defaults belong to Kubernetes and are
#   skipped; aggregated ClusterRoles are checked on the rules they carry.
# custom:
#   id: rbac-bind-escalate
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove the bind and escalate verbs (and "*" verbs on roles and
#     clusterroles). Where a delegated administrator must hand out a role, keep
#     bind and list the exact roles in resourceNames; let role changes go
#     through a reviewed pipeline instead of escalate.
#   references:
#     cis: ["5.1.8"]
#     kubescape: ["C-0191"]
#     checkov: ["CKV_K8S_157", "CKV_K8S_158"]
package kubecomply.rbac.rbac_bind_escalate

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"roles", "clusterroles", "*"}

_verb_hits := {"bind", "escalate", "*"}

_candidates contains i if {
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	resources := rule.resources
	is_array(resources)
	some resource in resources
	_resource_hits[resource]
	verbs := rule.verbs
	is_array(verbs)
	some verb in verbs
	_verb_hits[verb]
}

# Population: roles other than the ones Kubernetes creates and reconciles
# itself (name prefix "system:", label kubernetes.io/bootstrapping:
# rbac-defaults), whose rules cannot be changed durably.
applies if not rbac.builtin(input.metadata)

deny contains result if {
	some i in _candidates
	not rbac.builtin(input.metadata)
	rule := input.rules[i]
	verbs := rbac.granted_verbs(rule, ["bind", "escalate"])
	count(verbs) > 0
	resources := rbac.granted_resources(rule, [["rbac.authorization.k8s.io", "roles"], ["rbac.authorization.k8s.io", "clusterroles"]])
	count(resources) > 0
	result := {
		"msg": sprintf("%s grants %s on %s (rules[%d])%s", [rbac.role_label(input), concat(", ", verbs), concat(", ", resources), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

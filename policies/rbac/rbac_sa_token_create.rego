# METADATA
# title: Creating service account tokens
# description: >-
#   create on serviceaccounts/token (the TokenRequest API behind kubectl
#   create token) mints a bearer token for a service account, with that
#   account's permissions, for a lifetime the requester chooses up to the
#   API server's maximum. Whoever holds it can act as any service account in
#   reach, including controllers with far wider rights, and keeps that access
#   after their own account is revoked, until the token expires. A rule
#   narrowed with resourceNames is still reported (it still mints tokens for
#   those accounts); the message names them. Roles named "system:..." and the
#   default roles labelled kubernetes.io/bootstrapping: rbac-defaults belong to
#   Kubernetes and are skipped; aggregated ClusterRoles are checked on the
#   rules they carry.
# custom:
#   id: rbac-sa-token-create
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove create on serviceaccounts/token (and "*" verbs or resources that
#     imply it). Pods get their own tokens through projected volumes without
#     this permission; where a tool must mint tokens, limit it to named
#     service accounts with resourceNames in a namespaced Role.
#   references:
#     cis: ["5.1.13"]
#     kubescape: ["C-0282"]
package kubecomply.rbac.rbac_sa_token_create

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"serviceaccounts/token", "*", "*/token"}

_verb_hits := {"create", "*"}

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
	count(rbac.granted_verbs(rule, ["create"])) > 0
	count(rbac.granted_resources(rule, [["", "serviceaccounts/token"]])) > 0
	result := {
		"msg": sprintf("%s grants create on serviceaccounts/token (rules[%d])%s", [rbac.role_label(input), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

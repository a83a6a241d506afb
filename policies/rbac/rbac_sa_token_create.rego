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

_targets := [["", "serviceaccounts/token"]]

_verbs := ["create"]

deny contains result if {
	not rbac.builtin(input.metadata)
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	count(rbac.granted_verbs(rule, _verbs)) > 0
	count(rbac.granted_resources(rule, _targets)) > 0
	result := {
		"msg": sprintf("%s grants create on serviceaccounts/token (rules[%d])%s", [rbac.role_label(input), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

# METADATA
# title: impersonate permission
# description: >-
#   The impersonate verb lets a client send requests as another user, group,
#   service account or UID (the Impersonate-* headers), with that identity's
#   permissions. Whoever can impersonate a member of an administrator group,
#   or the service account of a powerful controller, holds their rights while
#   the audit log records the impersonated name beside the real one, which is
#   easy to miss. A rule narrowed with resourceNames is still reported (it can
#   still become those identities); the message names them. Impersonating
#   user extras (userextras/...) is not checked. Roles named "system:..." and
#   the default roles labelled kubernetes.io/bootstrapping: rbac-defaults
#   (the default edit role can impersonate service accounts) belong to
#   Kubernetes and are skipped; aggregated ClusterRoles are checked on the
#   rules they carry.
# custom:
#   id: rbac-impersonate
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove the impersonate verb (and "*" verbs on users, groups,
#     serviceaccounts and uids). If a support or debugging workflow needs it,
#     limit it to named, low-privilege identities with resourceNames and bind
#     it only for the time it is needed.
#   references:
#     cis: ["5.1.8"]
#     kubescape: ["C-0065", "C-0191"]
#     trivy: ["KSV-0043"]
#     checkov: ["CKV2_K8S_3"]
package kubecomply.rbac.rbac_impersonate

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"users", "groups", "serviceaccounts", "uids", "*"}

_verb_hits := {"impersonate", "*"}

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
	count(rbac.granted_verbs(rule, ["impersonate"])) > 0
	resources := rbac.granted_resources(rule, [
		["", "users"],
		["", "groups"],
		["", "serviceaccounts"],
		["authentication.k8s.io", "uids"],
	])
	count(resources) > 0
	result := {
		"msg": sprintf("%s grants impersonate on %s (rules[%d])%s", [rbac.role_label(input), concat(", ", resources), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

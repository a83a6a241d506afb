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

_targets := [
	["rbac.authorization.k8s.io", "roles"],
	["rbac.authorization.k8s.io", "clusterroles"],
]

_verbs := ["bind", "escalate"]

deny contains result if {
	not rbac.builtin(input.metadata)
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	verbs := rbac.granted_verbs(rule, _verbs)
	count(verbs) > 0
	resources := rbac.granted_resources(rule, _targets)
	count(resources) > 0
	result := {
		"msg": sprintf("%s grants %s on %s (rules[%d])%s", [rbac.role_label(input), concat(", ", verbs), concat(", ", resources), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

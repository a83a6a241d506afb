# METADATA
# title: Read access to Secrets
# description: >-
#   get, list or watch on secrets hands over their contents: list and watch
#   return whole objects, values included, not just names. Secrets hold
#   database passwords, API keys, TLS keys and, in many clusters, service
#   account tokens of more privileged identities, so read access to them is
#   often a short path to everything those credentials open. In a ClusterRole
#   bound cluster-wide it covers every namespace, the control plane's included.
#   A rule narrowed with resourceNames is still reported (it still reads those
#   Secrets); the message names them. Roles named "system:..." and the default
#   roles labelled kubernetes.io/bootstrapping: rbac-defaults (admin, edit,
#   cluster-admin) belong to Kubernetes and are skipped; aggregated
#   ClusterRoles are checked on the rules they carry.
# custom:
#   id: rbac-secrets-read
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove get, list and watch on secrets (and "*" verbs or resources that
#     imply them). If a workload needs one Secret, mount it into the pod
#     instead, or limit the rule to that Secret with resourceNames and a
#     namespaced Role rather than a ClusterRole.
#   references:
#     cis: ["5.1.2"]
#     kubescape: ["C-0015", "C-0186"]
#     trivy: ["KSV-0041", "KSV-0113"]
#     checkov: ["CKV2_K8S_5"]
package kubecomply.rbac.rbac_secrets_read

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"secrets", "*"}

_verb_hits := {"get", "list", "watch", "*"}

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
	resources := rbac.granted_resources(rule, [["", "secrets"]])
	count(resources) > 0
	verbs := rbac.granted_verbs(rule, ["get", "list", "watch"])
	count(verbs) > 0
	result := {
		"msg": sprintf("%s grants %s on %s (rules[%d])%s", [rbac.role_label(input), concat(", ", verbs), concat(", ", resources), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

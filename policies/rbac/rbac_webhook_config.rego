# METADATA
# title: Managing admission webhook configurations
# description: >-
#   Mutating and validating webhook configurations decide which service sees,
#   and may rewrite, every object admitted to the cluster: Secrets on their
#   way to storage, pod specs before they run. Whoever can create or change
#   one can send that traffic to a service of their choosing, inject sidecars
#   or privileges into pods, or, by deleting or loosening a configuration,
#   switch off the policy webhooks that guard the cluster. create, update,
#   patch, delete and deletecollection are reported; read access is not. A
#   rule narrowed with resourceNames is still reported (it can still change
#   those configurations); the message names them. Roles named "system:..."
#   and the default roles labelled kubernetes.io/bootstrapping: rbac-defaults
#   belong to Kubernetes and are skipped; aggregated ClusterRoles are checked
#   on the rules they carry.
# custom:
#   id: rbac-webhook-config
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove write verbs on mutatingwebhookconfigurations and
#     validatingwebhookconfigurations. Install webhooks through the cluster's
#     deployment pipeline; an operator that must patch its own configuration
#     (for example to inject a CA bundle) should get update or patch limited
#     to that configuration with resourceNames.
#   references:
#     cis: ["5.1.12"]
#     kubescape: ["C-0281"]
#     trivy: ["KSV-0114"]
#     checkov: ["CKV_K8S_155"]
package kubecomply.rbac.rbac_webhook_config

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"mutatingwebhookconfigurations", "validatingwebhookconfigurations", "*"}

_verb_hits := {"create", "update", "patch", "delete", "deletecollection", "*"}

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
	verbs := rbac.granted_verbs(rule, ["create", "update", "patch", "delete", "deletecollection"])
	count(verbs) > 0
	resources := rbac.granted_resources(rule, [
		["admissionregistration.k8s.io", "mutatingwebhookconfigurations"],
		["admissionregistration.k8s.io", "validatingwebhookconfigurations"],
	])
	count(resources) > 0
	result := {
		"msg": sprintf("%s grants %s on %s (rules[%d])%s", [rbac.role_label(input), concat(", ", verbs), concat(", ", resources), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

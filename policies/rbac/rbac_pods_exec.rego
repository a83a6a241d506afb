# METADATA
# title: exec or attach into pods
# description: >-
#   pods/exec runs a command inside a running container (kubectl exec) and
#   pods/attach connects to its main process. Either gives the caller
#   everything the container has: its files, its mounted Secrets and service
#   account token, and its network position, without creating anything that
#   admission control would look at. Both create and get are reported: exec
#   over a WebSocket starts as an HTTP GET, and clusters without the
#   AuthorizePodWebsocketUpgradeCreatePermission feature authorise that as
#   get. A rule narrowed with resourceNames is still reported (it still
#   reaches those pods). Roles named "system:..." and the default roles
#   labelled kubernetes.io/bootstrapping: rbac-defaults belong to Kubernetes
#   and are skipped; aggregated ClusterRoles are checked on the rules they
#   carry.
# custom:
#   id: rbac-pods-exec
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove create and get on pods/exec and pods/attach (and "*" verbs or
#     resources that imply them) from roles used day to day. Give shell access
#     through a separate, audited break-glass role bound only when needed, and
#     prefer logs, metrics and ephemeral debug containers under admission
#     control for troubleshooting.
#   references:
#     kubescape: ["C-0002"]
#     trivy: ["KSV-0053", "KSV-0054"]
#     checkov: ["CKV2_K8S_2"]
package kubecomply.rbac.rbac_pods_exec

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"pods/exec", "pods/attach", "*", "*/attach", "*/exec"}

_verb_hits := {"create", "get", "*"}

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
	verbs := rbac.granted_verbs(rule, ["create", "get"])
	count(verbs) > 0
	resources := rbac.granted_resources(rule, [["", "pods/exec"], ["", "pods/attach"]])
	count(resources) > 0
	result := {
		"msg": sprintf("%s grants %s on %s (rules[%d])%s", [rbac.role_label(input), concat(", ", verbs), concat(", ", resources), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

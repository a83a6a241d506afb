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

_targets := [["", "pods/exec"], ["", "pods/attach"]]

_verbs := ["create", "get"]

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

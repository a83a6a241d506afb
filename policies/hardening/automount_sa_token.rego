# METADATA
# title: Service account token mounted automatically
# description: >-
#   Unless told otherwise, Kubernetes mounts a token of the pod's service
#   account into every container. Most applications never call the
#   Kubernetes API, yet anyone who compromises them can read the token and
#   act with whatever rights the account has, or has later. The token should
#   be mounted only into pods that use it. A pod that does not set
#   automountServiceAccountToken inherits the setting of its ServiceAccount,
#   so this check passes such a pod when that ServiceAccount is among the
#   scanned resources (same namespace) and sets it to false; pod spec true
#   always wins over the ServiceAccount.
# custom:
#   id: automount-sa-token
#   severity: medium
#   kinds: [workloads]
#   reads: [ServiceAccount]
#   remediation: >-
#     Set spec.automountServiceAccountToken: false in the pod spec (the pod
#     template of a controller), or on the ServiceAccount the pod uses. For
#     pods that do call the API, keep the token but use a dedicated service
#     account with only the rights it needs, or mount a short-lived,
#     audience-bound token through a projected volume.
#   references:
#     cis: ["5.1.6"]
#     kubescape: ["C-0034", "C-0190"]
#     trivy: ["KSV-0036"]
#     checkov: ["CKV_K8S_38"]
package kubecomply.hardening.automount_sa_token

import rego.v1

import data.kubecomply.lib.workloads.pod_specs

deny contains result if {
	some pod in pod_specs
	pod.spec.automountServiceAccountToken == true
	result := {
		"msg": "pod sets automountServiceAccountToken: true, so a service account token is mounted into every container",
		"path": array.concat(pod.path, ["automountServiceAccountToken"]),
	}
}

# Unset (or not a boolean): the pod's ServiceAccount decides, and it mounts
# the token unless it says otherwise.
deny contains result if {
	some pod in pod_specs
	not is_boolean(object.get(pod, ["spec", "automountServiceAccountToken"], null))
	name := _service_account_name(pod.spec)
	not _disables_token(name)
	result := {
		"msg": sprintf("pod does not set automountServiceAccountToken: false, and its service account %q is not known to disable it, so a token is mounted into every container", [name]),
		"path": pod.path,
	}
}

# The effective service account: serviceAccountName, else the deprecated
# serviceAccount, else "default".
_service_account_name(spec) := spec.serviceAccountName if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := spec.serviceAccount if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
} else := "default"

# The ServiceAccount in the scanned set, looked up by key (never a scan of the
# inventory). A resource without metadata.namespace sits in the inventory's
# cluster part, beside a ServiceAccount written without one.
_service_account(name) := data.inventory.namespace[input.metadata.namespace].v1.ServiceAccount[name] if {
	is_string(input.metadata.namespace)
	input.metadata.namespace != ""
} else := data.inventory.cluster.v1.ServiceAccount[name]

# A function, not `not _service_account(name).automountServiceAccountToken == false`
# in the rule: OPA evaluates the call before the `not`, so without an inventory
# entry (call undefined) the rule would fail there while regorus lets it hold.
_disables_token(name) if _service_account(name).automountServiceAccountToken == false

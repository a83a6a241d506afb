# METADATA
# title: Workload uses the default service account
# description: >-
#   Every namespace has a service account named default, used by any pod that
#   names none. All such pods then share one identity: a permission granted
#   to default for one of them is granted to all, and audit logs cannot tell
#   them apart. Giving each workload its own service account keeps its API
#   rights reviewable and minimal. This check looks at the pod spec only;
#   automount-sa-token separately checks whether the token is mounted.
# custom:
#   id: default-service-account
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Create a ServiceAccount for the workload (with
#     automountServiceAccountToken: false unless it calls the API), bind only
#     the roles it needs, and set spec.serviceAccountName in the pod spec or
#     pod template.
#   references:
#     cis: ["5.1.5"]
package kubecomply.hardening.default_service_account

import rego.v1

import data.kubecomply.lib.workloads.pod_specs

# The conditions read fields directly and the common cases build their
# result inline; helper functions run only for the deprecated field.
deny contains result if {
	some pod in pod_specs
	pod.spec.serviceAccountName == "default"
	result := {
		"msg": "pod sets serviceAccountName: default",
		"path": array.concat(pod.path, ["serviceAccountName"]),
	}
}

# Neither serviceAccountName nor the deprecated serviceAccount names one.
deny contains result if {
	some pod in pod_specs
	not is_string(object.get(pod, ["spec", "serviceAccountName"], null))
	not pod.spec.serviceAccount
	result := {"msg": _unset_msg, "path": pod.path}
}

deny contains result if {
	some pod in pod_specs
	pod.spec.serviceAccountName == ""
	not pod.spec.serviceAccount
	result := {"msg": _unset_msg, "path": array.concat(pod.path, ["serviceAccountName"])}
}

# serviceAccountName does not name an account, and the deprecated
# serviceAccount (which then applies) is present but does not name another.
deny contains result if {
	some pod in pod_specs
	account := pod.spec.serviceAccount
	not _names_other_account(account)
	not _names_account(object.get(pod, ["spec", "serviceAccountName"], null))
	result := {"msg": _unset_msg, "path": _deprecated_path(pod)}
}

_unset_msg := "pod sets no serviceAccountName, so it runs as the namespace's default service account"

_names_account(name) if {
	is_string(name)
	name != ""
}

_names_other_account(name) if {
	is_string(name)
	name != ""
	name != "default"
}

_deprecated_path(pod) := array.concat(pod.path, ["serviceAccount"]) if {
	pod.spec.serviceAccount == "default"
} else := pod.path

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

import data.kubecomply.lib.workloads

deny contains result if {
	some pod in workloads.pod_specs
	pod.spec.serviceAccountName == "default"
	result := {
		"msg": "pod sets serviceAccountName: default",
		"path": array.concat(pod.path, ["serviceAccountName"]),
	}
}

# serviceAccountName unset, null or empty: the deprecated serviceAccount
# field is used when it names an account, else "default". Two rules rather
# than a helper, so that the usual named account costs no function call.
deny contains result if {
	some pod in workloads.pod_specs
	not is_string(pod.spec.serviceAccountName)
	not _names_other_account(pod.spec.serviceAccount)
	result := _unset(pod)
}

deny contains result if {
	some pod in workloads.pod_specs
	pod.spec.serviceAccountName == ""
	not _names_other_account(pod.spec.serviceAccount)
	result := _unset(pod)
}

_unset(pod) := {
	"msg": "pod sets no serviceAccountName, so it runs as the namespace's default service account",
	"path": _path(pod),
}

_names_other_account(name) if {
	is_string(name)
	name != ""
	name != "default"
}

# Point at serviceAccount: default when that is what selects the account.
_path(pod) := array.concat(pod.path, ["serviceAccount"]) if {
	pod.spec.serviceAccount == "default"
} else := pod.path

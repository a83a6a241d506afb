# METADATA
# title: Naked pods
# description: >-
#   A Pod created directly, with no controller owning it, is not recreated
#   when its node fails, is drained or is upgraded, and cannot be rolled out
#   or rolled back. Such pods are also often one-off debugging or test
#   workloads that escape review. Pods should come from a Deployment,
#   StatefulSet, DaemonSet, Job or similar controller. Mirror pods of static
#   pods (annotation kubernetes.io/config.mirror) are exempt; static pod
#   manifests scanned as files are not, and can be waived.
# custom:
#   id: naked-pods
#   severity: low
#   kinds: [Pod]
#   population: Pods other than the mirror Pods of static Pods (annotation kubernetes.io/config.mirror)
#   remediation: >-
#     Run the workload through a controller: a Deployment (or StatefulSet /
#     DaemonSet) for long-running pods, a Job or CronJob for tasks, and delete
#     the stand-alone Pod.
#   references:
#     kubescape: ["C-0073"]
package kubecomply.hardening.naked_pods

import rego.v1

# Population: Pods other than mirror Pods. A static Pod is kept running by
# its node's kubelet, not by a controller, so the question does not arise.
applies if not input.metadata.annotations["kubernetes.io/config.mirror"]

# Value rules of this package would be evaluated for every Pod (regorus
# evaluates a package's rules together), so the message and path helpers are
# functions, called only for violations.
deny contains result if {
	not is_array(input.metadata.ownerReferences)
	not input.metadata.annotations["kubernetes.io/config.mirror"]
	result := _naked(input.metadata)
}

deny contains result if {
	input.metadata.ownerReferences == []
	not input.metadata.annotations["kubernetes.io/config.mirror"]
	result := _naked(input.metadata)
}

_naked(metadata) := {
	"msg": sprintf("Pod %s has no ownerReferences: no controller recreates it if it or its node fails", [_name(metadata)]),
	"path": _path(metadata),
}

_name(metadata) := sprintf("%q", [metadata.name]) if {
	is_string(metadata.name)
} else := json.marshal(metadata.name) if {
	is_object(metadata)
	"name" in object.keys(metadata)
} else := `""`

_path(metadata) := ["metadata", "ownerReferences"] if {
	is_array(metadata.ownerReferences)
} else := ["metadata"] if {
	is_object(metadata)
} else := []

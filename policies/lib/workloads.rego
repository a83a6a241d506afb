# Every pod spec and container of every workload kind, with its path.
#
# `input` is ONE Kubernetes object as a plain dict. Every kind that carries a
# pod spec is reduced to the same shape here, so a check written against
# `pod_specs` / `containers` works unchanged for a bare Pod, a Deployment, a
# CronJob, and so on, and reports paths that are valid in the original object.
#
# Checks import the rules they use (`import data.kubecomply.lib.workloads.containers`),
# not this package: regorus evaluates every rule of a package that is reached
# as a whole, and resolves a package alias (`workloads.containers`) again on
# every use. Keep the package small all the same, for checks written the other
# way. Helper functions live in kubecomply.lib.kubernetes.
package kubecomply.lib.workloads

import rego.v1

# Kinds that carry a pod spec (the `workloads` group in check METADATA).
workload_kinds := {
	"Pod",
	"Deployment",
	"StatefulSet",
	"DaemonSet",
	"ReplicaSet",
	"ReplicationController",
	"Job",
	"CronJob",
	"PodTemplate",
	"DeploymentConfig",
}

# Every pod spec of the input object:
#   spec          the pod spec object
#   path          array path from the object root to the pod spec
#   metadata      the metadata that belongs to the pod (the Pod's own metadata,
#                 the template metadata otherwise; {} when absent). Pod-level
#                 annotations such as the AppArmor ones are read from here.
#   metadata_path array path from the object root to that metadata
#
# One rule per layout, reading fields directly: this runs once per resource
# for every check, and a generic version (a layout table plus object.get over
# path arrays) measured six times slower in regorus.
pod_specs contains pod if {
	input.kind == "Pod"
	is_object(input.spec)
	pod := {"spec": input.spec, "path": ["spec"], "metadata": _object_or_empty(input, "metadata"), "metadata_path": ["metadata"]}
}

# Kinds whose pod template lives at spec.template (OpenShift's
# DeploymentConfig uses the same layout as a Deployment). The kinds here and
# the container types below are literals, not rules: every rule of this
# package is evaluated again for each resource, and the literals measured 12%
# faster for the whole package.
pod_specs contains pod if {
	input.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "DeploymentConfig"}
	is_object(input.spec.template.spec)
	pod := {
		"spec": input.spec.template.spec,
		"path": ["spec", "template", "spec"],
		"metadata": _object_or_empty(input.spec.template, "metadata"),
		"metadata_path": ["spec", "template", "metadata"],
	}
}

pod_specs contains pod if {
	input.kind == "CronJob"
	template := input.spec.jobTemplate.spec.template
	is_object(template.spec)
	pod := {
		"spec": template.spec,
		"path": ["spec", "jobTemplate", "spec", "template", "spec"],
		"metadata": _object_or_empty(template, "metadata"),
		"metadata_path": ["spec", "jobTemplate", "spec", "template", "metadata"],
	}
}

pod_specs contains pod if {
	input.kind == "PodTemplate"
	is_object(input.template.spec)
	pod := {
		"spec": input.template.spec,
		"path": ["template", "spec"],
		"metadata": _object_or_empty(input.template, "metadata"),
		"metadata_path": ["template", "metadata"],
	}
}

_object_or_empty(parent, key) := parent[key] if {
	is_object(parent[key])
} else := {}

container_types := ["initContainers", "containers", "ephemeralContainers"]

# Every container of every pod spec:
#   container  the container object
#   path       array path from the object root to it, e.g.
#              ["spec", "template", "spec", "containers", 0]
#   type       "containers" | "initContainers" | "ephemeralContainers"
#   pod        the pod_specs entry it belongs to
containers contains entry if {
	some pod in pod_specs
	some type in ["initContainers", "containers", "ephemeralContainers"] # container_types
	list := pod.spec[type]
	is_array(list)
	some i, container in list
	is_object(container)
	entry := {
		"container": container,
		"path": array.concat(pod.path, [type, i]),
		"type": type,
		"pod": pod,
	}
}

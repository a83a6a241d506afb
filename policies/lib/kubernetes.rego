# Shared helpers for checks that look at pods and their containers.
#
# `input` is ONE Kubernetes object as a plain dict. Every kind that carries a
# pod spec is reduced to the same shape here, so a check written against
# `pod_specs` / `containers` works unchanged for a bare Pod, a Deployment, a
# CronJob, and so on, and reports paths that are valid in the original object.
package kubecomply.lib.kubernetes

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

# Kinds whose pod template lives at spec.template (OpenShift's
# DeploymentConfig uses the same layout as a Deployment).
_spec_template_kinds := {
	"Deployment",
	"StatefulSet",
	"DaemonSet",
	"ReplicaSet",
	"ReplicationController",
	"Job",
	"DeploymentConfig",
}

# Where the pod spec and the pod's own metadata live, per kind.
# (Only these layouts exist; anything else yields no pod spec.)
_layout(kind) := {"spec": ["spec"], "metadata": ["metadata"]} if kind == "Pod"

_layout(kind) := {"spec": ["spec", "template", "spec"], "metadata": ["spec", "template", "metadata"]} if {
	_spec_template_kinds[kind]
}

_layout(kind) := {
	"spec": ["spec", "jobTemplate", "spec", "template", "spec"],
	"metadata": ["spec", "jobTemplate", "spec", "template", "metadata"],
} if kind == "CronJob"

_layout(kind) := {"spec": ["template", "spec"], "metadata": ["template", "metadata"]} if kind == "PodTemplate"

# Every pod spec of the input object:
#   spec          the pod spec object
#   path          array path from the object root to the pod spec
#   metadata      the metadata that belongs to the pod (the Pod's own metadata,
#                 the template metadata otherwise; {} when absent). Pod-level
#                 annotations such as the AppArmor ones are read from here.
#   metadata_path array path from the object root to that metadata
pod_specs contains pod if {
	layout := _layout(input.kind)
	spec := object.get(input, layout.spec, null)
	is_object(spec)
	pod := {
		"spec": spec,
		"path": layout.spec,
		"metadata": as_object(object.get(input, layout.metadata, {})),
		"metadata_path": layout.metadata,
	}
}

# The three lists of containers a pod spec can have. PSA checks all of them,
# so every check built on `containers` does too.
container_types := ["initContainers", "containers", "ephemeralContainers"]

# Every container of every pod spec:
#   container  the container object
#   path       array path from the object root to it, e.g.
#              ["spec", "template", "spec", "containers", 0]
#   type       "containers" | "initContainers" | "ephemeralContainers"
#   pod        the pod_specs entry it belongs to
containers contains entry if {
	some pod in pod_specs
	some type in container_types
	list := object.get(pod.spec, type, [])
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

# x when it is an object, {} otherwise (absent, null or a wrong type).
# YAML `securityContext:` with no value decodes to null; treat it as empty.
as_object(x) := x if {
	is_object(x)
} else := {}

# x when it is an array, [] otherwise.
as_array(x) := x if {
	is_array(x)
} else := []

# The pod-level securityContext of a pod_specs entry ({} when unset).
pod_security_context(pod) := as_object(object.get(pod.spec, "securityContext", {}))

# The securityContext of a containers entry ({} when unset).
security_context(c) := as_object(object.get(c.container, "securityContext", {}))

# A readable name for a container in messages: `container "app"`,
# `init container "setup"`, `ephemeral container "debug"`.
_type_label := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}

container_label(c) := sprintf("%s %s", [_type_label[c.type], quote(object.get(c.container, "name", ""))])

# Path to use when a container-level field is MISSING: the container's
# securityContext when it exists, else the container itself.
security_context_path(c) := array.concat(c.path, ["securityContext"]) if {
	is_object(c.container.securityContext)
} else := c.path

# Path to use when a pod-level securityContext field is MISSING: the pod's
# securityContext when it exists, else the pod spec.
pod_security_context_path(pod) := array.concat(pod.path, ["securityContext"]) if {
	is_object(pod.spec.securityContext)
} else := pod.path

# The longest prefix of `rel` (a path relative to `value`) that exists in
# `value`, appended to `base`. Used to point at the nearest existing parent
# of a missing field.
deepest_existing_path(base, value, rel) := array.concat(base, array.slice(rel, 0, n)) if {
	n := max({k |
		some k in numbers.range(0, count(rel))
		_path_exists(value, array.slice(rel, 0, k))
	})
}

_path_exists(_, rel) if count(rel) == 0

_path_exists(value, rel) if {
	count(rel) > 0
	object.get(value, rel, _missing) != _missing
}

# A sentinel no manifest can contain (object.get's default for "absent").
_missing := {"__kubecomply_missing__": true}

# Windows pods (spec.os.name: windows). From policy v1.25 PSA exempts them from
# the Linux-only restricted controls (allowPrivilegeEscalation,
# seccompProfile_restricted, capabilities_restricted).
is_windows(pod) if pod.spec.os.name == "windows"

# Pods in a user namespace (spec.hostUsers: false). From policy v1.35 PSA
# relaxes runAsNonRoot, runAsUser and the baseline procMount check for them,
# because root inside the pod maps to an unprivileged user on the node.
host_users_false(pod) if pod.spec.hostUsers == false

# A value quoted for messages. sprintf's %q only accepts strings (regorus
# raises an error otherwise), and a malformed manifest may put a number, null
# or an object where a string belongs; such values are shown as JSON.
quote(x) := sprintf("%q", [x]) if {
	is_string(x)
} else := json.marshal(x)

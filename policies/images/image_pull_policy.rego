# METADATA
# title: Mutable image tag without imagePullPolicy Always
# description: >-
#   With imagePullPolicy IfNotPresent or Never, a node reuses whatever image
#   it already has under a tag. For :latest or an untagged image that means
#   each node runs whichever version it happened to pull first, and a pod
#   may also start from an image left on the node by another workload,
#   bypassing registry authorisation. Kubernetes sets the policy to Always
#   when the field is omitted for such images, so only an explicit other
#   value is reported; references pinned by digest are immutable and exempt.
# custom:
#   id: image-pull-policy
#   severity: low
#   kinds: [workloads]
#   population: Workloads with a container image on :latest or without a tag (and not pinned by digest)
#   remediation: >-
#     Pin the image to a version tag or a digest (see image-latest-tag and
#     image-digest), or set imagePullPolicy: Always (or remove the field) on
#     containers that use :latest or no tag.
#   references:
#     kubescape: ["C-0075"]
#     checkov: ["CKV_K8S_15"]
package kubecomply.images.image_pull_policy

import rego.v1

import data.kubecomply.lib.workloads.containers

# Population: workloads with a mutable image reference (:latest or no tag,
# no digest); for any other image the pull policy cannot change what runs.
# Direct builtins rather than the _mutable function: this runs for every
# container of every workload.
applies if {
	some c in containers
	image := c.container.image
	is_string(image)
	endswith(image, ":latest")
	not contains(image, "@")
}

applies if {
	some c in containers
	image := c.container.image
	is_string(image)
	image != ""
	not contains(image, "@")
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

# Only containers with an explicit policy other than Always reach the image
# test, so the helper function runs for few containers.
deny contains result if {
	some c in containers
	policy := c.container.imagePullPolicy
	is_string(policy)
	policy != "Always"
	image := c.container.image
	is_string(image)
	_mutable(image)
	result := {
		"msg": sprintf("%s %s image %q has a mutable tag but imagePullPolicy is %s; nodes may run stale or foreign copies", [_types[c.type], json.marshal(object.get(c.container, "name", "")), image, policy]),
		"path": array.concat(c.path, ["imagePullPolicy"]),
	}
}

# :latest, or no tag (a ":" before the first "/" is a registry port); never
# with a digest.
_mutable(image) if {
	not contains(image, "@")
	endswith(image, ":latest")
}

_mutable(image) if {
	not contains(image, "@")
	image != ""
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

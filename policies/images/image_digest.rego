# METADATA
# title: Image not pinned by digest
# description: >-
#   A tag, even a version tag, is a movable pointer: whoever can push to the
#   repository can make it name different content, and a compromised
#   registry or account can swap what a cluster pulls without any manifest
#   changing. A digest names exactly one image, so what was built, scanned
#   and approved is what runs, and nodes cannot drift apart.
# custom:
#   id: image-digest
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Reference every container, init container and ephemeral container image
#     by digest, for example registry.example.com/app:1.4.2@sha256:<digest>
#     (the tag is kept for readers; the digest decides). Let the build
#     pipeline or a tool such as Renovate update the digest.
#   references:
#     checkov: ["CKV_K8S_43"]
package kubecomply.images.image_digest

import rego.v1

import data.kubecomply.lib.workloads.containers

# Two substring tests per image, no function call on the hot path.
deny contains result if {
	some c in containers
	image := c.container.image
	is_string(image)
	not contains(image, "@sha256:")
	not contains(image, "@sha512:")
	image != ""
	result := {
		"msg": sprintf("%s %s image %q is not pinned by digest (@sha256:...)", [_types[c.type], json.marshal(object.get(c.container, "name", "")), image]),
		"path": array.concat(c.path, ["image"]),
	}
}

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

# METADATA
# title: Image uses the latest tag or no tag
# description: >-
#   An image reference without a tag means :latest, and :latest moves: the
#   same manifest runs different code from one pull to the next, nodes that
#   pulled at different times run different versions, a rollback does not
#   restore the old code, and what was scanned or reviewed is not what runs.
#   A reference pinned by digest is exempt, whatever its tag.
# custom:
#   id: image-latest-tag
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Reference every container, init container and ephemeral container image
#     by an explicit version tag (for example app:1.4.2) or, better, by
#     digest (app@sha256:...), and change the reference to deploy a new
#     version.
#   references:
#     trivy: ["KSV-0013"]
#     checkov: ["CKV_K8S_14"]
package kubecomply.images.image_latest_tag

import rego.v1

import data.kubecomply.lib.workloads.containers

# A tag is the part after a ":" in the last path segment; a ":" before the
# first "/" belongs to a registry port (localhost:5000/app has no tag). The
# rules below decide that with a few string builtins per image and no
# function call, since every container goes through them. An "@" starts a
# digest, which pins the image.

deny contains result if {
	some c in containers
	image := c.container.image
	is_string(image)
	endswith(image, ":latest")
	result := _finding(c, image, "uses the :latest tag")
}

# No ":" at all: no tag (and no digest, which would contain "@sha256:").
deny contains result if {
	some c in containers
	image := c.container.image
	is_string(image)
	not contains(image, ":")
	not contains(image, "@")
	image != ""
	result := _finding(c, image, "has no tag, so :latest is used")
}

# The first ":" is a registry port, and nothing after the registry has one.
deny contains result if {
	some c in containers
	image := c.container.image
	is_string(image)
	slash := indexof(image, "/")
	indexof(image, ":") < slash
	not contains(substring(image, slash, -1), ":")
	not contains(image, "@")
	result := _finding(c, image, "has no tag, so :latest is used")
}

_finding(c, image, what) := {
	"msg": sprintf("%s %s image %q %s", [_types[c.type], json.marshal(object.get(c.container, "name", "")), image, what]),
	"path": array.concat(c.path, ["image"]),
}

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

# METADATA
# title: Image from a registry that is not allowed
# description: >-
#   Images decide what code runs in the cluster. Pulling only from
#   registries the organisation controls or has vetted keeps unreviewed,
#   typo-squatted or tampered images out, and keeps image scanning, signing
#   and retention in one place. The allowed registries come from
#   data.kubecomply.config.allowed_registries; without that list the check
#   is not assessed. Short Docker Hub names are expanded first (nginx is
#   docker.io/library/nginx, acme/app is docker.io/acme/app).
# custom:
#   id: allowed-registries
#   severity: high
#   kinds: [workloads]
#   requires_data: [allowed_registries]
#   remediation: >-
#     Mirror or rebuild the image into an allowed registry and reference it
#     there, or, if the registry is trustworthy, add it (host, or host/path
#     prefix such as ghcr.io/acme/) to allowed_registries.
#   references:
#     kubescape: ["C-0078"]
package kubecomply.images.allowed_registries

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers

# Without the list the first line is undefined and nothing else runs, so the
# check costs nothing in a scan that does not configure it.
deny contains result if {
	allowed := data.kubecomply.config.allowed_registries
	is_array(allowed)
	some c in containers
	image := c.container.image
	is_string(image)
	image != ""
	name := _repository(image)
	not _allowed(name, allowed)
	result := {
		"msg": sprintf("%s image %q (%s) is not from an allowed registry", [k8s.container_label(c), image, name]),
		"path": array.concat(c.path, ["image"]),
	}
}

# An entry allows an image when the image's repository equals it, starts with
# it followed by "/", or starts with it when it ends in "/".
_allowed(name, allowed) if {
	some entry in allowed
	is_string(entry)
	entry != ""
	_matches(name, entry)
}

_matches(name, entry) if name == entry

_matches(name, entry) if startswith(name, concat("", [entry, "/"]))

_matches(name, entry) if {
	endswith(entry, "/")
	startswith(name, entry)
}

# The repository of an image reference, registry first, without tag or
# digest: "nginx:1.25" -> "docker.io/library/nginx",
# "localhost:5000/app:2" -> "localhost:5000/app".
_repository(image) := concat("/", _canonical(array.concat(array.slice(parts, 0, n - 1), [split(parts[n - 1], ":")[0]]))) if {
	parts := split(split(image, "@")[0], "/")
	n := count(parts)
}

# A first segment is a registry only if it contains "." or ":" or is
# "localhost"; otherwise the image is on Docker Hub. Docker Hub's own host
# aliases are folded into docker.io, and its official images live under
# library/.
_canonical(path) := array.concat(["docker.io", "library"], path) if {
	count(path) == 1
} else := _docker_hub(array.slice(path, 1, count(path))) if {
	_is_docker_hub(path[0])
} else := path if {
	_is_registry(path[0])
} else := array.concat(["docker.io"], path)

_docker_hub(rest) := array.concat(["docker.io", "library"], rest) if {
	count(rest) == 1
} else := array.concat(["docker.io"], rest)

# Functions rather than a set rule: regorus evaluates every value rule of a
# package for each resource, even in scans without the list.
_is_docker_hub(host) if host == "docker.io"

_is_docker_hub(host) if host == "index.docker.io"

_is_docker_hub(host) if host == "registry-1.docker.io"

_is_docker_hub(host) if host == "registry.hub.docker.com"

_is_registry(segment) if contains(segment, ".")

_is_registry(segment) if contains(segment, ":")

_is_registry(segment) if segment == "localhost"

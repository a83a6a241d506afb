# METADATA
# title: Writable root filesystem
# description: >-
#   A container whose root filesystem is writable lets an attacker who gets
#   code execution drop tools, change binaries or configuration and persist
#   inside the container. Mounting the image read-only makes the running
#   container match what was built and reviewed; the few paths an
#   application must write to are given explicit volumes.
# custom:
#   id: readonly-root-filesystem
#   severity: medium
#   kinds: [workloads]
#   population: Workloads whose pods run Linux (not spec.os.name=windows)
#   remediation: >-
#     Set securityContext.readOnlyRootFilesystem: true in every container, init
#     container and ephemeral container, and mount an emptyDir (or another
#     volume) at each path the application writes to, such as /tmp or a cache
#     directory. Windows pods are exempt: the field has no effect there.
#   references:
#     kubescape: ["C-0017"]
#     trivy: ["KSV-0014"]
#     checkov: ["CKV_K8S_22"]
package kubecomply.hardening.readonly_root_filesystem

import rego.v1

import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# Population: workloads whose pods run Linux; the setting has no meaning
# for Windows pods (spec.os.name: windows).
applies if {
	some pod in pod_specs
	not pod.spec.os.name == "windows"
}

# Direct field access on the hot path; helpers run only for violations. The
# field exists only at container level (the pod securityContext has none).
deny contains result if {
	some c in containers
	not c.container.securityContext.readOnlyRootFilesystem == true
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s %s does not set securityContext.readOnlyRootFilesystem: true", [_types[c.type], json.marshal(object.get(c.container, "name", ""))]),
		"path": _path(c),
	}
}

# The field when it is there (false, a string...), else the closest parent.
_path(c) := array.concat(c.path, ["securityContext", "readOnlyRootFilesystem"]) if {
	_ := c.container.securityContext.readOnlyRootFilesystem
} else := array.concat(c.path, ["securityContext"]) if {
	is_object(c.container.securityContext)
} else := c.path

# Message label of a container type; with json.marshal of the name this gives
# the same text as k8s.container_label without a function call per finding.
_types := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

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

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

# Direct field access on the hot path; helpers run only for violations. The
# field exists only at container level (the pod securityContext has none).
deny contains result if {
	some c in workloads.containers
	not c.container.securityContext.readOnlyRootFilesystem == true
	not c.pod.spec.os.name == "windows"
	result := {
		"msg": sprintf("%s does not set securityContext.readOnlyRootFilesystem: true", [k8s.container_label(c)]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "readOnlyRootFilesystem"]),
	}
}

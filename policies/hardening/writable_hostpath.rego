# METADATA
# title: Writable hostPath mount
# description: >-
#   A hostPath volume mounted without readOnly lets the container change
#   files on the node: plant binaries or cron entries, alter kubelet or
#   runtime configuration, or fill the node's disk. Even where a workload has
#   a good reason to see host files, it rarely needs to write them.
# custom:
#   id: writable-hostpath
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Set readOnly: true on every volumeMounts entry that refers to a hostPath
#     volume, in every container, init container and ephemeral container; if
#     the workload must write, give it an emptyDir or a PersistentVolumeClaim
#     instead of a host directory.
#   references:
#     kubescape: ["C-0045"]
package kubecomply.hardening.writable_hostpath

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.container_types
import data.kubecomply.lib.workloads.pod_specs

# Starts from the pod's hostPath volumes (rare), so pods without one cost a
# single pass over their volumes; the containers' mounts are read only for
# pods that have a hostPath volume.
deny contains result if {
	some pod in pod_specs
	volumes := pod.spec.volumes
	is_array(volumes)
	some volume in volumes
	volume.hostPath != null
	name := volume.name
	some type in container_types
	list := pod.spec[type]
	is_array(list)
	some i, container in list
	mounts := container.volumeMounts
	is_array(mounts)
	some j, mount in mounts
	mount.name == name
	not mount.readOnly == true
	c := {"type": type, "container": container}
	result := {
		"msg": sprintf("%s mounts hostPath volume %s at %s without readOnly: true", [k8s.container_label(c), k8s.quote(name), k8s.quote(object.get(mount, "mountPath", ""))]),
		"path": k8s.deepest_existing_path(array.concat(pod.path, [type, i, "volumeMounts", j]), mount, ["readOnly"]),
	}
}

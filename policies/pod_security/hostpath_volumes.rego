# METADATA
# title: HostPath volumes
# description: >-
#   A hostPath volume mounts a file or directory of the node into the pod. It
#   can expose credentials, the container runtime socket or system files, and
#   with write access it is a direct path to taking over the node.
# custom:
#   id: hostpath-volumes
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Replace hostPath volumes with emptyDir, configMap, secret, projected or
#     persistentVolumeClaim volumes. Node agents that really need host files
#     belong in a separately governed namespace.
#   references:
#     pss: ["baseline/HostPath Volumes"]
#     psa_check: ["hostPathVolumes"]
#     cis: ["5.2.11"]
#     kubescape: ["C-0048"]
#     trivy: ["KSV-0023"]
package kubecomply.pod_security.hostpath_volumes

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.pod_specs

# Direct field access on the hot path (a user function costs ~6 µs per call in
# regorus); the is_array guard keeps an object or string from being iterated.
deny contains result if {
	some pod in pod_specs
	volumes := pod.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	volume.hostPath != null
	result := {
		"msg": sprintf("volume %s is a hostPath volume (%v)", [k8s.quote(object.get(volume, "name", "")), object.get(k8s.as_object(volume.hostPath), "path", "")]),
		"path": array.concat(pod.path, ["volumes", i, "hostPath"]),
	}
}

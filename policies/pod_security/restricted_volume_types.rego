# METADATA
# title: Restricted volume types
# description: >-
#   Volume types other than the core ones let a pod reach storage directly
#   (host paths, NFS, iSCSI, cloud disks, git repositories) without going
#   through a PersistentVolume that an administrator controls. The restricted
#   standard only allows volumes that are namespaced or provisioned through
#   claims.
# custom:
#   id: restricted-volume-types
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image,
#     persistentVolumeClaim, projected or secret volumes; move other storage
#     behind a PersistentVolume and mount it through a persistentVolumeClaim.
#   references:
#     pss: ["restricted/Volume Types"]
#     psa_check: ["restrictedVolumes"]
#     trivy: ["KSV-0028"]
package kubecomply.pod_security.restricted_volume_types

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.pod_specs

# Volume sources the restricted standard allows (image since Kubernetes 1.33).
allowed_sources := {
	"configMap",
	"csi",
	"downwardAPI",
	"emptyDir",
	"ephemeral",
	"image",
	"persistentVolumeClaim",
	"projected",
	"secret",
}

# A volume with no source at all is defaulted to emptyDir by the API server,
# and a volume that sets one allowed source passes, as in PSA. Otherwise
# every other non-null key is reported.
_uses_allowed_source(volume) if {
	some key in object.keys(volume)
	allowed_sources[key]
	volume[key] != null
}

# The hot path (every key of every volume) uses no function call: a key that
# is "name", null or an allowed source is never reported, so only the rare
# volume with another key pays for the _uses_allowed_source call (a user
# function costs ~6 µs per call in regorus).
deny contains result if {
	some pod in pod_specs
	volumes := pod.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	is_object(volume)
	some key, value in volume
	key != "name"
	value != null
	not allowed_sources[key]
	not _uses_allowed_source(volume)
	result := {
		"msg": sprintf("volume %s uses the restricted volume type %s", [k8s.quote(object.get(volume, "name", "")), key]),
		"path": array.concat(pod.path, ["volumes", i, key]),
	}
}

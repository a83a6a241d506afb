# METADATA
# title: AppArmor profile overridden
# description: >-
#   On nodes with AppArmor the container runtime confines every container with
#   its default profile. Setting the profile to unconfined (or to anything but
#   the runtime default or a profile loaded on the node) removes that layer of
#   defence against a compromised process.
# custom:
#   id: apparmor-profile
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Leave securityContext.appArmorProfile unset or set its type to
#     RuntimeDefault or Localhost, at pod and container level. Remove
#     container.apparmor.security.beta.kubernetes.io/<container> annotations
#     that are not runtime/default or localhost/<profile> (the annotations are
#     deprecated; prefer the field).
#   references:
#     pss: ["baseline/AppArmor"]
#     psa_check: ["appArmorProfile"]
#     trivy: ["KSV-0002"]
package kubecomply.pod_security.apparmor_profile

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

_allowed_types := {"RuntimeDefault", "Localhost"}

# Annotation values PSA accepts: empty, runtime/default, localhost/<name>.
_allowed_annotation_value(v) if v == ""

_allowed_annotation_value(v) if v == "runtime/default"

_allowed_annotation_value(v) if {
	is_string(v)
	startswith(v, "localhost/")
}

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every pod
# and container). A field under a value that is absent, null or not an object
# is undefined: `_allowed_types[profile.type]` is then undefined, the same as
# type "". Message and path helpers are only called for violations.

# The type of a profile for messages ("" when absent or not an object).
_type(profile) := object.get(k8s.as_object(profile), "type", "")

# Deprecated per-container annotations on the pod (template) metadata.
deny contains result if {
	some pod in pod_specs
	annotations := pod.metadata.annotations
	is_object(annotations)
	some key, value in annotations
	is_string(key)
	startswith(key, _annotation_prefix)
	not _allowed_annotation_value(value)
	result := {
		"msg": sprintf("annotation %s sets the forbidden AppArmor profile %s", [key, k8s.quote(value)]),
		"path": array.concat(pod.metadata_path, ["annotations", key]),
	}
}

# Pod-level securityContext.appArmorProfile.
deny contains result if {
	some pod in pod_specs
	profile := pod.spec.securityContext.appArmorProfile
	profile != null
	not _allowed_types[k8s.get(profile, "type")]
	result := {
		"msg": sprintf("pod sets securityContext.appArmorProfile.type: %s", [k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(pod.path, pod.spec, ["securityContext", "appArmorProfile", "type"]),
	}
}

# Container-level securityContext.appArmorProfile.
deny contains result if {
	some c in containers
	profile := c.container.securityContext.appArmorProfile
	profile != null
	not _allowed_types[k8s.get(profile, "type")]
	result := {
		"msg": sprintf("%s sets securityContext.appArmorProfile.type: %s", [k8s.container_label(c), k8s.quote(_type(profile))]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "appArmorProfile", "type"]),
	}
}

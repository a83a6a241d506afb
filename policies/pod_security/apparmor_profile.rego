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
import data.kubecomply.lib.workloads

_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

_allowed_types := {"RuntimeDefault", "Localhost"}

# Annotation values PSA accepts: empty, runtime/default, localhost/<name>.
_allowed_annotation_value(v) if v == ""

_allowed_annotation_value(v) if v == "runtime/default"

_allowed_annotation_value(v) if {
	is_string(v)
	startswith(v, "localhost/")
}

# Deprecated per-container annotations on the pod (template) metadata.
deny contains result if {
	some pod in workloads.pod_specs
	some key, value in k8s.as_object(object.get(pod.metadata, "annotations", {}))
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
	some pod in workloads.pod_specs
	profile := k8s.pod_security_context(pod).appArmorProfile
	profile != null
	type := object.get(k8s.as_object(profile), "type", "")
	not _allowed_types[type]
	result := {
		"msg": sprintf("pod sets securityContext.appArmorProfile.type: %s", [k8s.quote(type)]),
		"path": k8s.deepest_existing_path(pod.path, pod.spec, ["securityContext", "appArmorProfile", "type"]),
	}
}

# Container-level securityContext.appArmorProfile.
deny contains result if {
	some c in workloads.containers
	profile := k8s.security_context(c).appArmorProfile
	profile != null
	type := object.get(k8s.as_object(profile), "type", "")
	not _allowed_types[type]
	result := {
		"msg": sprintf("%s sets securityContext.appArmorProfile.type: %s", [k8s.container_label(c), k8s.quote(type)]),
		"path": k8s.deepest_existing_path(c.path, c.container, ["securityContext", "appArmorProfile", "type"]),
	}
}

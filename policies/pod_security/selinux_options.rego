# METADATA
# title: SELinux options
# description: >-
#   SELinux labels decide what a container process may touch on the node. A
#   custom SELinux type, user or role can place the process in a far more
#   privileged domain than the container types, bypassing the isolation that
#   SELinux provides.
# custom:
#   id: selinux-options
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     In seLinuxOptions at pod and container level, leave type unset or use
#     container_t, container_init_t, container_kvm_t or container_engine_t, and
#     remove user and role. Setting level (MCS categories) is fine.
#   references:
#     pss: ["baseline/SELinux"]
#     psa_check: ["seLinuxOptions"]
#     trivy: ["KSV-0025"]
package kubecomply.pod_security.selinux_options

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# Allowed seLinuxOptions.type values at policy v1.31+ ("" = unset).
allowed_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# The seLinuxOptions objects of a resource: pod level and every container
# (`c` is null for the pod level). Fields are read directly, without function
# calls (a user function costs ~6 µs per call in regorus and this runs for
# every pod and container); a field under a value that is absent, null or not
# an object is undefined. The container label is only built for violations.
_options contains {"c": null, "opts": opts, "path": array.concat(pod.path, ["securityContext", "seLinuxOptions"])} if {
	some pod in pod_specs
	opts := pod.spec.securityContext.seLinuxOptions
	is_object(opts)
}

_options contains {"c": c, "opts": opts, "path": array.concat(c.path, ["securityContext", "seLinuxOptions"])} if {
	some c in containers
	opts := c.container.securityContext.seLinuxOptions
	is_object(opts)
}

# Who sets the options, for messages: "pod" or the container label.
_who(o) := "pod" if {
	o.c == null
} else := k8s.container_label(o.c)

deny contains result if {
	some o in _options
	type := object.get(o.opts, "type", "")
	type != null
	not allowed_types[type]
	result := {
		"msg": sprintf("%s sets securityContext.seLinuxOptions.type: %s", [_who(o), k8s.quote(type)]),
		"path": array.concat(o.path, ["type"]),
	}
}

deny contains result if {
	some o in _options
	some field in ["user", "role"]
	value := object.get(o.opts, field, "")
	value != ""
	value != null
	result := {
		"msg": sprintf("%s sets securityContext.seLinuxOptions.%s: %s", [_who(o), field, k8s.quote(value)]),
		"path": array.concat(o.path, [field]),
	}
}

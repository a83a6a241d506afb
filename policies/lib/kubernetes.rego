# Shared helper functions for checks: safe accessors, message formatting and
# paths for missing fields. The pod specs and containers themselves live in
# kubecomply.lib.workloads.
#
# This package holds functions only, on purpose: regorus evaluates every rule
# of a package whenever one is referenced under `with input as`, so a value
# rule added here would be paid for by every check on every resource.
package kubecomply.lib.kubernetes

import rego.v1

# x when it is an object, {} otherwise (absent, null or a wrong type).
# YAML `securityContext:` with no value decodes to null; treat it as empty.
as_object(x) := x if {
	is_object(x)
} else := {}

# The value at path (a key, or an array of keys) under x; null when x is not an
# object or nothing is there. Always defined, which is the point: OPA evaluates a
# call's arguments and a ref's dynamic keys before applying a `not`, so
# `not f(x.a)` or `not s[x.a]` with x.a undefined fails in OPA (no finding) while
# regorus lets the `not` hold; with get(x, "a") both engines give the same answer.
get(x, path) := object.get(x, path, null) if {
	is_object(x)
} else := null

# x when it is an array, [] otherwise.
as_array(x) := x if {
	is_array(x)
} else := []

# The pod-level securityContext of a pod_specs entry ({} when unset).
pod_security_context(pod) := as_object(object.get(pod.spec, "securityContext", {}))

# The securityContext of a containers entry ({} when unset).
security_context(c) := as_object(object.get(c.container, "securityContext", {}))

# A readable name for a container in messages: `container "app"`,
# `init container "setup"`, `ephemeral container "debug"`.
_type_label := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}

# A string name is quoted inline rather than through quote(): every violation
# message builds a label, and each user function call costs ~6 µs in regorus.
# Any other name (absent, number, null...) goes through quote() as before.
container_label(c) := sprintf("%s %s", [_type_label[c.type], sprintf("%q", [c.container.name])]) if {
	is_string(c.container.name)
} else := sprintf("%s %s", [_type_label[c.type], quote(object.get(c.container, "name", ""))])

# Path to use when a container-level field is MISSING: the container's
# securityContext when it exists, else the container itself.
security_context_path(c) := array.concat(c.path, ["securityContext"]) if {
	is_object(c.container.securityContext)
} else := c.path

# Path to use when a pod-level securityContext field is MISSING: the pod's
# securityContext when it exists, else the pod spec.
pod_security_context_path(pod) := array.concat(pod.path, ["securityContext"]) if {
	is_object(pod.spec.securityContext)
} else := pod.path

# The longest prefix of `rel` (a path relative to `value`) that exists in
# `value`, appended to `base`. Used to point at the nearest existing parent
# of a missing field. The existence test is inlined in the comprehension
# rather than a helper function called once per prefix (~6 µs per call in
# regorus); object.get with the empty path returns `value` itself, so k = 0
# always counts.
deepest_existing_path(base, value, rel) := array.concat(base, array.slice(rel, 0, n)) if {
	n := max({k |
		some k in numbers.range(0, count(rel))
		object.get(value, array.slice(rel, 0, k), _missing) != _missing
	})
}

# A sentinel no manifest can contain (object.get's default for "absent").
_missing := {"__kubecomply_missing__": true}

# Windows pods (spec.os.name: windows). From policy v1.25 PSA exempts them from
# the Linux-only restricted controls (allowPrivilegeEscalation,
# seccompProfile_restricted, capabilities_restricted).
is_windows(pod) if pod.spec.os.name == "windows"

# Pods in a user namespace (spec.hostUsers: false). From policy v1.35 PSA
# relaxes runAsNonRoot, runAsUser and the baseline procMount check for them,
# because root inside the pod maps to an unprivileged user on the node.
host_users_false(pod) if pod.spec.hostUsers == false

# A value quoted for messages. sprintf's %q only accepts strings (regorus
# raises an error otherwise), and a malformed manifest may put a number, null
# or an object where a string belongs; such values are shown as JSON.
quote(x) := sprintf("%q", [x]) if {
	is_string(x)
} else := json.marshal(x)

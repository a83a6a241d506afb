# METADATA
# title: Workload in the default namespace
# description: >-
#   Namespaces are where RBAC, network policies, resource quotas and Pod
#   Security admission levels are applied. The default namespace collects
#   everything nobody placed deliberately, so workloads there share one set
#   of rules (often none) with unrelated objects. A manifest without
#   metadata.namespace is reported too: it lands in whatever namespace the
#   applying tool's context names, which is usually default.
# custom:
#   id: default-namespace
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Create a namespace per application or team, give it its own RBAC,
#     network policies, quotas and Pod Security labels, and set
#     metadata.namespace on every workload (or have the deployment tool set
#     it explicitly).
#   references:
#     cis: ["5.7.4"]
#     kubescape: ["C-0061", "C-0212"]
#     trivy: ["KSV-0110"]
#     checkov: ["CKV_K8S_21"]
package kubecomply.hardening.default_namespace

import rego.v1

# Value rules of this package would be evaluated for every resource (regorus
# evaluates a package's rules together), so the helpers are functions, called
# only for violations, and the conditions read fields directly.
deny contains result if {
	input.metadata.namespace == "default"
	result := {
		"msg": sprintf("%s is in the default namespace", [_label(input)]),
		"path": ["metadata", "namespace"],
	}
}

# No usable namespace: absent (or metadata not an object), empty, or not a
# string. Identical results from several rules collapse into one.
deny contains _no_namespace(input) if not input.metadata.namespace

deny contains _no_namespace(input) if input.metadata.namespace == ""

deny contains _no_namespace(input) if not is_string(object.get(input, ["metadata", "namespace"], null))

_no_namespace(obj) := {
	"msg": sprintf("%s sets no metadata.namespace, so it is created in the applying tool's current namespace (usually default)", [_label(obj)]),
	"path": _path(obj),
}

_label(obj) := sprintf("%s %q", [obj.kind, obj.metadata.name]) if {
	is_string(obj.metadata.name)
} else := sprintf("%s %s", [obj.kind, json.marshal(obj.metadata.name)]) if {
	is_object(obj.metadata)
	"name" in object.keys(obj.metadata)
} else := sprintf("%s %s", [obj.kind, `""`])

_path(obj) := ["metadata", "namespace"] if {
	is_object(obj.metadata)
	"namespace" in object.keys(obj.metadata)
} else := ["metadata"] if {
	is_object(obj.metadata)
} else := []

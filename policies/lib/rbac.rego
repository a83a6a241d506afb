# Helper functions for the RBAC checks (policies/rbac/): does a PolicyRule
# grant a verb on a resource, which roles are the cluster's own, and how to
# name roles and subjects in messages.
#
# Functions only, on purpose: regorus evaluates every rule of a package
# whenever one is referenced, so a value rule here would be paid for by every
# RBAC check on every Role and ClusterRole. Functions cost ~6 µs per call,
# so the checks first pick candidate rules with direct field reads and set
# lookups, and call these functions only for rules that name a resource or
# verb of interest (or a wildcard), and to build messages.
#
# Matching follows the Kubernetes RBAC authorizer
# (k8s.io/kubernetes pkg/apis/rbac/v1 evaluation_helpers.go):
#   - verbs and apiGroups match the exact value or "*";
#   - resources match the exact value ("pods/exec" for a subresource), "*"
#     (every resource and subresource of the rule's groups), or, for a
#     subresource only, "*/<subresource>" ("*/exec"). An entry such as
#     "pods/*" is NOT a wildcard to the authorizer: it is compared literally
#     and grants nothing real.
#   - rules with only nonResourceURLs have no `resources`, so they never
#     match a resource.
package kubecomply.lib.rbac

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

# x is in the list, or the list holds "*". `list` must be an array; anything
# else (absent, null, a string) matches nothing.
matches(list, x) if {
	is_array(list)
	some item in list
	item == x
}

matches(list, _) if {
	is_array(list)
	some item in list
	item == "*"
}

# The resource list grants `resource` ("secrets", or "pods/exec" for a
# subresource).
resource_matches(resources, resource) if matches(resources, resource)

resource_matches(resources, resource) if {
	is_array(resources)
	parts := split(resource, "/")
	count(parts) == 2
	star := concat("", ["*/", parts[1]])
	some item in resources
	item == star
}

# The rule grants `verb` on `resource` of API group `group`.
grants(rule, group, resource, verb) if {
	matches(rule.apiGroups, group)
	resource_matches(rule.resources, resource)
	matches(rule.verbs, verb)
}

# The resources of `targets` (an array of [group, resource] pairs) that the
# rule covers, in the order of `targets`.
granted_resources(rule, targets) := [resource |
	some target in targets
	group := target[0]
	resource := target[1]
	matches(rule.apiGroups, group)
	resource_matches(rule.resources, resource)
]

# The verbs of `verbs` (an array) that the rule grants, in the order given.
granted_verbs(rule, verbs) := [verb |
	some verb in verbs
	matches(rule.verbs, verb)
]

# Roles and bindings that Kubernetes itself creates and reconciles on every
# API server start: names in the reserved "system:" prefix, and the
# user-facing defaults (cluster-admin, admin, edit, view and their bindings)
# which carry the label kubernetes.io/bootstrapping: rbac-defaults. Their
# content cannot be changed durably, so reporting it would only be noise.
# Neither marker is enforced by the API server: anyone may create a role named
# "system:..." or set the label, which is why binding checks decide by subject,
# not by this.
builtin(metadata) if {
	name := metadata.name
	is_string(name)
	startswith(name, "system:")
}

builtin(metadata) if metadata.labels["kubernetes.io/bootstrapping"] == "rbac-defaults"

# `ClusterRole "ops"` or `Role "ops"` for messages.
role_label(obj) := sprintf("%s %s", [obj.kind, k8s.quote(object.get(obj, ["metadata", "name"], ""))])

# ", limited to resourceNames [...]" when the rule names objects, "" when it
# covers every object. A narrowed grant is still a grant; the note tells the
# reader how far it reaches.
names_note(rule) := sprintf(", limited to resourceNames %s", [json.marshal(rule.resourceNames)]) if {
	is_array(rule.resourceNames)
	count(rule.resourceNames) > 0
} else := ""

# `ServiceAccount "ci/deployer"`, `User "alice"`, `Group "devs"`.
subject_label(subject) := sprintf("ServiceAccount %s", [k8s.quote(concat("/", [subject.namespace, subject.name]))]) if {
	subject.kind == "ServiceAccount"
	is_string(subject.namespace)
	is_string(subject.name)
} else := sprintf("%s %s", [subject.kind, k8s.quote(object.get(subject, "name", ""))]) if {
	is_string(subject.kind)
} else := sprintf("subject %s", [k8s.quote(object.get(subject, "name", ""))])

# `ClusterRole "view"` or `Role "app"` for the roleRef of a binding.
role_ref_label(ref) := sprintf("%s %s", [ref.kind, k8s.quote(object.get(ref, "name", ""))]) if {
	is_string(ref.kind)
} else := sprintf("role %s", [k8s.quote(object.get(ref, "name", ""))]) if {
	is_object(ref)
} else := "an unnamed role"

# `ClusterRoleBinding "ops"` or `RoleBinding "ops" in namespace "shop"`.
binding_label(obj) := sprintf("%s %s in namespace %s", [obj.kind, k8s.quote(object.get(obj, ["metadata", "name"], "")), k8s.quote(obj.metadata.namespace)]) if {
	obj.kind == "RoleBinding"
	is_string(obj.metadata.namespace)
} else := sprintf("%s %s", [obj.kind, k8s.quote(object.get(obj, ["metadata", "name"], ""))])

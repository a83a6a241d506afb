# METADATA
# title: Wildcards in RBAC rules
# description: >-
#   A "*" in a rule's verbs, apiGroups or resources (or a "*/subresource"
#   resource) grants everything that matches, including verbs, resources and
#   CRDs that are added to the cluster later, so the role quietly grows with
#   every upgrade and every operator installed. Wildcards also hide what a role
#   really needs, which makes reviews and least-privilege work guesswork.
#   Only resource rules are checked: a rule with nonResourceURLs only (health
#   and discovery endpoints) is left alone. An entry such as "pods/*" is not
#   reported: the RBAC authorizer does not treat it as a wildcard and it grants
#   nothing. Roles named "system:..." and the default roles labelled
#   kubernetes.io/bootstrapping: rbac-defaults (cluster-admin, admin, edit,
#   view) belong to Kubernetes and are skipped. An aggregated ClusterRole
#   (aggregationRule) is checked on the rules it carries; in manifests these are
#   usually empty because the controller fills them in from the ClusterRoles
#   it selects, which are checked themselves.
# custom:
#   id: rbac-wildcard
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Replace each "*" with the explicit verbs, API groups and resources the
#     subject needs (kubectl auth can-i --list, audit logs or a tool such as
#     audit2rbac show what is actually used). Grant broad access through a
#     binding to a reviewed role rather than a wildcard.
#   references:
#     cis: ["5.1.3"]
#     kubescape: ["C-0187"]
#     trivy: ["KSV-0044", "KSV-0045", "KSV-0046", "KSV-0112"]
#     checkov: ["CKV_K8S_49"]
package kubecomply.rbac.rbac_wildcard

import rego.v1

import data.kubecomply.lib.rbac

# Direct field reads and builtins only while looking for a wildcard; the
# role's name is checked (a function call) only once one is found.

# "*" in apiGroups or resources.
_star_fields := ["apiGroups", "resources"]

# Population: roles other than the ones Kubernetes creates and reconciles
# itself (name prefix "system:", label kubernetes.io/bootstrapping:
# rbac-defaults), whose rules cannot be changed durably.
applies if not rbac.builtin(input.metadata)

deny contains result if {
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	is_object(rule)
	some field in _star_fields
	entries := rule[field]
	is_array(entries)
	some j, entry in entries
	entry == "*"
	not rbac.builtin(input.metadata)
	result := {
		"msg": sprintf("%s uses the wildcard \"*\" in %s (rules[%d])", [rbac.role_label(input), field, i]),
		"path": ["rules", i, field, j],
	}
}

# "*/<subresource>" in resources: that subresource of every resource.
deny contains result if {
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	entries := rule.resources
	is_array(entries)
	some j, entry in entries
	is_string(entry)
	startswith(entry, "*/")
	not rbac.builtin(input.metadata)
	result := {
		"msg": sprintf("%s uses the wildcard %q in resources (rules[%d])", [rbac.role_label(input), entry, i]),
		"path": ["rules", i, "resources", j],
	}
}

# "*" in verbs of a resource rule.
deny contains result if {
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	is_array(rule.resources)
	verbs := rule.verbs
	is_array(verbs)
	some j, verb in verbs
	verb == "*"
	not rbac.builtin(input.metadata)
	result := {
		"msg": sprintf("%s uses the wildcard \"*\" in verbs (rules[%d])", [rbac.role_label(input), i]),
		"path": ["rules", i, "verbs", j],
	}
}

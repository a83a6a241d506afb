package kubecomply.rbac.rbac_webhook_config_test

import rego.v1

import data.kubecomply.rbac.rbac_webhook_config as check

_cr(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cert-injector"}, "rules": rules}

test_pass_read_only if {
	count(check.deny) == 0 with input as _cr([
		{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], "verbs": ["get", "list", "watch"]},
		{"apiGroups": [""], "resources": ["validatingwebhookconfigurations"], "verbs": ["update"]},
	])
}

test_fail_patch_named_configuration if {
	results := check.deny with input as _cr([{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "resourceNames": ["my-webhook"], "verbs": ["get", "update", "patch"]}])
	count(results) == 1
	some r in results
	r.path == ["rules", 0]
	r.msg == "ClusterRole \"cert-injector\" grants update, patch on validatingwebhookconfigurations (rules[0]), limited to resourceNames [\"my-webhook\"]"
}

test_fail_delete_both_kinds if {
	results := check.deny with input as _cr([{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"], "verbs": ["delete", "deletecollection"]}])
	some r in results
	r.msg == "ClusterRole \"cert-injector\" grants delete, deletecollection on mutatingwebhookconfigurations, validatingwebhookconfigurations (rules[0])"
}

test_fail_wildcard_resources_in_group if {
	results := check.deny with input as _cr([{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["*"], "verbs": ["create"]}])
	count(results) == 1
}

test_pass_system_role if {
	count(check.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "system:controller:some"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
}

test_malformed_rules_are_ignored if {
	count(check.deny) == 0 with input as _cr([{"apiGroups": [["admissionregistration.k8s.io"]], "resources": ["mutatingwebhookconfigurations"], "verbs": ["create"]}])
}

# Population: roles other than Kubernetes' own (system: prefix, rbac-defaults label).
test_applies_to_user_roles if {
	check.applies with input as {"kind": "ClusterRole", "metadata": {"name": "ops"}, "rules": []}
	check.applies with input as {"kind": "Role", "metadata": {"name": "dev", "namespace": "shop"}}
}

test_not_applicable_to_builtin_roles if {
	everything := [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
	builtin := {"kind": "ClusterRole", "metadata": {"name": "system:controller:foo"}, "rules": everything}
	not check.applies with input as builtin
	count(check.deny) == 0 with input as builtin
	defaults := {"kind": "ClusterRole", "metadata": {"name": "admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": everything}
	not check.applies with input as defaults
	count(check.deny) == 0 with input as defaults
}

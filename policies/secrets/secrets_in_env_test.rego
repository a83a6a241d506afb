package kubecomply.secrets.secrets_in_env_test

import rego.v1

import data.kubecomply.secrets.secrets_in_env as check

_deploy(containers) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

test_pass_literal_and_configmap_env if {
	count(check.deny) == 0 with input as _deploy([{
		"name": "app",
		"env": [
			{"name": "LOG_LEVEL", "value": "info"},
			{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}},
		],
		"envFrom": [{"configMapRef": {"name": "cfg"}}],
	}])
}

test_fail_secret_key_ref if {
	results := check.deny with input as _deploy([{
		"name": "app",
		"env": [
			{"name": "LOG_LEVEL", "value": "info"},
			{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
		],
	}])
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "env", 1, "valueFrom", "secretKeyRef"]
	contains(r.msg, `Secret "db"`)
	contains(r.msg, `env var "DB_PASSWORD"`)
}

test_fail_env_from_secret_ref if {
	results := check.deny with input as _deploy([{"name": "app", "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "creds"}}]}])
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "envFrom", 1, "secretRef"]
}

test_fail_init_container_of_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {
		"initContainers": [{"name": "i", "env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}],
		"containers": [{"name": "app"}],
	}}}}}}
	count(check.deny) == 1 with input as obj
}

# Malformed env / envFrom (not lists, entries not objects, null refs) are ignored.
test_malformed_entries if {
	count(check.deny) == 0 with input as _deploy([
		{"name": "a", "env": {"name": "X"}, "envFrom": "secret"},
		{"name": "b", "env": ["X", {"valueFrom": null}, {"valueFrom": {"secretKeyRef": null}}], "envFrom": [1, {"secretRef": "s"}]},
	])
}
